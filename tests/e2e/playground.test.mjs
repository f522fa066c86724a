// The playground end to end, on the served release build in headless Chromium: each step is
// asserted on the page, and each view is saved under target/e2e/.
//
// The table's blocked count: the wasm-bindgen test `app_mounts_and_shows_the_core_counts`
// (web/tests/web.rs) checks that the page shows the core's own count for Docker's default profile
// on x86_64 in the default context; here we check that the count equals the rows the page's own
// table marks as blocked, and that the filter agrees. (No CLI `table --json` exists yet.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, saveScreenshot, isLocal } from './helpers.mjs';

const VIEW = { width: 1280, height: 800 };
let s;
before(async () => { s = await openPage({ waitFor: '#verdict', viewport: VIEW }); });
after(async () => { await s?.close(); });

const text = async (sel) => ((await s.page.textContent(sel)) ?? '').trim();
async function waitText(sel, want, page = s.page) {
  await page.waitForFunction(
    ([sel, want]) => (document.querySelector(sel)?.textContent ?? '').trim() === want,
    [sel, want], { timeout: 10_000 },
  ).catch(async () => {
    throw new Error(`${sel}: wanted "${want}", got "${(await page.textContent(sel).catch(() => null))?.trim()}"`);
  });
}
async function simulate(call) {
  await s.page.fill('#call', call);
  await s.page.press('#call', 'Enter');
}

test('first render of the Docker preset with its table (timing reported)', async () => {
  const t = await openPage({ waitFor: null, viewport: VIEW });
  try {
    await t.page.waitForFunction(() => document.querySelectorAll('#syscall-table tbody tr').length > 300,
      null, { timeout: 30_000, polling: 'raf' });
    const ms = await t.page.evaluate(() => performance.now());
    console.log(`first render of the Docker preset with its table: ${ms.toFixed(0)} ms after navigation start`);
    assert.deepEqual(t.errors, []);
  } finally { await t.close(); }
});

test('loads and shows the Docker preset', async () => {
  assert.equal(await text('main#app h1'), 'seccplay');
  await s.page.selectOption('#preset', 'docker');
  assert.match(await s.page.inputValue('#profile-text'), /"defaultAction": "SCMP_ACT_ERRNO"/);
  assert.match(await text('#profile-status'), /Compiled: \d+ instructions for x86_64/);
  assert.match(await s.page.textContent('#offline-note'), /nothing is sent anywhere/);
});

test('unshare(CLONE_NEWUSER) is ERRNO(EPERM), with its rule highlighted', async () => {
  await simulate('unshare(CLONE_NEWUSER)');
  await waitText('#verdict', 'ERRNO(EPERM)');
  assert.match(await text('#errno-message'), /Operation not permitted/);
  assert.match(await text('#explanation'), /unshare/);
  const line = (await text('#rule-location')).match(/line (\d+)/)[1];
  assert.ok(await s.page.$(`.mark.m-rule[data-line="${line}"]`), `no rule mark at line ${line}`);
  assert.match(await text('#prototype'), /unshare\(unsigned long unshare_flags\)/);
  await saveScreenshot(s.page, 'simulate');
});

test('ticking CAP_SYS_ADMIN allows it', async () => {
  await s.page.check('#cap-CAP_SYS_ADMIN');
  await waitText('#verdict', 'ALLOW');
  await s.page.uncheck('#cap-CAP_SYS_ADMIN');
  await waitText('#verdict', 'ERRNO(EPERM)');
});

test('personality(0xffffffff) is allowed, personality(0x1234) is not', async () => {
  await simulate('personality(0xffffffff)');
  await waitText('#verdict', 'ALLOW');
  await simulate('personality(0x1234)');
  await waitText('#verdict', 'ERRNO(EPERM)');
});

test("the table's blocked count is the rows it shows as blocked", async () => {
  await s.page.click('#tab-table');
  await s.page.selectOption('#table-filter', 'all');
  const blocked = Number(await text('#count-blocked'));
  const allowed = Number(await text('#count-allowed'));
  const cond = Number(await text('#count-conditional'));
  assert.ok(blocked > 0);
  assert.equal(await s.page.locator('#syscall-table tbody tr.blocked').count(), blocked);
  assert.equal(await s.page.locator('#syscall-table tbody tr').count(), blocked + allowed + cond);
  assert.match(await text('#table-summary'), new RegExp(`^x86_64: \\d+ syscalls, ${allowed} allowed, ${cond} conditional, ${blocked} blocked`));
  await saveScreenshot(s.page, 'table');
  await s.page.selectOption('#table-filter', 'blocked');
  assert.equal(await s.page.locator('#syscall-table tbody tr').count(), blocked);
  await s.page.fill('#table-search', 'unshare');
  assert.equal(await s.page.locator('#syscall-table tbody tr').count(), 1);
  await s.page.fill('#table-search', '');
  await s.page.selectOption('#table-filter', 'all');
});

