// The page in two builds (web/src/boot.rs): the first-load build shows the first screen, the
// full build is prefetched when the page is idle and takes over, with the same state and where
// the user was, on first use of anything the first one lacks; a link that needs it opens
// straight into it; after the prefetch the hand-off works offline (the panels' chunks load on
// use, and say so when they cannot).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, saveScreenshot, waitText, simulate, showCaps } from './helpers.mjs';

const VIEW = { width: 1280, height: 800 };
const FULL_WASM = 'seccplay-web_bg.wasm';
const isFull = (u) => u.endsWith(`/${FULL_WASM}`);
const isFirst = (u) => /\/seccplay-first-[0-9a-f]+_bg\.wasm$/.test(u);

// Records (performance.now() ms) when the verdict first appears, and whether the static shell
// said it was loading the full build.
const OBSERVE = () => {
  window.__seen = {};
  new MutationObserver(() => {
    if (!('verdict' in window.__seen) && document.getElementById('verdict')) window.__seen.verdict = performance.now();
    const st = document.querySelector('#loading #loading-status');
    if (st && /full playground/.test(st.textContent)) window.__seen.shellSaysFull = true;
  }).observe(document, { childList: true, subtree: true, characterData: true });
};

/** In the page: true once the full build's files have arrived (prefetched or loaded). */
const fullArrived = (w) => {
  const done = (suffix) => performance.getEntriesByType('resource')
    .some((e) => new URL(e.name).pathname.endsWith(suffix) && e.responseEnd > 0);
  return done(w) && done('/seccplay-web.js');
};

test('the first screen comes from the first-load build; the full build is prefetched after it', async () => {
  const t = await openPage({ waitFor: '#verdict', viewport: VIEW, init: OBSERVE });
  try {
    await t.page.waitForSelector('#syscall-table tbody tr');
    assert.ok(t.requests.some(isFirst), `no first-load wasm among ${t.requests.join(', ')}`);
    await t.page.waitForFunction(
      (w) => performance.getEntriesByType('resource').some((e) => e.name.endsWith(w)), FULL_WASM, { timeout: 30_000 });
    const [verdict, fetched] = await t.page.evaluate((w) => [
      window.__seen.verdict,
      performance.getEntriesByType('resource').find((e) => e.name.endsWith(w)).startTime,
    ], FULL_WASM);
    assert.ok(fetched > verdict, `the full build was requested at ${fetched} ms, before the verdict (${verdict} ms)`);
    // Prefetching does not switch builds: the first app still answers.
    await simulate(t.page, 'socket(AF_VSOCK, SOCK_STREAM, 0)');
    await waitText(t.page, '#verdict', 'ERRNO(EPERM)');
    assert.equal(await t.page.$('#loading-status'), null);
    assert.deepEqual(t.errors, []);
  } finally { await t.close(); }
});

test('hand-off to the full build keeps the text, the context, the call, the tab and the focus', async () => {
  const t = await openPage({ waitFor: '#verdict', viewport: VIEW });
  const p = t.page;
  try {
    await p.fill('#kernel', '5.15.0-91-generic');
    await showCaps(p);
    await p.check('#cap-CAP_SYS_ADMIN');
    await simulate(p, 'unshare(CLONE_NEWUSER|CLONE_NEWNS)');
    await waitText(p, '#verdict', 'ALLOW');
    // An edit of the profile, then at once (before the editor's pause) the Audit tab, which
    // only the full build has.
    const text = (await p.inputValue('#profile-text')).replace('"defaultErrnoRet": 1', '"defaultErrnoRet": 13');
    assert.notEqual(text, await p.inputValue('#profile-text'));
    await p.fill('#profile-text', text);
    await p.focus('#tab-audit');
    await p.keyboard.press('Enter');
    await p.waitForSelector('#audit-input', { timeout: 30_000 });
    assert.ok(t.requests.some(isFull), 'the full build was loaded');
    assert.equal(await p.inputValue('#profile-text'), text);
    assert.equal(await p.inputValue('#kernel'), '5.15.0-91-generic');
    assert.equal(await p.inputValue('#call'), 'unshare(CLONE_NEWUSER|CLONE_NEWNS)');
    assert.ok(await p.isChecked('#cap-CAP_SYS_ADMIN'), 'CAP_SYS_ADMIN still ticked');
    assert.ok(await p.$eval('#caps', (d) => d.open), 'the capabilities stay open');
    assert.equal(await p.getAttribute('#tab-audit', 'aria-selected'), 'true');
    await p.waitForFunction(() => document.activeElement?.id === 'tab-audit', null, { timeout: 10_000 });
    await waitText(p, '#verdict', 'ALLOW');
    // A call the profile does not list answers with the edited errno (13, EACCES).
    await simulate(p, 'kexec_load(0, 0, 0, 0)');
    await waitText(p, '#verdict', 'ERRNO(EACCES)');
    await saveScreenshot(p, 'split-handoff');
    assert.deepEqual(t.errors, []);
  } finally { await t.close(); }
});

