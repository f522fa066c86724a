// 20 MB inputs (the reliability issue's hostile input) must not freeze the tab. Chromium alone
// needs tens of seconds to put 20 MB into a <textarea> and lay it out, so the page refuses such
// input before it reaches the editor: a paste, a dropped file and an opened file above 1 MiB are
// refused with a message, the editor keeps its text, and the page goes on answering.
// (No timing is asserted: each step waits for the page to show its outcome.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, saveScreenshot, waitText, simulate } from './helpers.mjs';

let s;
let docker;
before(async () => {
  s = await openPage({ waitFor: '#verdict', viewport: { width: 1280, height: 800 } });
  docker = await s.page.inputValue('#profile-text');
});
after(async () => { await s?.close(); });

const MB20 = 20 << 20;
/** A valid 20 MB profile: Docker's with a 20 MB comment. */
const valid = () => docker.replace(/^\{/, `{\n  "comment": "${'x'.repeat(MB20)}",`);
/** An invalid 20 MB profile: 20 MB of rules, cut short (no closing brackets). */
const invalid = () => {
  const rule = '    { "names": ["getpid"], "action": "SCMP_ACT_ALLOW", "args": [ { "index": 0, "value": 1, "op": "SCMP_CMP_EQ" } ] },\n';
  return `{\n  "defaultAction": "SCMP_ACT_ERRNO",\n  "syscalls": [\n${rule.repeat(Math.ceil(MB20 / rule.length))}`;
};

/** Dispatches a paste of `text` on the editor, as the browser does; returns defaultPrevented. */
const paste = (text) => s.page.evaluate((text) => {
  const dt = new DataTransfer();
  dt.setData('text/plain', text);
  const e = new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true });
  document.querySelector('#profile-text').dispatchEvent(e);
  return e.defaultPrevented;
}, text);

/** The page says why, the editor still holds Docker's profile, and the page still simulates. */
async function expectRefused(re, bytes) {
  await s.page.waitForSelector('#input-refused', { timeout: 60_000 });
  const msg = (await s.page.textContent('#input-refused')).trim();
  assert.match(msg, re);
  assert.match(msg, new RegExp(`is ${bytes} bytes \\(20 MiB\\): the playground analyses at most 1048576 bytes`));
  assert.equal(await s.page.inputValue('#profile-text'), docker);
  await simulate(s.page, 'personality(0x1234)');
  await waitText(s.page, '#verdict', 'ERRNO(EPERM)');
  await simulate(s.page, 'unshare(CLONE_NEWUSER)');
  await waitText(s.page, '#verdict', 'ERRNO(EPERM)');
}

/** A small edit clears the message (and shows that typing still works). */
async function clearByEditing() {
  await s.page.fill('#profile-text', docker.replace('"defaultErrnoRet": 1,', '"defaultErrnoRet": 13,'));
  await waitText(s.page, '#verdict', 'ERRNO(EACCES)');
  assert.equal(await s.page.$('#input-refused'), null);
  await s.page.fill('#profile-text', docker);
  await waitText(s.page, '#verdict', 'ERRNO(EPERM)');
}

test('a small paste goes through to the editor (not refused)', async () => {
  assert.equal(await paste('{"defaultAction": "SCMP_ACT_ALLOW"}'), false);
  assert.equal(await s.page.$('#input-refused'), null);
});

test('pasting a valid 20 MB profile is refused with a message; the page stays interactive', async () => {
  const big = valid();
  assert.equal(await paste(big), true);
  await expectRefused(/^The pasted text .* It was not pasted\.$/, Buffer.byteLength(big));
  await saveScreenshot(s.page, 'large-paste', { fullPage: false });
  await clearByEditing();
});

test('pasting an invalid 20 MB profile is refused with a message', async () => {
  const big = invalid();
  assert.equal(await paste(big), true);
  await expectRefused(/^The pasted text .* It was not pasted\.$/, Buffer.byteLength(big));
  await clearByEditing();
});

test('opening a 20 MB file is refused with a message', async () => {
  const big = Buffer.from(valid());
  await s.page.setInputFiles('#file-input', { name: 'huge.json', mimeType: 'application/json', buffer: big });
  await expectRefused(/^huge\.json .* It was not loaded\.$/, big.length);
  await clearByEditing();
});

test('dropping a 20 MB file is refused with a message', async () => {
  const dt = await s.page.evaluateHandle((n) => {
    const dt = new DataTransfer();
    dt.items.add(new File(['{"comment": "', 'x'.repeat(n), '"}'], 'dropped-huge.json', { type: 'application/json' }));
    return dt;
  }, MB20);
  await s.page.dispatchEvent('.editor', 'drop', { dataTransfer: dt });
  await expectRefused(/^dropped-huge\.json .* It was not loaded\.$/, MB20 + 15);
});

test('no page errors', () => { assert.deepEqual(s.errors, []); });
