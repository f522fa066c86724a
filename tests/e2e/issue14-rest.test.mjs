// Issue 14, the rest: a keyboard-only path to a verdict on desktop and phone, explanations that
// open with one plain sentence and link every line they name, the table's filter and search in
// the share link, the Program tab's disassembly, one meaning of "worst", and an axe-core pass
// (no serious or critical violations). Screenshots in target/e2e/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { openPage, saveScreenshot, waitText as waitTextOn, simulate as simulateOn, ROOT } from './helpers.mjs';

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const AXE = path.join(ROOT, 'tests', 'e2e', 'node_modules', 'axe-core', 'axe.min.js');
const AXE_VERSION = JSON.parse(readFileSync(path.join(path.dirname(AXE), 'package.json'), 'utf8')).version;

let s;
before(async () => { s = await openPage({ waitFor: '#verdict', viewport: DESKTOP }); });
after(async () => { await s?.close(); });

const text = async (sel, page = s.page) => ((await page.textContent(sel)) ?? '').trim();

/** Presses Tab until the syscall field has the focus (at most 5), types a call, presses Enter. */
async function keyboardVerdict(page) {
  let presses = 0;
  while (presses < 5 && !(await page.evaluate(() => document.activeElement?.id === 'call'))) {
    await page.keyboard.press('Tab');
    presses++;
  }
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'call', `after ${presses} Tab presses`);
  await page.keyboard.press('Control+A');
  await page.keyboard.type('mount(0, 0, 0, 0, 0)');
  await page.keyboard.press('Enter');
  await waitTextOn(page, '#verdict', 'ERRNO(EPERM)');
  return presses;
}

