// The context panel knows the host and the format (issues 18 and 14):
// 1. a libseccomp selector (the CLI's --libseccomp, the core's host::Libseccomp): a call whose
//    verdict depends on the version (x32's map_shadow_stack, unknown to 2.5.4; nr 0x400001c5 on
//    x86_64) gets the CLI's answer for both versions;
// 2. for formats whose filter no container runtime loads (systemd units, LXC policies,
//    Firecracker filters: the core's Format::own_installer) the Docker/runc controls are
//    disabled with who loads the filter, and the verdicts equal the CLI's with the same flags;
// 3. strict mode (the strict preset) says what `simulate strict` says.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { openPage, saveScreenshot, cli, PAGE_CONTEXT, simulate, ROOT } from './helpers.mjs';

let s;
before(async () => { s = await openPage({ waitFor: '#verdict', viewport: { width: 1280, height: 800 } }); });
after(async () => { await s?.close(); });

/** The CLI's verdict label (its first line: "CALL on ABI: LABEL ..."). */
function cliLabel(profile, flags, call) {
  const out = cli(['simulate', profile, ...PAGE_CONTEXT, ...flags, call]);
  const m = out.split('\n')[0].match(/ on \S+: (\S+)/);
  assert.ok(m, out);
  return m[1];
}

/** Waits until the page's verdict is `want`, else fails naming both. */
async function verdictIs(want, what) {
  await s.page.waitForFunction((w) => (document.querySelector('#verdict')?.textContent ?? '').trim() === w,
    want, { timeout: 20_000 }).catch(async () => {
    throw new Error(`${what}: the CLI says ${want}, the page ${(await s.page.textContent('#verdict'))?.trim()}`);
  });
}

/** Pastes `text` as the editor's whole content. */
async function paste(text) {
  await s.page.focus('#profile-text');
  await s.page.keyboard.press('Control+A');
  await s.page.keyboard.insertText(text);
  await s.page.waitForFunction((t) => document.querySelector('#profile-text').value === t, text);
}

const disabled = (sel) => s.page.$eval(sel, (e) => e.disabled);

test('the libseccomp selector gives the CLI answer for both versions', async () => {
  await s.page.selectOption('#preset', 'docker@29.4.3');
  assert.equal(await s.page.$eval('#libseccomp', (e) => e.value), 'current');
  // The options say whose 2.5.4 the table is (Debian 12's package knows cachestat, upstream
  // 2.5.4 does not), in the core's words, as the CLI's --help does.
  const labels = await s.page.$$eval('#libseccomp option', (os) => os.map((o) => o.textContent));
  assert.equal(labels[0], '2.5.4 (Debian 12: 2.5.4-1+deb12u1)');
  const help = cli(['simulate', '--help']);
  for (const l of labels) assert.ok(help.includes(l), `${l} is not in simulate --help:\n${help}`);
  const calls = [['x32', 'map_shadow_stack(0, 0, 0)'], ['x86_64', 'nr=0x400001c5 0 0 0']];
  const answers = {};
  for (const v of ['2.5.4', 'current']) {
    await s.page.selectOption('#libseccomp', v);
    for (const [abi, call] of calls) {
      const want = cliLabel('docker', ['--libseccomp', v, '--arch', abi], call);
      answers[`${v} ${abi}`] = want;
      await s.page.selectOption('#abi', abi);
      await simulate(s.page, call);
      await verdictIs(want, `libseccomp ${v}, ${abi} ${call}`);
    }
  }
  // Not vacuous: the versions differ on these calls (2.5.4 does not know x32's map_shadow_stack).
  assert.notEqual(answers['2.5.4 x32'], answers['current x32']);
  assert.notEqual(answers['2.5.4 x86_64'], answers['current x86_64']);
  await saveScreenshot(s.page, 'context-libseccomp');
  await s.page.selectOption('#libseccomp', 'current');
  await s.page.selectOption('#abi', 'x86_64');
});

