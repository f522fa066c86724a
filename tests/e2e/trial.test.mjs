// The playground with the keyboard only, and on a phone (375×812, isMobile): the skip link is
// the first tab stop, the panel tabs are a WAI-ARIA tab list (one tab stop, arrows/Home/End move
// and activate), the constants of an argument are one tab stop (a toolbar), and no main panel
// (Hosts with a matrix included) is wider than the phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, saveScreenshot, simulate } from './helpers.mjs';

const PHONE = { width: 375, height: 812 };
let s;
before(async () => {
  s = await openPage({ waitFor: '#verdict', viewport: { width: 1000, height: 700 } });
});
after(async () => { await s?.close(); });

/** id (or tag) of the focused element, and its role. */
const focused = (page) => page.evaluate(() => {
  const a = document.activeElement;
  return { id: a?.id || a?.tagName, role: a?.getAttribute('role'), text: a?.textContent.trim() };
});
/** Waits until the element with this id has the focus (a tab that needs the full build is
 *  focused again once that build has taken over the page). */
const focusOn = (page, id) => page.waitForFunction((id) => document.activeElement?.id === id, id, { timeout: 20_000 })
  .catch(async () => { throw new Error(`focus: wanted #${id}, got ${JSON.stringify(await focused(page))}`); });
const selectedTab = (page) => page.$eval('[role=tab][aria-selected=true]', (t) => t.id);

test('the first tab stop is the skip link, shown when focused; it moves to the selected tab', async () => {
  const p = s.page;
  await p.evaluate(() => document.activeElement?.blur());
  await p.keyboard.press('Tab');
  const f = await focused(p);
  assert.deepEqual([f.id, f.text], ['skip', 'Skip to the panels']);
  const box = await p.locator('#skip').boundingBox();
  assert.ok(box && box.x >= 0 && box.y >= 0, `the focused skip link is on screen: ${JSON.stringify(box)}`);
  await saveScreenshot(p, 'trial-skip', { fullPage: false });
  await p.keyboard.press('Enter');
  const sel = await selectedTab(p);
  assert.equal((await focused(p)).id, sel);
  // Off screen again once the focus has left it.
  const gone = await p.locator('#skip').boundingBox();
  assert.ok(gone.x + gone.width < 0, `the skip link hides when not focused: ${JSON.stringify(gone)}`);
});

test('the panel tabs: a tab list with one tab stop; arrows, Home and End move and activate', async () => {
  const p = s.page;
  const tabs = await p.getByRole('tablist').getByRole('tab').all();
  assert.ok(tabs.length >= 8, `${tabs.length} tabs`);
  // One tab stop: only the selected tab has tabindex 0.
  const stops = await p.$$eval('[role=tab]', (ts) => ts.filter((t) => t.tabIndex === 0).map((t) => t.id));
  assert.deepEqual(stops, [await selectedTab(p)]);
  await p.click('#tab-table');
  await p.waitForSelector('#panel-table');
  await p.focus('#tab-table');
  await p.keyboard.press('ArrowRight');
  await focusOn(p, 'tab-step');
  assert.equal(await selectedTab(p), 'tab-step');
  await p.waitForSelector('#panel-step[role=tabpanel][aria-labelledby=tab-step]');
  assert.equal(await p.getAttribute('#tab-step', 'aria-controls'), 'panel-step');
  await p.keyboard.press('End');
  await focusOn(p, 'tab-about');
  await p.waitForSelector('#panel-about');
  await p.keyboard.press('ArrowRight'); // wraps to the first
  await focusOn(p, 'tab-table');
  await p.waitForSelector('#panel-table');
  await p.keyboard.press('ArrowLeft'); // wraps to the last
  assert.equal(await selectedTab(p), 'tab-about');
  await p.keyboard.press('Home');
  assert.equal(await selectedTab(p), 'tab-table');
  await p.waitForSelector('#panel-table');
  // Tab leaves the tab list for the panel (the panel itself is the next stop).
  await p.keyboard.press('Tab');
  assert.equal((await focused(p)).id, 'panel-table');
  // Shift+Tab comes back to the selected tab, not to the one before it.
  await p.keyboard.press('Shift+Tab');
  assert.equal((await focused(p)).id, 'tab-table');
  const stops2 = await p.$$eval('[role=tab]', (ts) => ts.filter((t) => t.tabIndex === 0).map((t) => t.id));
  assert.deepEqual(stops2, ['tab-table']);
});

test('the constants of an argument: one tab stop, arrows move, Enter inserts', async () => {
  const p = s.page;
  await simulate(p, 'unshare(');
  await p.waitForSelector('#constants[role=toolbar] button.chip');
  const n = await p.locator('#constants button').count();
  assert.ok(n > 3, `${n} constants`);
  await p.focus('#simulate-btn');
  // From the Simulate button, Tab reaches the first constant after the result's links, then
  // one more Tab leaves the group.
  const seen = [];
  for (let i = 0; i < 12; i++) {
    await p.keyboard.press('Tab');
    seen.push(await p.evaluate(() => document.activeElement.closest('#constants') ? 'chip' : document.activeElement.id));
    if (seen.at(-1) !== 'chip' && seen.includes('chip')) break;
  }
  assert.equal(seen.filter((x) => x === 'chip').length, 1, `tab stops: ${seen.join(', ')}`);
  // Back into the group; arrows move within it.
  await p.keyboard.press('Shift+Tab');
  const first = await p.evaluate(() => document.activeElement.textContent);
  await p.keyboard.press('ArrowRight');
  await p.keyboard.press('ArrowRight');
  const third = await p.evaluate(() => document.activeElement.textContent);
  assert.notEqual(third, first);
  assert.equal(third, await p.locator('#constants button').nth(2).textContent());
  assert.deepEqual(await p.$$eval('#constants button', (bs) => bs.filter((b) => b.tabIndex === 0).map((b) => b.textContent)), [third]);
  await p.keyboard.press('End');
  assert.equal(await p.evaluate(() => document.activeElement.textContent), await p.locator('#constants button').last().textContent());
  // The keys stay in the group: the tab list still has its one tab stop.
  assert.deepEqual(await p.$$eval('[role=tab]', (ts) => ts.filter((t) => t.tabIndex === 0).map((t) => t.getAttribute('aria-selected'))), ['true']);
  assert.equal(await p.$$eval('button:not([role=tab]):not(.chip)', (bs) => bs.filter((b) => b.tabIndex < 0).length), 0);
  await p.keyboard.press('Home');
  await p.keyboard.press('Enter');
  assert.equal(await p.inputValue('#call'), `unshare(${first})`);
  assert.equal((await focused(p)).id, 'call');
});

