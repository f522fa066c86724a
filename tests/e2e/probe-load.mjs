// A probe, not a test (no timing is asserted anywhere): where a fresh load's time goes until the
// first verdict, for one or more served builds, loads interleaved in blocks so that they share
// the machine's load. Per load: the wasm downloaded, instantiation, the first verdict, the table
// rows (ms after navigation start) and the page's own analysis figure; then per build the median
// and the lowest three of "instantiated -> first verdict" (the part the page controls) and of the
// first verdict. With dist/ builds served (scripts/run.sh e2e serves one the same way):
//   URLS="main=http://127.0.0.1:8139/ branch=http://127.0.0.1:8137/" N=10 ROUNDS=2 \
//     node tests/e2e/probe-load.mjs
// Figures: docs/BENCHMARKS.md, "The first load under 250 KB, and what runs before the first verdict".
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from './helpers.mjs';

const urls = (process.env.URLS || `build=${process.env.APP_URL}`).split(/\s+/).filter(Boolean).map((p) => p.split('='));
const N = +(process.env.N || 5);
const ROUNDS = +(process.env.ROUNDS || 1);

// Installed before any page script: when the wasm is instantiated, the verdict and the rows appear.
const OBSERVE = () => {
  window.__seen = {};
  const mark = (k, ok) => { if (!(k in window.__seen) && ok()) window.__seen[k] = performance.now(); };
  new MutationObserver(() => {
    mark('verdict', () => document.getElementById('verdict'));
    mark('rows', () => document.querySelectorAll('#syscall-table tbody tr').length > 0);
  }).observe(document, { childList: true, subtree: true });
  for (const f of ['instantiate', 'instantiateStreaming']) {
    const orig = WebAssembly[f];
    WebAssembly[f] = async function (...a) {
      window.__seen.inst0 ??= performance.now();
      const r = await orig.apply(this, a);
      window.__seen.inst1 ??= performance.now();
      return r;
    };
  }
};

const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
const all = Object.fromEntries(urls.map(([name]) => [name, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, url] of urls) {
    for (let i = 0; i < N; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      await context.addInitScript(OBSERVE);
      const page = await context.newPage();
      await page.goto(url, { waitUntil: 'load' });
      await page.waitForFunction(() => window.__seen.rows !== undefined, null, { timeout: 30_000 });
      const r = await page.evaluate(() => {
        const w = performance.getEntriesByType('resource').find((e) => /seccplay-first-.*\.wasm$/.test(e.name));
        const a = document.querySelector('[data-analysis-ms]');
        const s = window.__seen;
        return { wasm: Math.round(w?.responseEnd), inst0: Math.round(s.inst0), inst1: Math.round(s.inst1),
          verdict: Math.round(s.verdict), rows: Math.round(s.rows), analysis: +(a?.dataset.analysisMs ?? NaN) };
      });
      all[name].push(r);
      console.log(name, JSON.stringify(r));
      await context.close();
    }
  }
}
await browser.close();
const sorted = (xs) => [...xs].sort((a, b) => a - b);
const median = (xs) => { const s = sorted(xs); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
for (const [name, rs] of Object.entries(all)) {
  const part = rs.map((r) => r.verdict - r.inst1);
  const verdict = rs.map((r) => r.verdict);
  console.log(`${name}: ${rs.length} loads; instantiated -> first verdict median ${median(part)} ms `
    + `(lowest ${sorted(part).slice(0, 3).join(', ')}); first verdict median ${median(verdict)} ms `
    + `(lowest ${sorted(verdict).slice(0, 3).join(', ')}); wasm downloaded median ${median(rs.map((r) => r.wasm))} ms; `
    + `analysis median ${median(rs.map((r) => r.analysis)).toFixed(1)} ms`);
}
