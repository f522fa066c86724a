// Issue 14 end to end: the wrong answers it found (each a regression test) and the first screen
// (the answer first, a keyboard path to a verdict, a loading shell, the preset's "custom" state,
// the share confirmation, Compare without rows that behave the same). Screenshots in target/e2e/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  openPage, saveScreenshot, cli, PAGE_CONTEXT, waitText as waitTextOn, simulate as simulateOn, showCaps, ROOT, appUrl,
} from './helpers.mjs';

const VIEW = { width: 1280, height: 800 };
let s;
before(async () => { s = await openPage({ waitFor: '#verdict', viewport: VIEW }); });
after(async () => { await s?.close(); });

const text = async (sel) => ((await s.page.textContent(sel)) ?? '').trim();
const waitText = (sel, want) => waitTextOn(s.page, sel, want);
const simulate = (call) => simulateOn(s.page, call);
const waitMatch = (sel, re) => s.page.waitForFunction(
  ([sel, src]) => new RegExp(src).test(document.querySelector(sel)?.textContent ?? ''), [sel, re.source], { timeout: 10_000 });

test('--privileged with Docker\'s built-in default runs unconfined; given explicitly, the profile decides', async () => {
  await s.page.selectOption('#preset', 'docker@29.4.3');
  assert.equal(await s.page.isChecked('#explicit'), false, 'the docker preset is the built-in default');
  await s.page.check('#privileged');
  for (const c of ['socket(AF_VSOCK, SOCK_STREAM, 0)', 'keyctl(0)', 'personality(PER_LINUX|ADDR_NO_RANDOMIZE)']) {
    await simulate(c);
    await waitText('#verdict', 'ALLOW');
    assert.match(await text('#explanation'), /No seccomp filter: --privileged/);
  }
  await saveScreenshot(s.page, 'privileged-unconfined');
  await s.page.check('#explicit');
  for (const c of ['socket(AF_VSOCK, SOCK_STREAM, 0)', 'keyctl(0)', 'personality(PER_LINUX|ADDR_NO_RANDOMIZE)']) {
    await simulate(c);
    await waitText('#verdict', 'ERRNO(EPERM)');
  }
  // The CLI decides the same with the same core code: the docker preset is its built-in default.
  const j = JSON.parse(cli(['simulate', 'docker', ...PAGE_CONTEXT, '--privileged', '--json', 'keyctl(0)']));
  assert.equal(j.results[0].ret, 0x7fff0000);
  await s.page.uncheck('#privileged');
  await s.page.uncheck('#explicit');
});

test('kernel versions as uname -r prints them; an invalid one gives no verdicts', async () => {
  await simulate('unshare(CLONE_NEWUSER)');
  for (const k of ['5.15.0-91-generic', '3.10.0-1160.el7', '4.7.0', '6']) {
    await s.page.fill('#kernel', k);
    await waitText('#verdict', 'ERRNO(EPERM)');
    assert.equal(await s.page.$('#context-error'), null, k);
  }
  await s.page.fill('#kernel', 'v6.1');
  await waitMatch('#call-error', /invalid kernel version "v6\.1"/);
  assert.equal(await s.page.$('#verdict'), null);
  assert.match(await text('#context-error'), /invalid kernel version/);
  await s.page.click('#tab-table');
  assert.match(await text('#table-none'), /context is invalid/);
  await saveScreenshot(s.page, 'kernel-invalid');
  await s.page.fill('#kernel', '6.1');
  await waitText('#verdict', 'ERRNO(EPERM)');
});

