// The playground's size and speed, printed on every run (issue 14): each wasm's bytes (raw and
// gzip -9; the first-load and the full build), and from a fresh page load the first paint, the
// first verdict and the first table rows, each in ms after navigation start, and the time to
// the full build after a click. Nothing here asserts a time (timings depend on the
// machine): the figures are printed, docs/BENCHMARKS.md records them with the command.
// What is asserted: the first paint is the static shell (useful content before any wasm runs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { openPage, saveScreenshot, ROOT } from './helpers.mjs';

const RUNS = 3;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// Installed before any page script: records, in performance.now() ms, when the static shell, the
// first verdict and the first table rows appear in the DOM.
const OBSERVE = () => {
  window.__seen = {};
  const mark = (k, ok) => { if (!(k in window.__seen) && ok()) window.__seen[k] = performance.now(); };
  const check = () => {
    mark('shell', () => document.getElementById('loading'));
    mark('verdict', () => document.getElementById('verdict'));
    mark('rows', () => document.querySelectorAll('#syscall-table tbody tr').length > 0);
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true });
  // trunk's loader fires this once the wasm is instantiated and main() has returned.
  addEventListener('TrunkApplicationStarted', () => { window.__seen.started = performance.now(); });
};

test('size and speed figures (printed, not asserted)', async () => {
  const dist = path.join(ROOT, 'dist');
  // Two builds (web/src/boot.rs): the first-load one (hashed name) and the full page.
  const wasms = readdirSync(dist).filter((f) => f.endsWith('.wasm')).sort();
  assert.equal(wasms.length, 2, `two .wasm in dist/ (run \`make build\`), found ${wasms.join(', ')}`);
  for (const wasm of wasms) {
    const file = path.join(dist, wasm);
    const raw = readFileSync(file).length;
    const gz = execFileSync('gzip', ['-9', '-c', file], { maxBuffer: 64 << 20 }).length;
    const which = wasm.startsWith('seccplay-first') ? 'first-load build' : 'full build';
    console.log(`wasm (${which}): ${raw} B raw, ${gz} B gzip -9 (${wasm})`);
  }

  const runs = [];
  for (let i = 0; i < RUNS; i++) {
    const t = await openPage({ waitFor: null, viewport: { width: 1280, height: 800 }, init: OBSERVE });
    try {
      await t.page.waitForFunction(() => window.__seen?.verdict !== undefined, null, { timeout: 30_000 });
      // The table follows the verdict (it may be drawn a frame later).
      await t.page.waitForFunction(() => window.__seen?.rows !== undefined, null, { timeout: 30_000 });
      const r = await t.page.evaluate(() => {
        const paint = Object.fromEntries(performance.getEntriesByType('paint').map((e) => [e.name, e.startTime]));
        const w = performance.getEntriesByType('resource').find((e) => /seccplay-first-.*\.wasm$/.test(e.name));
        return { seen: window.__seen, fp: paint['first-paint'], fcp: paint['first-contentful-paint'], wasm: w?.responseEnd };
      });
      runs.push(r);
      // The first contentful paint came before the wasm had run: it was the static shell.
      assert.ok(r.seen.shell !== undefined, 'the static shell was in the page');
      assert.ok(r.fcp < r.seen.verdict, `first contentful paint ${r.fcp} ms after the verdict ${r.seen.verdict} ms`);
      if (i === 0) await saveScreenshot(t.page, 'speed-first-verdict', { fullPage: false });
      assert.deepEqual(t.errors, []);
    } finally { await t.close(); }
  }
  const f = (k) => median(runs.map(k)).toFixed(0);
  console.log(`first paint ${f((r) => r.fp)} ms, first contentful paint ${f((r) => r.fcp)} ms, `
    + `first verdict ${f((r) => r.seen.verdict)} ms, table rows ${f((r) => r.seen.rows)} ms `
    + `(after navigation start; median of ${RUNS} loads, release build, localhost)`);
  console.log(`  of which: wasm downloaded ${f((r) => r.wasm)} ms, instantiated and main() returned `
    + `${f((r) => r.seen.started)} ms`);

  // The full build after a click on a tab only it has (Audit records): once prefetched (the page idle
  // after the table), and at once when the verdict appears (nothing prefetched yet).
  const clicks = { prefetched: [], cold: [] };
  for (let i = 0; i < RUNS; i++) {
    for (const kind of ['prefetched', 'cold']) {
      const t = await openPage({ waitFor: '#verdict', viewport: { width: 1280, height: 800 } });
      try {
        if (kind === 'prefetched') {
          await t.page.waitForSelector('#syscall-table tbody tr');
          await t.page.waitForFunction(() => ['seccplay-web_bg.wasm', 'seccplay-web.js'].every((f) =>
            performance.getEntriesByType('resource').some((e) => new URL(e.name).pathname.endsWith(`/${f}`) && e.responseEnd > 0)), null, { timeout: 30_000 });
          await t.page.waitForTimeout(500); // the compile that follows the download
        }
        const t0 = await t.page.evaluate(() => performance.now());
        await t.page.click('#tab-audit');
        await t.page.waitForSelector('#audit-input', { timeout: 30_000 });
        clicks[kind].push(await t.page.evaluate(() => performance.now()) - t0);
        assert.deepEqual(t.errors, []);
      } finally { await t.close(); }
    }
  }
  console.log(`full build after a click on Audit records: ${median(clicks.prefetched).toFixed(0)} ms once prefetched, `
    + `${median(clicks.cold).toFixed(0)} ms when clicked as the verdict appears (median of ${RUNS})`);
});
