// The app shell, loaded from the served release build in headless Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, saveScreenshot, isLocal, coreTagline } from './helpers.mjs';

let s;
before(async () => { s = await openPage({ waitFor: '#verdict', viewport: { width: 1280, height: 800 } }); });
after(async () => { await s?.close(); });

test('shows the name and the tagline', async () => {
  assert.equal((await s.page.textContent('main#app h1')).trim(), 'seccplay');
  assert.equal((await s.page.textContent('main#app .tagline')).trim(), await coreTagline());
  assert.match(await s.page.title(), /seccplay/);
});

test('loads the wasm without errors', async () => {
  assert.ok(s.requests.some((u) => u.endsWith('.wasm')), `no .wasm among ${s.requests.join(', ')}`);
  assert.deepEqual(s.errors, []);
});

test('makes no request that leaves 127.0.0.1', async () => {
  assert.ok(s.requests.length > 0);
  assert.deepEqual(s.requests.filter((u) => !isLocal(u)), []);
});

test('screenshot', async () => {
  const file = await saveScreenshot(s.page, 'shell', { fullPage: false });
  console.log(`screenshot: ${file}`);
});
