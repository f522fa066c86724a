// Raw filters in the playground (issue 17): a compiled profile pasted as hex, as a C array and as
// dump's annotated disassembly, a stack of two filters, and Chromium's renderer filter opened as
// a binary file. For each, the Table tab's rows (the verdict, and the conditions in syscall
// terms) equal `seccplay-native raw explain --json --all` for the same text, and the verdicts of
// a set of calls equal `seccplay-native emu --json` (the kernel's combination for a stack). The
// decompiled profile, opened in the editor, gives the same verdicts as the program.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openPage, saveScreenshot, cli, PAGE_CONTEXT, simulate, ROOT } from './helpers.mjs';

let s;
before(async () => { s = await openPage({ waitFor: '#verdict', viewport: { width: 1280, height: 900 } }); });
after(async () => { await s?.close(); });

const DIR = mkdtempSync(path.join(tmpdir(), 'seccplay-raw-'));
const CALLS = ['read(0, 0, 0)', 'unshare(CLONE_NEWUSER)', 'personality(8)', 'personality(0xffffffff)',
  'mount(0, 0, 0, 0, 0)', 'socket(AF_VSOCK, 1, 0)', 'ptrace(0)', 'mkdir(0, 0)', 'rmdir(0)', 'getpid()'];

/** A file in the test's directory holding `text`. */
function file(name, text) {
  const p = path.join(DIR, name);
  writeFileSync(p, text);
  return p;
}

/** Pastes `text` as the editor's whole content. */
async function paste(text) {
  await s.page.focus('#profile-text');
  await s.page.keyboard.press('Control+A');
  await s.page.keyboard.insertText(text);
  await s.page.waitForFunction((t) => document.querySelector('#profile-text').value === t, text);
}

/** Waits for the status line of a raw program or stack. */
async function waitRaw(re) {
  await s.page.waitForFunction((re) => new RegExp(re).test(document.querySelector('#profile-status')?.textContent ?? ''),
    re.source, { timeout: 30_000 });
}

/** The Table tab's rows: name → { verdict, why }. */
async function pageRows() {
  await s.page.click('#tab-table');
  await s.page.waitForSelector('#syscall-table tbody tr', { timeout: 30_000 });
  await s.page.selectOption('#table-filter', 'all');
  await s.page.fill('#table-search', '');
  const rows = await s.page.$$eval('#syscall-table tbody tr', (rs) => rs.map((r) => ({
    name: r.dataset.name, verdict: r.querySelector('td.v').textContent, why: r.querySelector('td.why').textContent,
  })));
  return new Map(rows.map((r) => [r.name, r]));
}

/** Compares the page's rows with the CLI's `raw explain --json --all` of `files` (x86_64 rows). */
async function sameRowsAsCli(files) {
  const js = JSON.parse(cli(['raw', 'explain', ...files, '--arch', 'x86_64', '--abi', 'x86_64', '--all', '--json']));
  const want = js.rows.filter((r) => r.abi === 'X86_64' && r.name && r.nr !== null);
  const got = await pageRows();
  assert.equal(got.size, want.length, 'as many rows as the CLI');
  let conditional = 0;
  for (const r of want) {
    const g = got.get(r.name);
    assert.ok(g, `${r.name} missing on the page`);
    // The conditions: the core's row_lines, the same text in both shells (a stack adds which
    // filter decided).
    assert.equal(g.why.replace(/ \[decided by [^\]]*\]$/, ''), r.lines.join('; '), r.name);
    if (r.verdict.kind === 'Constant') assert.equal(g.verdict, r.verdict.action, r.name);
    else conditional += 1;
  }
  return { rows: want.length, conditional };
}

