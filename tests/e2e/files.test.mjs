// Files in and out of the playground (served release build, headless Chromium): open a file
// (the hidden <input type=file>), drop one on the editor (a synthetic DataTransfer drop event),
// and the downloads, whose bytes are checked against the seccplay-native CLI's `compile`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openPage, saveScreenshot, cli, PAGE_CONTEXT, waitText, simulate } from './helpers.mjs';

let s;
before(async () => { s = await openPage({ waitFor: '#verdict', viewport: { width: 1280, height: 800 } }); });
after(async () => { await s?.close(); });

/** A small profile whose verdicts differ from Docker's: unshare gets EACCES, the rest is allowed. */
const PROFILE = '{\n  "defaultAction": "SCMP_ACT_ALLOW",\n  "syscalls": [\n'
  + '    { "names": ["unshare"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13 }\n  ]\n}\n';

/** Clicks `sel` and returns the download it starts: its suggested name and bytes. */
async function download(sel) {
  const [dl] = await Promise.all([s.page.waitForEvent('download', { timeout: 10_000 }), s.page.click(sel)]);
  return { name: dl.suggestedFilename(), bytes: await readFile(await dl.path()) };
}

test('open a profile from disk', async () => {
  await s.page.setInputFiles('#file-input', { name: 'mine.json', mimeType: 'application/json', buffer: Buffer.from(PROFILE) });
  await s.page.waitForFunction((t) => document.querySelector('#profile-text').value === t, PROFILE);
  assert.equal(await s.page.inputValue('#preset'), ''); // (custom)
  await simulate(s.page, 'unshare(CLONE_NEWUSER)');
  await waitText(s.page, '#verdict', 'ERRNO(EACCES)');
  await simulate(s.page, 'mount(0, 0, 0, 0, 0)');
  await waitText(s.page, '#verdict', 'ALLOW');
  await saveScreenshot(s.page, 'open-file');
});

test('open a raw BPF program (the CLI\'s compile output): shown as hex, simulated as is', async () => {
  const raw = cli(['compile', 'docker', ...PAGE_CONTEXT, '--format', 'raw'], { binary: true });
  assert.ok(raw.length > 0 && raw.length % 8 === 0, `${raw.length} bytes`);
  await s.page.setInputFiles('#file-input', { name: 'filter.bpf', mimeType: 'application/octet-stream', buffer: raw });
  await s.page.waitForFunction(() => /raw BPF program/.test(document.querySelector('#profile-status')?.textContent ?? ''));
  assert.match(await s.page.textContent('#profile-status'), new RegExp(`raw BPF program \\(Hex, ${raw.length / 8} instructions\\)`));
  assert.match(await s.page.inputValue('#profile-text'), /^[0-9a-f]{16}\n/); // one instruction a line
  await simulate(s.page, 'unshare(CLONE_NEWUSER)');
  await waitText(s.page, '#verdict', 'ERRNO(EPERM)');
  await simulate(s.page, 'read(0, 0, 0)');
  await waitText(s.page, '#verdict', 'ALLOW');
});

test('drop a profile on the editor', async () => {
  const dropped = PROFILE.replace('"errnoRet": 13', '"errnoRet": 38');
  const dt = await s.page.evaluateHandle((text) => {
    const dt = new DataTransfer();
    dt.items.add(new File([text], 'dropped.json', { type: 'application/json' }));
    return dt;
  }, dropped);
  await s.page.dispatchEvent('.editor', 'dragover', { dataTransfer: dt });
  await s.page.dispatchEvent('.editor', 'drop', { dataTransfer: dt });
  await s.page.waitForFunction((t) => document.querySelector('#profile-text').value === t, dropped);
  await simulate(s.page, 'unshare(CLONE_NEWUSER)');
  await waitText(s.page, '#verdict', 'ERRNO(ENOSYS)');
});

test('download the profile: the editor\'s text', async () => {
  const { name, bytes } = await download('#download-profile');
  assert.equal(name, 'profile.json');
  assert.equal(bytes.toString('utf8'), await s.page.inputValue('#profile-text'));
});

test('download the program: raw and hex are the CLI\'s compile output for the same context', async () => {
  await s.page.selectOption('#preset', 'docker@29.4.3');
  await simulate(s.page, 'unshare(CLONE_NEWUSER)');
  await waitText(s.page, '#verdict', 'ERRNO(EPERM)');
  await s.page.click('#tab-program');
  const raw = await download('#dl-raw');
  assert.equal(raw.name, 'filter.bpf');
  const want = cli(['compile', 'docker', ...PAGE_CONTEXT, '--format', 'raw'], { binary: true });
  assert.ok(raw.bytes.equals(want), `page ${raw.bytes.length} bytes, CLI ${want.length} bytes`);
  assert.equal(raw.bytes.length / 8, Number(await s.page.textContent('#prog-insns')));
  // The text formats, against the CLI's file output (-o: the bytes of the export, as is).
  const dir = await mkdtemp(path.join(tmpdir(), 'seccplay-e2e-'));
  try {
    for (const [sel, format] of [['#dl-hex', 'hex'], ['#dl-c', 'c']]) {
      const got = await download(sel);
      const file = path.join(dir, `filter.${format}`);
      cli(['compile', 'docker', ...PAGE_CONTEXT, '--format', format, '-o', file]);
      assert.equal(got.bytes.toString('utf8'), await readFile(file, 'utf8'), format);
    }
  } finally { await rm(dir, { recursive: true, force: true }); }
  await saveScreenshot(s.page, 'program-downloads');
});

test('no page errors', () => { assert.deepEqual(s.errors, []); });
