// Shared helpers for the e2e tests (tests/e2e/*.test.mjs, run by `node --test tests/e2e/`).
//
//   import { appUrl, openPage, saveScreenshot } from './helpers.mjs';
//   const s = await openPage();            // headless Debian Chromium, fresh profile, page at APP_URL
//   ... s.page (playwright Page), s.requests (every URL requested), s.errors (page errors) ...
//   await saveScreenshot(s.page, 'name');  // -> target/e2e/name.png
//   await s.close();
//   cli(['table', 'docker', ...PAGE_CONTEXT, '--json'])  // the seccplay-native CLI's output
//
// APP_URL is set by `make e2e` / `make test` (scripts/run.sh serves dist/ on a free port of
// 127.0.0.1); by hand: APP_URL=http://127.0.0.1:8080/ node --test tests/e2e/ while `make serve` runs.
import { mkdir, readFile } from 'node:fs/promises';
import { existsSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const SHOTS = path.join(ROOT, 'target', 'e2e');

/** The page under test (APP_URL), e.g. http://127.0.0.1:41235/. */
export function appUrl() {
  const url = process.env.APP_URL;
  if (!url) throw new Error('APP_URL is not set: run `make e2e`, or set APP_URL to a served seccplay');
  return url;
}

/** `seccplay_core::TAGLINE`, read from the core's source so the tests follow it. */
export async function coreTagline() {
  const src = await readFile(path.join(ROOT, 'crates/seccplay-core/src/lib.rs'), 'utf8');
  const m = src.match(/pub const TAGLINE: &str =\s*"((?:[^"\\]|\\.)*)"/);
  if (!m) throw new Error('TAGLINE not found in crates/seccplay-core/src/lib.rs');
  return m[1].replace(/\\(.)/g, '$1');
}

/** Debian's Chromium (CHROMIUM overrides); never a Playwright-downloaded browser. */
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

/** Flags that keep headless Chromium quiet on a closed network. */
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** True for URLs that stay on this machine (or never touch the network). */
export function isLocal(url) {
  const u = new URL(url);
  if (['data:', 'blob:', 'about:'].includes(u.protocol)) return true;
  return u.hostname === '127.0.0.1';
}

/**
 * Launches Chromium (playwright's launch() gives it a fresh temporary user-data dir, removed on
 * close), opens APP_URL (or `url`) and waits for the app shell. Every request is recorded in
 * `requests`; requests that would leave 127.0.0.1 are recorded and aborted. Uncaught page errors
 * and console errors are collected in `errors`. `init` (a function) runs in the page before any of
 * its scripts. `mobile` emulates a phone (isMobile, hasTouch: the meta viewport applies).
 */
export async function openPage({ url = appUrl(), waitFor = 'main#app h1', viewport = { width: 1000, height: 560 }, init, mobile = false } = {}) {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  const context = await browser.newContext({ viewport, isMobile: mobile, hasTouch: mobile });
  const requests = [];
  const errors = [];
  await context.route('**/*', (route) => {
    const u = route.request().url();
    return isLocal(u) ? route.continue() : route.abort('blockedbyclient');
  });
  context.on('request', (req) => requests.push(req.url()));
  if (init) await context.addInitScript(init);
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  const close = () => browser.close();
  try {
    await page.goto(url, { waitUntil: 'load' });
    if (waitFor) await page.waitForSelector(waitFor, { timeout: 30_000 });
  } catch (e) {
    await close();
    throw e;
  }
  return { browser, context, page, requests, errors, close };
}

/** Saves a PNG screenshot of the page (whole, or the viewport) to target/e2e/<name>.png; returns its path. */
export async function saveScreenshot(page, name, { fullPage = true } = {}) {
  await mkdir(SHOTS, { recursive: true });
  const file = path.join(SHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage });
  return file;
}

/**
 * The seccplay-native binary the e2e compares the page with: SECCPLAY_CLI (scripts/run.sh sets
 * it after `cargo build -p seccplay-native`), else the newer of target/{debug,release}.
 */
export function cliPath() {
  const env = process.env.SECCPLAY_CLI;
  if (env) {
    if (!existsSync(env)) throw new Error(`SECCPLAY_CLI=${env} does not exist`);
    return env;
  }
  const found = ['debug', 'release'].map((d) => path.join(ROOT, 'target', d, 'seccplay-native'))
    .filter((p) => existsSync(p)).sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  if (!found.length) {
    throw new Error('the seccplay-native CLI is not built: run `cargo build -p seccplay-native` '
      + '(`make e2e` does), or set SECCPLAY_CLI to the binary');
  }
  return found[0];
}

/** Runs the CLI; returns its stdout (a string, or a Buffer with { binary: true }). */
export function cli(args, { binary = false, input } = {}) {
  return execFileSync(cliPath(), args, {
    encoding: binary ? 'buffer' : 'utf8', maxBuffer: 64 << 20, input,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** The page's default context (web/src/state.rs, State::default) as CLI flags. */
export const PAGE_CONTEXT = ['--host-arch', 'amd64', '--kernel', '6.1', '--runtime', 'runc'];

/** Waits until `sel`'s trimmed text equals `want` (10 s), else fails saying what it was. */
export async function waitText(page, sel, want) {
  await page.waitForFunction(
    ([sel, want]) => (document.querySelector(sel)?.textContent ?? '').trim() === want,
    [sel, want], { timeout: 10_000 },
  ).catch(async () => {
    throw new Error(`${sel}: wanted "${want}", got "${(await page.textContent(sel).catch(() => null))?.trim()}"`);
  });
}

/** Opens the collapsed capability grid (a click on its summary, as a person would). */
export async function showCaps(page) {
  if (!(await page.$eval('#caps', (d) => d.open))) await page.click('#caps-summary');
}

/** Types `call` in the syscall field and submits it. */
export async function simulate(page, call) {
  await page.fill('#call', call);
  await page.press('#call', 'Enter');
}