/** The page's verdict (the return value) for each call equals `emu --json`'s for `files`. */
async function sameVerdictsAsCli(files) {
  const [first, ...older] = files;
  const stack = older.flatMap((f) => ['--stack', f]);
  const js = JSON.parse(cli(['emu', first, ...stack, '--arch', 'x86_64', ...CALLS, '--json']));
  for (const [i, call] of CALLS.entries()) {
    const want = `return 0x${js.results[i].ret.toString(16).padStart(8, '0')}`;
    await simulate(s.page, call);
    await s.page.waitForFunction(([w]) => (document.querySelector('#result .meta')?.textContent ?? '').includes(w),
      [want], { timeout: 10_000 }).catch(async () => {
      throw new Error(`${call}: wanted ${want}, page says ${await s.page.textContent('#result')}`);
    });
  }
}

const hexOf = (profile) => cli(['compile', profile, ...PAGE_CONTEXT, '--format', 'hex']);

for (const [name, format] of [['hex', 'hex'], ['C array', 'c'], ['disassembly', 'disasm']]) {
  test(`paste Docker's compiled profile as ${name}: the table and the verdicts are the CLI's`, async () => {
    const text = cli(['compile', 'docker', ...PAGE_CONTEXT, '--format', format]);
    const f = file(`docker.${format}`, text);
    await paste(text);
    await waitRaw(/raw BPF program \(\w+, \d+ instructions\): analysed/);
    const { rows, conditional } = await sameRowsAsCli([f]);
    assert.ok(rows > 300 && conditional >= 3, `${rows} rows, ${conditional} conditional`);
    await sameVerdictsAsCli([f]);
    await saveScreenshot(s.page, `raw-${format}`, { fullPage: false });
  });
}

test('a stack of two filters (dump-style headers): rows, verdicts and the step-through per filter', async () => {
  const newer = file('newer.json', JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [
    { names: ['mkdir'], action: 'SCMP_ACT_ERRNO', errnoRet: 30 },
    { names: ['symlink'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }] }));
  const older = file('older.json', JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [
    { names: ['mkdir'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 },
    { names: ['rmdir'], action: 'SCMP_ACT_ERRNO', errnoRet: 39 }] }));
  const a = cli(['compile', newer, ...PAGE_CONTEXT, '--format', 'disasm']);
  const b = cli(['compile', older, ...PAGE_CONTEXT, '--format', 'hex']);
  const text = `# filter 0 (newest) of process 1: disassembly\n${a}# filter 1 (oldest) of process 1: hex\n${b}`;
  const f = file('stack.txt', text);
  await paste(text);
  await waitRaw(/A stack of 2 raw BPF programs, newest first \(Human, Hex;/);
  // A raw program runs as it is: the container's controls are disabled, and the note says why.
  for (const id of ['privileged', 'explicit', 'enosys', 'runtime', 'libseccomp', 'cap-CAP_SYS_ADMIN']) {
    assert.ok(await s.page.isDisabled(`#${id}`), `#${id} is disabled for a raw program`);
  }
  assert.match(await s.page.textContent('#installer-note'), /a raw program runs as it is: Docker's --privileged and capabilities, runc's ENOSYS stub/);
  await sameRowsAsCli([f]);
  const rows = await pageRows();
  assert.match(rows.get('rmdir').why, /\[decided by filter 1 \(oldest\)\]$/);
  assert.match(rows.get('mkdir').why, /\[decided by filter 0 \(newest\)\]$/);
  await sameVerdictsAsCli([f]);
  await simulate(s.page, 'rmdir(0)');
  await s.page.waitForFunction(() => /filter 1 \(oldest\) of 2 returns ERRNO\(ENOTEMPTY\)/.test(document.querySelector('#headline')?.textContent ?? ''));
  await s.page.click('#tab-step');
  await s.page.waitForSelector('#stack-choice');
  assert.match(await s.page.textContent('#stack-filter-1'), /ERRNO\(ENOTEMPTY\) ← decides/);
  await s.page.click('#stack-filter-1');
  await s.page.click('#step-return');
  await s.page.waitForFunction(() => /ERRNO\(ENOTEMPTY\)/.test(document.querySelector('#step-ret')?.textContent ?? ''));
  await saveScreenshot(s.page, 'raw-stack-step', { fullPage: false });
});

