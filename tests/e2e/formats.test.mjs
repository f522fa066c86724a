// Every policy format in the editor (issue 19): a Kubernetes SeccompProfile, a systemd unit, a
// Firecracker/seccompiler filter and an LXC policy are each pasted into the editor (a paste: the
// text inserted at the caret after selecting all), the page says which format it read (with
// systemd's release for the unit), and its verdicts equal the seccplay-native CLI's for the same
// file in the page's context. The CLI and the page both read through frontend::read_one.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { openPage, saveScreenshot, cli, PAGE_CONTEXT, simulate, ROOT } from './helpers.mjs';

let s;
before(async () => { s = await openPage({ waitFor: '#verdict', viewport: { width: 1280, height: 800 } }); });
after(async () => { await s?.close(); });

const FORMATS = [
  {
    name: 'SeccompProfile YAML', file: 'refdata/profiles/security-profiles-operator/examples/seccompprofile.yaml',
    read: /Read as: Kubernetes SeccompProfile/, calls: ['read(0, 0, 0)', 'getpid()'],
  },
  {
    name: 'systemd unit', file: 'fuzz/corpus/text_policies/hand-systemd-demo.service',
    read: /Read as: systemd unit .*systemd 252 \(252\.38-1~deb12u1\)/, calls: ['mount(0, 0, 0, 0, 0)', 'setpriority(0, 0, 0)', 'reboot(0)', 'read(0, 0, 0)'],
  },
  {
    name: 'Firecracker JSON', file: 'refdata/firecracker/x86_64-unknown-linux-musl.json',
    read: /Read as: Firecracker \/ seccompiler/, calls: ['read(0, 0, 0)', 'mount(0, 0, 0, 0, 0)', 'ioctl(0, 0x5401)'],
  },
  {
    name: 'LXC policy', file: 'refdata/profiles/lxc/common.seccomp',
    read: /Read as: LXC seccomp policy/, calls: ['kexec_load(0, 0, 0, 0)', 'umount2(0, 1)', 'umount2(0, 2)', 'read(0, 0, 0)'],
  },
];

/** The CLI's verdict label for `call` under the file (its first line: "CALL on x86_64: LABEL ..."). */
function cliLabel(file, call) {
  const out = cli(['simulate', path.join(ROOT, file), ...PAGE_CONTEXT, call]);
  const m = out.split('\n')[0].match(/ on x86_64: (\S+)/);
  assert.ok(m, out);
  return m[1];
}

/** Pastes `text` as the editor's whole content. */
async function paste(text) {
  await s.page.focus('#profile-text');
  await s.page.keyboard.press('Control+A');
  await s.page.keyboard.insertText(text);
  await s.page.waitForFunction((t) => document.querySelector('#profile-text').value === t, text);
}

for (const f of FORMATS) {
  test(`paste a ${f.name}: the page says what it read and decides like the CLI`, async () => {
    const text = readFileSync(path.join(ROOT, f.file), 'utf8');
    await paste(text);
    await s.page.waitForFunction((re) => new RegExp(re).test(document.querySelector('#format-read')?.textContent ?? ''),
      f.read.source, { timeout: 20_000 });
    for (const call of f.calls) {
      const want = cliLabel(f.file, call);
      await simulate(s.page, call);
      await s.page.waitForFunction(([want]) => (document.querySelector('#verdict')?.textContent ?? '').trim() === want,
        [want], { timeout: 20_000 }).catch(async () => {
        throw new Error(`${f.name}, ${call}: the CLI says ${want}, the page ${(await s.page.textContent('#verdict'))?.trim()}`);
      });
    }
    await saveScreenshot(s.page, `format-${f.file.split('/').pop()}`);
  });
}

test('a raw program is not read as a policy', async () => {
  const raw = cli(['compile', 'docker', ...PAGE_CONTEXT, '--format', 'hex']);
  await paste(raw);
  await s.page.waitForFunction(() => /raw BPF program/.test(document.querySelector('#profile-status')?.textContent ?? ''));
  assert.equal(await s.page.$('#format-read'), null);
});

test('no page errors', () => { assert.deepEqual(s.errors, []); });