test('no constant-action cache before 5.11', async () => {
  await s.page.click('#tab-table');
  await waitMatch('#cache-note', /\d+ answered by the kernel's cache/);
  await s.page.fill('#kernel', '5.4');
  await waitMatch('#cache-note', /no constant-action cache before Linux 5\.11/);
  assert.equal(await s.page.locator('#syscall-table tbody td:nth-child(4):text-is("yes")').count(), 0);
  await s.page.fill('#kernel', '6.1');
  await waitMatch('#cache-note', /answered by the kernel's cache/);
});

test('labels and counts follow the actual outcome (runc\'s ENOSYS stub, per-action counts)', async () => {
  await s.page.click('#tab-table');
  await s.page.fill('#table-search', 'ENOSYS');
  const labels = await s.page.$$eval('#syscall-table tbody td.v', (t) => t.map((x) => x.textContent));
  assert.ok(labels.some((l) => l === "ERRNO(ENOSYS) (runc's ENOSYS stub)"), labels.join('|'));
  assert.ok(labels.every((l) => !/\(default\)/.test(l)), labels.join('|'));
  await s.page.fill('#table-search', '');
  assert.match(await text('#table-summary'), /blocked \(\d+ EPERM, \d+ ENOSYS\)$/);
  // The why column says what decided, and is searchable; conditions are symbolic.
  await s.page.fill('#table-search', 'requires CAP_SYS_ADMIN');
  assert.ok(await s.page.locator('#syscall-table tbody tr[data-name="unshare"] td.why').count() === 1);
  assert.match(await s.page.textContent('#syscall-table tbody tr[data-name="unshare"] td.why'), /default action .*requires CAP_SYS_ADMIN/);
  await s.page.fill('#table-search', 'socket');
  assert.match(await s.page.textContent('#syscall-table tbody tr[data-name="socket"] td.v'), /family < 0x26 \(AF_ALG\)/);
  await saveScreenshot(s.page, 'table-why');
  await s.page.fill('#table-search', '');
  // An allow-by-default profile does not read "blocked (ALLOW)".
  await s.page.fill('#profile-text', '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mount","umount2"],"action":"SCMP_ACT_ERRNO"}]}');
  await waitMatch('#table-summary', /2 blocked \(2 EPERM\)$/);
  await s.page.selectOption('#preset', 'docker@29.4.3');
});

test('names newer than libseccomp 2.5.x say that such hosts refuse them', async () => {
  await simulate('mseal(0, 0, 0)');
  await waitText('#verdict', 'ALLOW');
  assert.match(await text('#older-libseccomp'), /libseccomp 2\.5\.x .* do not know mseal/);
  await simulate('read(0)');
  await waitText('#verdict', 'ALLOW');
  assert.equal(await s.page.$('#older-libseccomp'), null);
  await s.page.click('#tab-table');
  assert.match(await text('#older-libseccomp-rows'), /newer than libseccomp 2\.5\.x/);
});

test('the answer comes first: a verdict in at most 5 Tab presses from load', async () => {
  const t = await openPage({ waitFor: '#verdict', viewport: VIEW });
  try {
    let presses = 0;
    while (presses < 5) {
      await t.page.keyboard.press('Tab');
      presses++;
      if (await t.page.evaluate(() => document.activeElement?.id === 'call')) break;
    }
    assert.equal(await t.page.evaluate(() => document.activeElement?.id), 'call', `after ${presses} Tab presses`);
    await t.page.keyboard.press('Control+A');
    await t.page.keyboard.type('mount(0, 0, 0, 0, 0)');
    await t.page.keyboard.press('Enter');
    await waitTextOn(t.page, '#verdict', 'ERRNO(EPERM)');
    console.log(`keyboard path to a verdict: ${presses} Tab presses`);
    // The answer is above the profile and the context; the capability grid is collapsed.
    const y = (sel) => t.page.$eval(sel, (e) => e.getBoundingClientRect().top);
    assert.ok(await y('#verdict') < await y('#profile-text'));
    assert.ok(await y('#verdict') < await y('#context'));
    assert.equal(await t.page.$eval('#caps', (d) => d.open), false);
    assert.match(await t.page.textContent('#caps-summary'), /Capabilities: 14 of 41/);
    assert.match(await t.page.textContent('#diagnostics-summary'), /Diagnostics: (\d+ \w+(, )?)+/);
    await saveScreenshot(t.page, 'first-screen', { fullPage: false });
    assert.deepEqual(t.errors, []);
  } finally { await t.close(); }
  const phone = await openPage({ waitFor: '#verdict', viewport: { width: 390, height: 844 } });
  try {
    const top = await phone.page.$eval('#verdict', (e) => e.getBoundingClientRect().bottom);
    assert.ok(top < 844, `the verdict is ${top}px down on a phone`);
    await saveScreenshot(phone.page, 'first-screen-phone', { fullPage: false });
  } finally { await phone.close(); }
});

test('a static loading shell and a favicon (no 404)', async () => {
  const html = await readFile(path.join(ROOT, 'dist', 'index.html'), 'utf8');
  assert.match(html, /id="loading"[\s\S]*seccplay[\s\S]*Loading the playground/);
  assert.match(html, /rel="icon" href="data:image\/svg\+xml/);
  const t = await openPage({ waitFor: '#verdict', viewport: VIEW });
  try {
    assert.equal(await t.page.$('#loading'), null, 'the shell is gone once the app runs');
    assert.ok(!t.requests.some((u) => /favicon/.test(u)), t.requests.join('\n'));
    assert.deepEqual(t.errors, []);
  } finally { await t.close(); }
  // The page before any script: the shell says what it is.
  const r = await fetch(appUrl());
  assert.match(await r.text(), /A seccomp playground/);
});

test('the preset selector says "custom" once edited, with a way back', async () => {
  await s.page.selectOption('#preset', 'docker@29.4.3');
  const docker = await s.page.inputValue('#profile-text');
  await s.page.fill('#profile-text', docker.replace('"defaultErrnoRet": 1,', '"defaultErrnoRet": 13,'));
  await s.page.waitForSelector('#preset-back');
  assert.equal(await s.page.inputValue('#preset'), '');
  assert.match(await s.page.$eval('#preset option[value=""]', (o) => o.textContent), /custom: edited Docker .*default/);
  await saveScreenshot(s.page, 'preset-custom');
  await s.page.click('#preset-back');
  await s.page.waitForFunction(() => !document.querySelector('#preset-back'));
  assert.equal(await s.page.inputValue('#preset'), 'docker@29.4.3');
  assert.equal(await s.page.inputValue('#profile-text'), docker);
});

test('sharing says the link was copied', async () => {
  await s.page.click('#share');
  await waitText('#share-status', '✓ Link copied');
  assert.match(await s.page.inputValue('#share-link'), /#s=[A-Za-z0-9_-]+$/);
});

test('Compare hides rows that behave the same and marks looser and tighter', async () => {
  await s.page.click('#tab-compare');
  await s.page.selectOption('#cmp-preset', 'podman@2026.03');
  await s.page.fill('#cmp-cap-add', '');
  await waitMatch('#cmp-directions', /B is looser on \d+, tighter on \d+/);
  const hidden = Number((await text('#cmp-directions')).match(/(\d+) more differ only/)[1]);
  const shown = await s.page.locator('#cmp-changes tbody tr').count();
  assert.ok(hidden > 0, 'Docker vs Podman has rows that only differ in what decided them');
  assert.equal(await s.page.locator('#cmp-changes tbody tr.same').count(), 0);
  await saveScreenshot(s.page, 'compare-podman');
  await s.page.check('#cmp-show-same');
  assert.equal(await s.page.locator('#cmp-changes tbody tr').count(), shown + hidden);
  await s.page.uncheck('#cmp-show-same');
  // With CAP_SYS_ADMIN added on B's side, unshare is looser.
  await s.page.selectOption('#cmp-preset', 'docker@29.4.3');
  await s.page.fill('#cmp-cap-add', 'SYS_ADMIN');
  await s.page.waitForSelector('#cmp-changes tbody tr[data-name="unshare"][data-direction="looser"]');
  await s.page.fill('#cmp-cap-add', '');
  await s.page.click('#tab-table');
});

test('no page errors', () => { assert.deepEqual(s.errors, []); });

test('lint\'s execve check is in the page\'s diagnostics too, in the CLI\'s words', async () => {
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const profile = '{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read","write","exit_group"],"action":"SCMP_ACT_ALLOW"}]}';
  const f = path.join(mkdtempSync(path.join(tmpdir(), 'seccplay-execve-')), 'p.json');
  writeFileSync(f, profile);
  const want = JSON.parse(cli(['lint', f, ...PAGE_CONTEXT, '--json'])).extra;
  assert.equal(want.length, 1, `lint's extra: ${want}`);
  await s.page.fill('#profile-text', profile);
  await waitMatch('#diagnostics-summary', /\d+ warnings?/);
  await s.page.$eval('#diagnostics-box', (d) => { d.open = true; });
  await s.page.waitForSelector('#diagnostics li[data-code="execve-blocked"]');
  const li = await s.page.textContent('#diagnostics li[data-code="execve-blocked"]');
  const message = want[0].replace(/^warning\[execve-blocked\]: /, '');
  assert.ok(li.includes(message), `page: ${li}\nCLI: ${message}`);
});

test('the review\'s notes (calls Docker\'s default refuses here) are in the page\'s diagnostics, in the CLI\'s words', async () => {
  const want = JSON.parse(cli(['lint', 'podman@2026.03', ...PAGE_CONTEXT, '--json'])).extra
    .filter((e) => e.startsWith('note[review-allowed]: '))
    .map((e) => e.replace(/^note\[review-allowed\]: /, ''));
  assert.ok(want.some((m) => m.startsWith('mount ')) && want.some((m) => m.startsWith('keyctl ')), `lint: ${want}`);
  await s.page.selectOption('#preset', 'podman@2026.03');
  await s.page.$eval('#diagnostics-box', (d) => { d.open = true; });
  await s.page.waitForFunction((n) => document.querySelectorAll('#diagnostics li[data-code="review-allowed"]').length === n, want.length);
  const lis = await s.page.$$eval('#diagnostics li[data-code="review-allowed"]', (ls) => ls.map((l) => l.textContent));
  for (const m of want) assert.ok(lis.some((l) => l.includes(m)), `page lacks: ${m}`);
  await s.page.selectOption('#preset', 'docker@29.4.3');
  await s.page.waitForFunction(() => document.querySelectorAll('#diagnostics li[data-code="review-allowed"]').length === 0);
});

test('a call the filter allows on a kernel that predates it: the kernel\'s ENOSYS, as the CLI and the Hosts matrix say', async () => {
  await s.page.selectOption('#preset', 'unconfined');
  await s.page.fill('#kernel', '5.4');
  await simulate('faccessat2(0, 0, 0, 0)');
  await waitMatch('#kernel-enosys', /Linux 5\.4 does not implement faccessat2 \(added in 5\.8\): ENOSYS from the kernel/);
  const j = JSON.parse(cli(['simulate', 'docker', '--host-arch', 'amd64', '--kernel', '5.4', '--privileged', '--json', 'faccessat2(0, 0, 0, 0)']));
  assert.equal(await text('#kernel-enosys'), `Then the kernel: ${j.results[0].kernel_enosys}.`);
  await s.page.fill('#kernel', '5.8');
  await simulate('faccessat2(0, 0, 0, 0)');
  await s.page.waitForFunction(() => document.querySelector('#kernel-enosys') === null);
  await s.page.fill('#kernel', '6.1');
});