test('open Chromium\'s renderer filter (a binary file): analysed, rows and verdicts as the CLI\'s', async () => {
  const f = path.join(ROOT, 'refdata/filters/chromium/renderer.bpf');
  const bytes = readFileSync(f);
  await s.page.setInputFiles('#file-input', { name: 'renderer.bpf', mimeType: 'application/octet-stream', buffer: bytes });
  await waitRaw(new RegExp(`raw BPF program \\(Hex, ${bytes.length / 8} instructions\\): analysed`));
  const ms = Number(await s.page.getAttribute('#profile-status', 'data-analysis-ms'));
  console.log(`renderer.bpf (${bytes.length / 8} instructions): read and analysed in the page in ${ms} ms`);
  const { rows, conditional } = await sameRowsAsCli([f]);
  assert.ok(conditional > 10, `${rows} rows, ${conditional} conditional`);
  await sameVerdictsAsCli([f]);
  await saveScreenshot(s.page, 'raw-chromium-renderer', { fullPage: false });
});

test('decompile: "Open as a profile" puts the profile in the editor, with the same verdicts', async () => {
  const text = hexOf('docker');
  const n = text.trim().split('\n').length; // one instruction a line
  await paste(text);
  await waitRaw(new RegExp(`raw BPF program \\(Hex, ${n} instructions\\)`));
  assert.match(await s.page.textContent('#decompile-summary'), /Decompiled: a Docker profile for x86_64, x32, x86/);
  // Docker's program has runc's ENOSYS stub: the decompiled default is EPERM (not the stub's
  // ENOSYS nor ALLOW), so clone's mask and personality's values are stated, not left out.
  const gaps = await s.page.textContent('#decompile-gaps');
  assert.match(gaps, /x86_64 \(other numbers\): .*default action ERRNO\(EPERM\)/);
  assert.doesNotMatch(gaps, /x86_64 (clone|personality):/);
  const before = new Map();
  const calls = [...CALLS, 'clone(SIGCHLD)', 'clone(CLONE_NEWUSER|SIGCHLD)'];
  for (const c of calls) {
    await simulate(s.page, c);
    await s.page.waitForFunction(() => /return 0x/.test(document.querySelector('#result .meta')?.textContent ?? ''));
    before.set(c, (await s.page.textContent('#verdict')).trim());
  }
  await s.page.click('#open-as-profile');
  await s.page.waitForFunction(() => /^Compiled:/.test(document.querySelector('#profile-status')?.textContent ?? ''), null, { timeout: 30_000 });
  assert.match(await s.page.inputValue('#profile-text'), /"defaultAction"/);
  // A profile again: runc and Docker load it, so their controls are back.
  for (const id of ['privileged', 'enosys', 'runtime', 'libseccomp']) {
    assert.ok(!(await s.page.isDisabled(`#${id}`)), `#${id} is enabled for a profile`);
  }
  assert.equal(await s.page.$('#installer-note'), null);
  for (const c of calls) {
    await simulate(s.page, c);
    await s.page.waitForFunction(([w]) => (document.querySelector('#verdict')?.textContent ?? '').trim() === w
      && /decided at line/.test(document.querySelector('#result .meta')?.textContent ?? ''), [before.get(c)], { timeout: 10_000 })
      .catch(async () => { throw new Error(`${c}: wanted ${before.get(c)}, got ${await s.page.textContent('#verdict')}`); });
  }
  await saveScreenshot(s.page, 'raw-decompiled-profile', { fullPage: false });
});

test('an error in the second filter of a stack is located in the whole text', async () => {
  await paste('ld [0]\nret #0x7fff0000\n---\nld [0]\nbogus #1\n');
  await s.page.waitForFunction(() => /^5:1: .*filter 1 of 2/.test(document.querySelector('#editor-error')?.textContent ?? ''));
});