test('a systemd unit disables the Docker/runc controls and decides like the CLI', async () => {
  await s.page.selectOption('#preset', 'docker@29.4.3');
  assert.equal(await disabled('#privileged'), false);
  assert.equal((await s.page.textContent('#context-legend')).trim(), 'Context (docker run)');
  // --privileged ticked before the paste: the core ignores it for a unit, so does the verdict.
  await s.page.check('#privileged');
  const file = 'fuzz/corpus/text_policies/hand-systemd-demo.service';
  await paste(readFileSync(path.join(ROOT, file), 'utf8'));
  await s.page.waitForSelector('#installer-note', { timeout: 20_000 });
  assert.match(await s.page.textContent('#installer-note'), /^systemd loads this filter itself/);
  assert.equal((await s.page.textContent('#context-legend')).trim(), 'Context (host)');
  for (const sel of ['#privileged', '#explicit', '#enosys']) {
    assert.equal(await disabled(sel), true, sel);
    assert.equal(await s.page.isChecked(sel), false, `${sel} does not look ticked when it does not apply`);
  }
  assert.doesNotMatch(await s.page.textContent('#caps-summary'), /--privileged/);
  // nr 1000 is above the unit's largest syscall: runc's stub would say ENOSYS; systemd does not.
  for (const call of ['nr=1000 0', 'mount(0, 0, 0, 0, 0)', 'read(0, 0, 0)']) {
    const want = cliLabel(path.join(ROOT, file), ['--privileged'], call);
    await simulate(s.page, call);
    await verdictIs(want, `systemd unit, ${call}`);
  }
  assert.equal(cliLabel(path.join(ROOT, file), [], 'nr=1000 0'), cliLabel(path.join(ROOT, file), ['--privileged'], 'nr=1000 0'));
  await saveScreenshot(s.page, 'context-systemd');
  // LXC and Firecracker are loaded by their own programs too; a Docker profile is not.
  for (const [f, who] of [['refdata/profiles/lxc/common.seccomp', /^LXC loads/],
    ['refdata/firecracker/x86_64-unknown-linux-musl.json', /^Firecracker loads/]]) {
    await paste(readFileSync(path.join(ROOT, f), 'utf8'));
    await s.page.waitForFunction((re) => new RegExp(re).test(document.querySelector('#installer-note')?.textContent ?? ''),
      who.source, { timeout: 20_000 });
    assert.equal(await disabled('#enosys'), true, f);
  }
  await paste(readFileSync(path.join(ROOT, 'refdata/profiles/docker/default.json'), 'utf8'));
  await s.page.waitForFunction(() => !document.querySelector('#installer-note'), null, { timeout: 20_000 });
  for (const sel of ['#privileged', '#explicit', '#enosys']) assert.equal(await disabled(sel), false, sel);
  await s.page.uncheck('#privileged');
});

test('crun has no ENOSYS stub: the box is off and disabled, and nr 1000 gets the default as the CLI says', async () => {
  await s.page.selectOption('#preset', 'docker@29.4.3');
  assert.equal(await s.page.isChecked('#enosys'), true);
  await s.page.selectOption('#runtime', 'crun');
  await s.page.waitForFunction(() => document.querySelector('#enosys').disabled);
  assert.equal(await s.page.isChecked('#enosys'), false);
  await simulate(s.page, 'nr=1000 0');
  const out = cli(['simulate', 'docker', '--host-arch', 'amd64', '--kernel', '6.1', '--runtime', 'crun', 'nr=1000 0']);
  await verdictIs(out.split('\n')[0].match(/ on \S+: (\S+)/)[1], 'crun, nr 1000');
  await s.page.selectOption('#runtime', 'runc');
  await s.page.waitForFunction(() => !document.querySelector('#enosys').disabled);
  assert.equal(await s.page.isChecked('#enosys'), true, 'the stub is back with runc');
});

test('strict mode: the verdict, headline and explanation are `simulate strict`\'s, and nr=-1 is read', async () => {
  await s.page.selectOption('#preset', 'strict');
  await s.page.selectOption('#abi', 'x86_64');
  for (const call of ['read(0, 0, 0)', 'getpid()', 'nr=-1']) {
    const j = JSON.parse(cli(['simulate', 'strict', ...PAGE_CONTEXT, '--json', call]));
    const v = j.results[0];
    await simulate(s.page, call);
    // The headline names the call: waiting for it waits for this call's answer.
    await s.page.waitForFunction((h) => (document.querySelector('#headline')?.textContent ?? '').trim() === h,
      v.headline, { timeout: 20_000 }).catch(async () => {
      throw new Error(`${call}: the CLI's headline is ${v.headline}, the page's ${(await s.page.textContent('#headline'))?.trim()}`);
    });
    await verdictIs(v.label, `strict mode, ${call}`);
    assert.equal((await s.page.textContent('#detail')).trim(), v.explanation, call);
  }
  await saveScreenshot(s.page, 'context-strict');
  await s.page.selectOption('#preset', 'docker@29.4.3');
});

test('no page errors', () => { assert.deepEqual(s.errors, []); });