test('keyboard only: a verdict in at most 5 Tab presses from load, desktop and phone', async () => {
  for (const [name, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
    const t = await openPage({ waitFor: '#verdict', viewport });
    try {
      const presses = await keyboardVerdict(t.page);
      console.log(`keyboard path to a verdict (${name} ${viewport.width}×${viewport.height}): ${presses} Tab presses`);
      const bottom = await t.page.$eval('#verdict', (e) => e.getBoundingClientRect().bottom);
      assert.ok(bottom < viewport.height, `${name}: the verdict is below the first screen (${bottom}px)`);
      await saveScreenshot(t.page, `keyboard-verdict-${name}`, { fullPage: false });
      assert.deepEqual(t.errors, []);
    } finally { await t.close(); }
  }
});

test('the explanation opens with one plain sentence, and every line it names is a link to that line', async () => {
  await s.page.selectOption('#preset', 'docker@29.4.3');
  await simulateOn(s.page, 'unshare(CLONE_NEWUSER)');
  await waitTextOn(s.page, '#verdict', 'ERRNO(EPERM)');
  assert.equal(await text('#headline'), 'Blocked: unshare needs CAP_SYS_ADMIN (line 633).');
  assert.ok((await text('#explanation')).startsWith('Blocked: unshare needs CAP_SYS_ADMIN (line 633). No rule allows unshare'));
  const links = await s.page.$$eval('#explanation .line-link', (ls) => ls.map((l) => [l.textContent, l.dataset.line]));
  assert.ok(links.length >= 2, JSON.stringify(links));
  // No "line N" in the explanation is left as plain text.
  const plain = await s.page.$eval('#explanation', (p) => {
    const c = p.cloneNode(true);
    c.querySelectorAll('.line-link').forEach((l) => l.remove());
    return c.textContent;
  });
  assert.doesNotMatch(plain, /line \d/);
  for (const [label, line] of links) {
    assert.match(label, new RegExp(`^line ${line}\\b`));
    await s.page.click(`#explanation .line-link[data-line="${line}"] >> nth=0`);
    // The editor has scrolled so that the line is in view.
    await s.page.waitForFunction((line) => {
      const ta = document.getElementById('profile-text');
      const lh = parseFloat(getComputedStyle(ta).lineHeight);
      const y = (line - 1) * lh;
      return ta.scrollTop > 0 && y >= ta.scrollTop - lh && y <= ta.scrollTop + ta.clientHeight;
    }, Number(line), { timeout: 5_000 });
  }
  await saveScreenshot(s.page, 'explanation-headline', { fullPage: false });
  // A call allowed by a rule says so first, with the rule's line.
  await simulateOn(s.page, 'read(0)');
  await waitTextOn(s.page, '#verdict', 'ALLOW');
  assert.match(await text('#headline'), /^Allowed: the profile's rule for read decides \(line \d+\)\.$/);
});

test('the table\'s filter and search are part of the share link', async () => {
  await s.page.click('#tab-table');
  await s.page.selectOption('#table-filter', 'blocked');
  await s.page.fill('#table-search', 'mount');
  const shown = await s.page.$$eval('#syscall-table tbody tr', (rs) => rs.map((r) => r.dataset.name));
  assert.ok(shown.includes('mount') && !shown.includes('read'), shown.join(','));
  await s.page.click('#share');
  await waitTextOn(s.page, '#share-status', '✓ Link copied');
  const link = await s.page.inputValue('#share-link');
  const t = await openPage({ url: link, waitFor: '#syscall-table', viewport: DESKTOP });
  try {
    assert.equal(await t.page.inputValue('#table-filter'), 'blocked');
    assert.equal(await t.page.inputValue('#table-search'), 'mount');
    const again = await t.page.$$eval('#syscall-table tbody tr', (rs) => rs.map((r) => r.dataset.name));
    assert.deepEqual(again, shown);
  } finally { await t.close(); }
  await s.page.selectOption('#table-filter', 'all');
  await s.page.fill('#table-search', '');
});

test('the Program tab shows the program; "worst" is the table\'s worst case everywhere', async () => {
  await s.page.selectOption('#preset', 'docker@29.4.3');
  await s.page.click('#tab-table');
  await s.page.waitForSelector('#syscall-table tbody tr');
  const worstCol = await s.page.$$eval('#syscall-table thead th', (th) => th.findIndex((h) => h.textContent === 'worst'));
  assert.ok(worstCol >= 0);
  assert.match(await s.page.$eval(`#syscall-table thead th:nth-child(${worstCol + 1})`, (h) => h.title), /worst case: the most instructions .* over every argument value/);
  const worst = Math.max(...await s.page.$$eval(`#syscall-table tbody td:nth-child(${worstCol + 1})`,
    (tds) => tds.map((td) => Number(td.textContent || 0))));
  await s.page.click('#tab-program');
  await s.page.waitForSelector('#prog-disasm li');
  const n = Number(await text('#prog-insns'));
  assert.equal(await s.page.locator('#prog-disasm li').count(), n);
  assert.match(await text('#prog-disasm'), /ld \[?.*arch|ret/);
  assert.equal(Number(await text('#prog-worst')), worst, 'the Program tab\'s worst is the largest of the table\'s worst column');
  await saveScreenshot(s.page, 'program-tab');
});

/** Runs axe-core on the page; returns the serious and critical violations (id: targets). */
async function axe(page) {
  await page.addScriptTag({ path: AXE });
  const r = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const res = await axe.run(document, { resultTypes: ['violations'] });
    return res.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) }));
  });
  return r.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

test('axe-core: no serious or critical violations (every tab, desktop and phone)', async () => {
  const found = [];
  for (const [name, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
    const t = await openPage({ waitFor: '#verdict', viewport });
    try {
      await t.page.waitForSelector('#syscall-table tbody tr');
      const tabs = await t.page.$$eval('[role=tab]', (ts) => ts.map((b) => b.id.replace(/^tab-/, '')));
      assert.ok(tabs.length >= 5, tabs.join(','));
      for (const tab of tabs) {
        await t.page.click(`#tab-${tab}`);
        await t.page.waitForSelector(`#panel-${tab}`);
        for (const v of await axe(t.page)) found.push({ where: `${name}, ${tab} tab`, ...v });
      }
      await saveScreenshot(t.page, `axe-${name}`);
    } finally { await t.close(); }
  }
  console.log(`axe-core ${AXE_VERSION}: ${found.length} serious or critical violations over 2 viewports × every tab`);
  assert.deepEqual(found, [], JSON.stringify(found, null, 1));
});

test('no page errors', () => { assert.deepEqual(s.errors, []); });