test('every form field has an accessible name', async () => {
  const p = s.page;
  for (const t of ['table', 'compare', 'audit', 'strace', 'hosts']) {
    await p.click(`#tab-${t}`);
    await p.waitForSelector(`#panel-${t}`);
    await p.waitForTimeout(300);
    const unnamed = await p.$$eval('input:not([type=hidden]):not(.hidden), select, textarea, button', (els) => els
      .filter((e) => e.offsetParent !== null || e.id === 'skip')
      .filter((e) => {
        const lab = e.labels && [...e.labels].some((l) => l.textContent.trim());
        return !(lab || e.getAttribute('aria-label') || e.getAttribute('aria-labelledby') || (e.tagName === 'BUTTON' && e.textContent.trim()));
      }).map((e) => `${e.tagName}#${e.id}`));
    assert.deepEqual(unnamed, [], `${t}: fields without a name`);
  }
});

test('a focus ring on the tabs, the chips, the panel and the scroll boxes', async () => {
  const p = s.page;
  await p.click('#tab-table');
  await p.focus('#tab-table');
  await p.keyboard.press('ArrowRight');
  await p.keyboard.press('ArrowLeft');
  for (const sel of ['#tab-table', '#panel-table', '#panel-table .scroll']) {
    await p.focus(sel);
    // (A programmatic focus after a key press counts as keyboard focus: :focus-visible.)
    const o = await p.$eval(sel, (e) => getComputedStyle(e).outlineStyle);
    assert.notEqual(o, 'none', `${sel} has no focus outline`);
  }
});

test('at 375 px on a phone no panel is wider than the screen; the Hosts matrix scrolls in its box', async () => {
  const t = await openPage({ waitFor: '#verdict', viewport: PHONE, mobile: true });
  try {
    const p = t.page;
    const over = () => p.evaluate(() => ({ sw: document.documentElement.scrollWidth, iw: window.innerWidth }));
    await simulate(p, 'unshare(CLONE_NEWUSER)');
    let o = await over();
    assert.ok(o.iw === PHONE.width && o.sw <= o.iw, `main: ${JSON.stringify(o)}`);
    for (const tab of ['table', 'step', 'program', 'compare', 'audit', 'strace', 'about', 'hosts']) {
      await p.click(`#tab-${tab}`);
      await p.waitForSelector(`#panel-${tab}`);
      if (tab === 'audit') await p.click('#audit-example');
      if (tab === 'hosts') {
        await p.fill('#mx-calls', 'unshare(CLONE_NEWUSER)\nclone3()\nsocket(AF_VSOCK)');
        await p.waitForFunction(() => document.querySelectorAll('#mx-table tbody tr').length === 3);
      }
      await p.waitForTimeout(300);
      o = await over();
      assert.ok(o.sw <= o.iw, `${tab}: the page is ${o.sw}px wide in ${o.iw}px`);
    }
    // The call column does not wrap per character: one line per call.
    const calls = await p.$$eval('#mx-table tbody th', (ths) => ths.map((th) => {
      const lh = parseFloat(getComputedStyle(th).lineHeight) || 20;
      return { text: th.textContent.trim(), lines: Math.round(th.querySelector('code').getBoundingClientRect().height / lh) };
    }));
    for (const c of calls) assert.ok(c.lines <= 1, `${c.text} wraps over ${c.lines} lines`);
    await p.waitForSelector('#mx-table');
    const box = await p.$eval('#mx-table', (t) => { const sc = t.closest('.scroll'); return { table: t.scrollWidth, box: sc.clientWidth, overflowX: getComputedStyle(sc).overflowX }; });
    assert.ok(box.table > box.box && ['auto', 'scroll'].includes(box.overflowX), `the matrix scrolls in its box: ${JSON.stringify(box)}`);
    await p.locator('#mx-table').scrollIntoViewIfNeeded();
    await saveScreenshot(p, 'trial-phone-hosts', { fullPage: false });
    // The context's labels stay on the line of their field.
    const pairs = await p.$$eval('#context label[for]', (ls) => ls.map((l) => {
      const f = document.getElementById(l.htmlFor);
      const a = l.getBoundingClientRect(), b = f.getBoundingClientRect();
      return { label: l.textContent, dy: Math.abs((a.top + a.bottom) / 2 - (b.top + b.bottom) / 2), right: b.right };
    }));
    for (const x of pairs) {
      assert.ok(x.dy < 8, `label ${x.label} is ${x.dy}px off its field's line`);
      assert.ok(x.right <= PHONE.width, `the ${x.label} field ends at ${x.right}px`);
    }
    await p.locator('#context').scrollIntoViewIfNeeded();
    await saveScreenshot(p, 'trial-phone-context', { fullPage: false });
    assert.deepEqual(t.errors, []);
  } finally { await t.close(); }
});

test('no page errors', async () => {
  assert.deepEqual(s.errors, []);
});
