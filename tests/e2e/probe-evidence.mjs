// A probe, not a test (no timing is asserted anywhere): how long the Audit records and strace
// log tabs take on 1 MiB of real evidence (the captures repeated up to the page's limit,
// model::evidence::MAX_EVIDENCE_BYTES), and the refusal just above it. With dist/ served:
//   APP_URL=http://127.0.0.1:PORT/ node tests/e2e/probe-evidence.mjs
// Figures: docs/RELIABILITY.md, "The playground's evidence tabs".
import { openPage, ROOT } from './helpers.mjs';
import { readFileSync } from 'node:fs';
const recs = readFileSync(ROOT + 'crates/seccplay-core/tests/data/evidence/dmesg.txt', 'utf8').split('\n').filter((l) => l.includes('type=1326')).join('\n') + '\n';
const st = readFileSync(ROOT + 'crates/seccplay-core/tests/data/evidence/python3-f-o.strace', 'utf8');
const upTo = (unit, n) => { let b = ''; while (b.length + unit.length <= n) b += unit; return b; };
const s = await openPage({ waitFor: '#verdict', viewport: { width: 1280, height: 900 } });
s.page.setDefaultTimeout(180000);
const probe = async (tab, input, sel, text) => {
  await s.page.click(`#tab-${tab}`);
  const t0 = Date.now();
  // As a paste: the value set and one input event (page.fill types into the field).
  await s.page.$eval(input, (el, t) => { el.value = t; el.dispatchEvent(new Event('input', { bubbles: true })); }, text);
  const t1 = Date.now();
  await s.page.waitForSelector(sel);
  console.log('PROBE', tab, text.length, 'bytes:', t1 - t0, 'ms in the input handler,', Date.now() - t0, 'ms to', sel, '—', (await s.page.textContent(sel)).slice(0, 100));
};
try {
  await probe('audit', '#audit-input', '#audit-counts', upTo(recs, 1 << 20));
  await probe('strace', '#strace-input', '#strace-counts', upTo(st, 1 << 20));
  await probe('audit', '#audit-input', '#audit-error', upTo(recs, (1 << 20) + 4096));
} catch (e) { console.log('PROBE error', String(e).slice(0, 200)); }
console.log('PROBE errors', s.errors);
await s.close();
