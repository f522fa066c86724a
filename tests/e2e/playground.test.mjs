// The playground end to end, on the served release build in headless Chromium: each step is
// asserted on the page, and each view is saved under target/e2e/.
//
// The table is compared with the CLI's: `seccplay-native table docker --json` in the page's
// context (amd64, kernel 6.1, runc, Docker's default capabilities), then with --cap-add SYS_ADMIN
// against the page with CAP_SYS_ADMIN ticked: the same counts, summary and syscall names.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  openPage, saveScreenshot, isLocal, cli, PAGE_CONTEXT, waitText as waitTextOn, simulate as simulateOn, showCaps,
} from './helpers.mjs';

const VIEW = { width: 1280, height: 800 };
let s;
before(async () => { s = await openPage({ waitFor: '#verdict', viewport: VIEW }); });
after(async () => { await s?.close(); });

const text = async (sel) => ((await s.page.textContent(sel)) ?? '').trim();
const waitText = (sel, want, page = s.page) => waitTextOn(page, sel, want);
const simulate = (call) => simulateOn(s.page, call);

/** The table as the page shows it (all rows, no search). */
async function pageTable() {
  await s.page.click('#tab-table');
  await s.page.selectOption('#table-filter', 'all');
  await s.page.fill('#table-search', '');
  return s.page.evaluate(() => {
    const names = (kind) => [...document.querySelectorAll(`#syscall-table tbody tr.${kind}`)].map((r) => r.dataset.name);
    const num = (id) => Number(document.querySelector(id).textContent);
    return {
      summary: document.querySelector('#table-summary').textContent.trim(),
      allowed: num('#count-allowed'), conditional: num('#count-conditional'), blocked: num('#count-blocked'),
      names: { allowed: names('allowed'), conditional: names('conditional'), blocked: names('blocked') },
    };
  });
}

/** The same from `seccplay-native table docker --json` in the page's context plus `extra`. */
function cliTable(extra = []) {
  const j = JSON.parse(cli(['table', 'docker', ...PAGE_CONTEXT, ...extra, '--json']));
  const names = (kind) => j.rows.filter((r) => r.verdict.kind === kind).map((r) => r.name);
  return {
    summary: j.summary, allowed: j.allowed, conditional: j.conditional, blocked: j.blocked,
    names: { allowed: names('Allowed'), conditional: names('Conditional'), blocked: names('Blocked') },
  };
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
  await s.page.selectOption('#preset', 'docker@29.4.3');
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
  await showCaps(s.page);
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

test("the table's counts and blocked syscalls are the CLI's `table` for the same context", async () => {
  const want = cliTable();
  assert.ok(want.blocked > 0);
  const got = await pageTable();
  assert.deepEqual(got, want);
  console.log(`table, default context: page and CLI agree: ${got.summary}`);
  assert.equal(await s.page.locator('#syscall-table tbody tr').count(), got.allowed + got.conditional + got.blocked);
  await saveScreenshot(s.page, 'table');
  // The filter and the search act on those rows.
  await s.page.selectOption('#table-filter', 'blocked');
  assert.equal(await s.page.locator('#syscall-table tbody tr').count(), got.blocked);
  await s.page.fill('#table-search', 'unshare');
  assert.equal(await s.page.locator('#syscall-table tbody tr').count(), 1);
  await s.page.fill('#table-search', '');
  await s.page.selectOption('#table-filter', 'all');
  // A second context: + CAP_SYS_ADMIN.
  const wantAdmin = cliTable(['--cap-add', 'SYS_ADMIN']);
  assert.ok(wantAdmin.blocked < want.blocked, `${wantAdmin.summary} vs ${want.summary}`);
  await s.page.check('#cap-CAP_SYS_ADMIN');
  await waitText('#table-summary', wantAdmin.summary);
  assert.deepEqual(await pageTable(), wantAdmin);
  console.log(`table, + CAP_SYS_ADMIN: page and CLI agree: ${wantAdmin.summary}`);
  await s.page.uncheck('#cap-CAP_SYS_ADMIN');
  await waitText('#table-summary', want.summary);
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
  // No program: every view says so rather than showing verdicts.
  assert.match(await text('#call-error'), /refused.*no program/);
  assert.equal(await s.page.$('#verdict'), null);
  await s.page.click('#tab-table');
  assert.match(await text('#table-none'), /refused.*no program/);
  assert.equal(await s.page.$('#syscall-table'), null);
  await saveScreenshot(s.page, 'broken');
  await s.page.click('#tab-program');
  assert.match(await text('#program-none'), /refused/);
  await s.page.click('#tab-step');
  assert.match(await text('#trace-error'), /refused/);
  await s.page.click('#tab-compare');
  assert.match(await text('#cmp-none'), /^A: The profile is refused/);
  await s.page.click('#tab-table');
  await s.page.fill('#profile-text', '{\n  "defaultAction": "SCMP_ACT_ERRNO",\n  "syscalls": [ { "names": ["read"] "action": "SCMP_ACT_ALLOW" } ]\n}\n');
  await s.page.waitForFunction(() => /^3:/.test(document.querySelector('#editor-error')?.textContent ?? ''));
});

test('compile as you type: Docker\'s default profile, edited (timing reported)', async () => {
  await s.page.selectOption('#preset', 'docker@29.4.3');
  await waitText('#verdict', 'ERRNO(EPERM)');
  // (The editor may show the preset's text a render after the verdict: wait for it.)
  await s.page.waitForFunction(() => /"defaultErrnoRet": 1,/.test(document.getElementById('profile-text').value));
  const docker = await s.page.inputValue('#profile-text');
  assert.match(docker, /"defaultErrnoRet": 1,/);
  const analysis = [];
  const table = [];
  for (let i = 0; i < 12; i++) {
    // Alternate the default errno: unshare(CLONE_NEWUSER) falls to it, so the verdict flips.
    const [errno, name] = i % 2 ? [1, 'EPERM'] : [13, 'EACCES'];
    await s.page.fill('#profile-text', docker.replace('"defaultErrnoRet": 1,', `"defaultErrnoRet": ${errno},`));
    await waitText('#verdict', `ERRNO(${name})`);
    const st = await s.page.$('#profile-status');
    analysis.push(Number(await st.getAttribute('data-analysis-ms')));
    table.push(Number(await st.getAttribute('data-table-ms')));
  }
  const median = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];
  assert.ok(analysis.every((x) => Number.isFinite(x)) && table.every((x) => Number.isFinite(x)));
  console.log(`compile as you type, Docker's default profile (x86_64): analysis median ${median(analysis)} ms `
    + `(max ${Math.max(...analysis)}), table median ${median(table)} ms (max ${Math.max(...table)}), 12 edits`);
  await s.page.selectOption('#preset', 'docker@29.4.3');
  await waitText('#verdict', 'ERRNO(EPERM)');
});

test('a raw BPF program can be pasted instead of a profile', async () => {
  await s.page.fill('#profile-text', '06 00 00 00 01 00 05 00'); // ret ERRNO(1)
  await s.page.waitForFunction(() => /raw BPF program \(Hex, 1 instructions\)/.test(document.querySelector('#profile-status')?.textContent ?? ''));
  await waitText('#verdict', 'ERRNO(EPERM)');
});

test('a shared link reproduces the result in a fresh page', async () => {
  await s.page.selectOption('#preset', 'docker@29.4.3');
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