test('a link whose state needs the full build opens straight into it', async () => {
  const unit = '[Service]\nSystemCallFilter=@system-service\nSystemCallErrorNumber=EPERM\n';
  const t = await openPage({ waitFor: '#verdict', viewport: VIEW });
  let link;
  try {
    await t.page.fill('#profile-text', unit);
    await t.page.waitForFunction(() => /systemd unit/.test(document.querySelector('#format-read')?.textContent ?? ''), null, { timeout: 30_000 });
    await t.page.click('#share');
    link = await t.page.inputValue('#share-link');
  } finally { await t.close(); }
  const u = await openPage({ url: link, waitFor: '#verdict', viewport: VIEW, init: OBSERVE });
  try {
    assert.equal(await u.page.inputValue('#profile-text'), unit);
    assert.match(await u.page.textContent('#format-read'), /systemd unit/);
    assert.ok(u.requests.some(isFull), 'the full build was loaded');
    assert.ok(await u.page.evaluate(() => window.__seen.shellSaysFull === true),
      'the static shell said it was loading the full build (the first app never mounted)');
    assert.deepEqual(u.errors, []);
  } finally { await u.close(); }
});

test('after the prefetch, the hand-off works offline; a chunk that cannot load says so, and loads when asked again', async () => {
  const t = await openPage({ waitFor: '#verdict', viewport: VIEW });
  try {
    await t.page.waitForSelector('#syscall-table tbody tr');
    await t.page.waitForFunction(fullArrived, FULL_WASM, { timeout: 30_000 });
    await t.page.context().setOffline(true);
    // The full build starts from the prefetched module; the Hosts tab's chunk loads on use
    // (web/src/lazy.rs), so offline it says that it did not load, in the panel.
    await t.page.click('#tab-hosts');
    await t.page.waitForSelector('#chunk-error', { timeout: 30_000 });
    await waitText(t.page, '#chunk-error', 'This part of the playground did not load (is the network down?). Choose the tab again, or reload the page, to try again.');
    assert.equal(await t.page.$('#mx-table'), null);
    // The main module answers without any chunk.
    await simulate(t.page, 'clone3()');
    await waitText(t.page, '#verdict', 'ERRNO(ENOSYS)');
    // Online again: choosing the tab again loads the chunk.
    await t.page.context().setOffline(false);
    await t.page.click('#tab-table');
    await t.page.click('#tab-hosts');
    await t.page.waitForSelector('#mx-table', { timeout: 30_000 });
    assert.ok(t.requests.some((u) => /\/full-[0-9a-f]{16}\/split_hosts\.wasm$/.test(u)),
      `split_hosts.wasm not among ${t.requests.join(', ')}`);
    // The only errors: the loader's report of the fetch that failed offline.
    const offline = (e) => /Failed to fetch|ERR_INTERNET_DISCONNECTED/.test(e);
    assert.ok(t.errors.some(offline), `no failed fetch reported: ${t.errors.join(' | ')}`);
    assert.deepEqual(t.errors.filter((e) => !offline(e)), []);
  } finally { await t.close(); }
});

test('the full build loads each panel\'s chunk on first use, and the reader of other formats when the text needs it', async () => {
  const t = await openPage({ waitFor: '#verdict', viewport: VIEW });
  const chunk = (name) => t.requests.some((u) => new RegExp(`/full-[0-9a-f]{16}/split_${name}\\.wasm$`).test(u));
  const loaded = () => ['compare', 'evidence', 'formats', 'hosts', 'raw', 'trace'].filter(chunk);
  try {
    // The Compare tab hands the page to the full build; its main module shows the verdict,
    // the table and the context, and only the Compare tab's chunk is fetched.
    await t.page.click('#tab-compare');
    await t.page.waitForSelector('#cmp-summary', { timeout: 30_000 });
    assert.ok(t.requests.some(isFull), 'the full build was loaded');
    assert.deepEqual(loaded(), ['compare']);
    await t.page.click('#tab-audit');
    await t.page.waitForSelector('#audit-input', { timeout: 30_000 });
    assert.deepEqual(loaded(), ['compare', 'evidence']);
    // Docker's JSON is read by the main module: no reader chunk for an edit of it.
    const text = (await t.page.inputValue('#profile-text')).replace('"defaultErrnoRet": 1', '"defaultErrnoRet": 13');
    await t.page.fill('#profile-text', text);
    await simulate(t.page, 'kexec_load(0, 0, 0, 0)');
    await waitText(t.page, '#verdict', 'ERRNO(EACCES)');
    assert.deepEqual(loaded(), ['compare', 'evidence']);
    // A systemd unit needs the reader of other formats: fetched, then the unit is read.
    await t.page.fill('#profile-text', '[Service]\nSystemCallFilter=@system-service\nSystemCallErrorNumber=EPERM\n');
    await t.page.waitForFunction(() => /systemd unit/.test(document.querySelector('#format-read')?.textContent ?? ''), null, { timeout: 30_000 });
    await simulate(t.page, 'reboot(0)');
    await waitText(t.page, '#verdict', 'ERRNO(EPERM)');
    assert.deepEqual(loaded(), ['compare', 'evidence', 'formats']);
    assert.deepEqual(t.errors, []);
  } finally { await t.close(); }
});

test('a preset the first build does not carry loads the full build with that preset', async () => {
  const t = await openPage({ waitFor: '#verdict', viewport: VIEW });
  try {
    await t.page.selectOption('#preset', 'podman@2026.03');
    await t.page.waitForFunction(() => /"defaultErrnoRet": 38/.test(document.querySelector('#profile-text')?.value ?? ''), null, { timeout: 30_000 });
    assert.ok(t.requests.some(isFull), 'the full build was loaded');
    assert.equal(await t.page.inputValue('#preset'), 'podman@2026.03');
    // Podman's default errno (ENOSYS) for a call it does not list; Docker's would be EPERM.
    await simulate(t.page, 'tuxcall()');
    await waitText(t.page, '#verdict', 'ERRNO(ENOSYS)');
    assert.deepEqual(t.errors, []);
  } finally { await t.close(); }
});