test('step through the program to its return', async () => {
  await simulate('personality(0x1234)');
  await s.page.click('#tab-step');
  await s.page.waitForSelector('#disasm li.current');
  assert.match(await text('#step-pos'), /^step 1 of \d+/);
  await s.page.click('#step-next');
  await s.page.waitForFunction(() => /^step 2 of/.test(document.querySelector('#step-pos')?.textContent ?? ''));
  assert.match(await text('#reg-a'), /^0x[0-9a-f]{8}$/);
  assert.ok(await s.page.locator('#disasm li.executed').count() > 2);
  await s.page.click('#step-return');
  await s.page.waitForSelector('#step-ret');
  assert.match(await text('#step-ret'), /ERRNO\(EPERM\)/);
  await saveScreenshot(s.page, 'step');
});

test('program figures and compare views', async () => {
  await s.page.click('#tab-program');
  assert.ok(Number(await text('#prog-insns')) > 10);
  await saveScreenshot(s.page, 'program');
  await s.page.click('#tab-compare');
  await s.page.selectOption('#cmp-preset', '');
  await s.page.fill('#cmp-cap-add', 'SYS_ADMIN');
  await s.page.waitForSelector('#cmp-changes tbody tr[data-name="unshare"]');
  assert.match(await text('#cmp-summary'), /changed/);
  await saveScreenshot(s.page, 'compare');
  await s.page.click('#tab-about');
  assert.match(await text('#about'), /\/proc\/self\/status/);
  await saveScreenshot(s.page, 'about');
  await s.page.click('#tab-table');
});

test('a broken profile shows the error at its line', async () => {
  const broken = '{\n  "defaultAction": "SCMP_ACT_ERRNO",\n  "syscalls": [ { "names": ["read"], "action": "SCMP_ACT_NOPE" } ]\n}\n';
  await s.page.fill('#profile-text', broken);
  await s.page.waitForSelector('#editor-error');
  assert.match(await text('#editor-error'), /^3:\d+/);
  assert.ok(await s.page.$('.mark.m-error[data-line="3"]'));
  assert.match(await text('#profile-status'), /refused/);
  await saveScreenshot(s.page, 'broken');
  await s.page.fill('#profile-text', '{\n  "defaultAction": "SCMP_ACT_ERRNO",\n  "syscalls": [ { "names": ["read"] "action": "SCMP_ACT_ALLOW" } ]\n}\n');
  await s.page.waitForFunction(() => /^3:/.test(document.querySelector('#editor-error')?.textContent ?? ''));
});

test('a raw BPF program can be pasted instead of a profile', async () => {
  await s.page.fill('#profile-text', '06 00 00 00 01 00 05 00'); // ret ERRNO(1)
  await waitText('#verdict', 'ERRNO(EPERM)');
  assert.match(await text('#profile-status'), /raw BPF program \(Hex, 1 instructions\)/);
});

test('a shared link reproduces the result in a fresh page', async () => {
  await s.page.selectOption('#preset', 'docker');
  await s.page.check('#cap-CAP_SYS_ADMIN');
  await simulate('unshare(CLONE_NEWUSER|CLONE_NEWNS)');
  await waitText('#verdict', 'ALLOW');
  await s.page.click('#share');
  const link = await s.page.inputValue('#share-link');
  assert.match(link, /#s=[A-Za-z0-9_-]+$/);
  const t = await openPage({ url: link, waitFor: '#verdict', viewport: VIEW });
  try {
    await waitText('#verdict', 'ALLOW', t.page);
    assert.equal(await t.page.inputValue('#call'), 'unshare(CLONE_NEWUSER|CLONE_NEWNS)');
    assert.ok(await t.page.isChecked('#cap-CAP_SYS_ADMIN'));
    assert.deepEqual(t.errors, []);
  } finally { await t.close(); }
  await s.page.uncheck('#cap-CAP_SYS_ADMIN');
  await simulate('unshare(CLONE_NEWUSER)');
  await waitText('#verdict', 'ERRNO(EPERM)');
  await saveScreenshot(s.page, 'playground');
});

test('works at phone width', async () => {
  const t = await openPage({ waitFor: '#verdict', viewport: { width: 390, height: 844 } });
  try {
    const overflow = await t.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `horizontal overflow ${overflow}px`);
    await saveScreenshot(t.page, 'phone');
  } finally { await t.close(); }
});

test('no page errors, no request leaves 127.0.0.1', async () => {
  assert.deepEqual(s.errors, []);
  assert.deepEqual(s.requests.filter((u) => !isLocal(u)), []);
});
