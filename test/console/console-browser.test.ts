/**
 * The web console in a real browser: a headless system Chromium (playwright-core) against
 * a daemon scanning the SIMULATED cloud through the real SDK clients, compared with the
 * `elava` command run as a process on the same data directory.
 *
 * Given a daemon after four cycles, with one instance whose Owner tag is an HTML payload
 * and whose Name closes a script element,
 * - every page loads with no console error or warning, and a screenshot of it is written
 *   to test-artifacts/console/;
 * - the fleet page's count equals `elava list --json` (lines), and walking its pages
 *   (server-side paging) yields exactly the keys `elava list` prints, in order;
 * - filters in the URL fill the form and the list, and survive a reload;
 * - a resource page shows the revisions of `elava history` and the owner timeline of
 *   `elava history --field tags.Owner`;
 * - the changes page lists what `elava diff A B` lists, kind by kind, with its totals;
 * - the hostile strings show as text, create no element, and open no dialog;
 * - no page requests anything from another origin (fonts, CDNs);
 * - off loopback, a daemon with a token answers 401 without it, and the console asks for
 *   it, keeps it in sessionStorage (no cookie) and then shows the fleet.
 */
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ELAVA_JS, runElava } from '../cli/elava-process.js';
import { openTestDaemon, type DaemonUnderTest } from '../daemon/daemon-harness.js';
import { tempDir } from '../helpers/tmp.js';
import { openPage, screenshot, TestBrowser, type Watched } from './browser.js';

const XSS_OWNER = '<img src=x onerror=alert(1)>';
const XSS_NAME = 'db</script><script>alert(2)</script>';
const ACCOUNT = '111111111111';
const TOKEN = 'console-test-token-0123456789';

const root = tempDir('elava-console-');
let t: DaemonUnderTest;
let browser: TestBrowser;
let hostileKey = '';

async function elavaJson(args: readonly string[]): Promise<Array<Record<string, unknown>>> {
  const r = await runElava([...args, '--data-dir', t.config.dataDir, '--json']);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
}

async function texts(w: Watched, selector: string): Promise<string[]> {
  return w.page.locator(selector).allTextContents();
}

async function loaded(url: string, shot?: string): Promise<Watched> {
  const w = await browser.page();
  await openPage(w, `${t.base}${url}`);
  if (shot !== undefined) await screenshot(w, shot);
  return w;
}

function clean(w: Watched): void {
  assert.deepEqual(w.problems, [], 'no console error or warning');
  assert.deepEqual(w.dialogs, [], 'no dialog opened');
  const origin = new URL(t.base).origin;
  assert.deepEqual(w.requests.filter((u) => new URL(u).origin !== origin), [], 'no request to another origin');
  assert.ok(w.requests.some((u) => u.includes('/v1/')), 'the page read the API');
}

describe('web console in a real browser', () => {
  before(async () => {
    assert.ok(path.isAbsolute(ELAVA_JS));
    browser = await TestBrowser.launch();
    t = await openTestDaemon(path.join(root, 'data'));
    for (let cycle = 1; cycle <= 4; cycle++) {
      if (cycle > 1) t.sim.cloud.advance();
      if (cycle === 3) {
        const victim = t.sim.cloud.world.alive('ec2.instance', ACCOUNT, 'us-east-1')[0];
        assert.ok(victim !== undefined, 'the scenario has instances');
        victim.tags['Owner'] = XSS_OWNER;
        victim.tags['Name'] = XSS_NAME;
        hostileKey = `aws/${ACCOUNT}/us-east-1/ec2.instance/${victim.id}`;
      }
      await t.daemon.runCycle();
    }
  });

  after(async () => {
    await browser?.close();
    await t?.daemon.close();
  });

  for (const page of ['fleet', 'changes', 'waste', 'health']) {
    it(`the ${page} page loads with no console error`, async () => {
      const w = await loaded(`/ui/${page}`, page);
      clean(w);
      assert.equal(await w.page.locator('[data-testid=error]').count(), 0);
      assert.equal(await w.page.locator('h1').textContent(), page[0]!.toUpperCase() + page.slice(1));
      await w.page.close();
    });
  }

  it('the fleet count equals `elava list`, and its pages hold exactly the listed keys', async () => {
    const listed = await elavaJson(['list']);
    const w = await loaded('/ui/fleet');
    assert.equal(Number(await w.page.locator('[data-testid=fleet-total]').textContent()), listed.length);
    const keys: string[] = [];
    for (let pages = 0; pages < 100; pages++) {
      keys.push(...(await texts(w, '[data-testid=resources] tbody tr td:first-child')));
      const next = w.page.locator('[data-testid=next-page]').first();
      if ((await next.count()) === 0) break;
      await next.click();
      await w.page.waitForSelector('body[data-ready]');
    }
    assert.ok(keys.length > 100, 'more than one page');
    assert.deepEqual(keys, listed.map((r) => r['key']));
    clean(w);
    await w.page.close();
  });

  it('filters in the URL fill the form and the list, and survive a reload', async () => {
    const url = '/ui/fleet?type=ec2.volume&provider=aws&state=available';
    const listed = await elavaJson(['list', '--type', 'ec2.volume', '--provider', 'aws', '--state', 'available']);
    assert.ok(listed.length > 0, 'the scenario has available volumes');
    const w = await loaded(url);
    for (let round = 0; round < 2; round++) {
      assert.equal(await w.page.locator('select[name=type]').inputValue(), 'ec2.volume');
      assert.equal(await w.page.locator('input[name=state]').inputValue(), 'available');
      assert.equal(Number(await w.page.locator('[data-testid=fleet-total]').textContent()), listed.length);
      const types = new Set(await texts(w, '[data-testid=resources] tbody tr td:nth-child(2)'));
      assert.deepEqual([...types], ['ec2.volume']);
      assert.equal(new URL(w.page.url()).search, '?type=ec2.volume&provider=aws&state=available');
      await w.page.reload();
      await w.page.waitForSelector('body[data-ready]');
    }
    clean(w);
    await w.page.close();
  });

  it('a resource page shows the revisions of `elava history` and its owner timeline', async () => {
    const history = await elavaJson(['history', hostileKey]);
    const owner = await elavaJson(['history', hostileKey, '--field', 'tags.Owner']);
    const w = await loaded(`/ui/resource?key=${encodeURIComponent(hostileKey)}`, 'resource');
    const revisions = await texts(w, '[data-testid=revisions] tbody tr td:first-child');
    assert.deepEqual(revisions, history.map((e) => `${e['main']}.${e['sub']}`));
    const kinds = await texts(w, '[data-testid=revisions] tbody tr td:nth-child(3)');
    assert.deepEqual(kinds, history.map((e) => e['kind']));
    const timeline = await texts(w, '[data-testid=field-timeline] tbody tr td:last-child');
    assert.deepEqual(timeline, owner.map((e) => e['after'] ?? '-'));
    assert.ok(timeline.includes(XSS_OWNER), 'the owner change is on the timeline');
    clean(w);
    await w.page.close();
  });

  it('the changes page lists what `elava diff` lists, with its totals', async () => {
    const last = t.daemon.log.lastMain;
    const diff = await elavaJson(['diff', '1', String(last)]);
    const w = await loaded(`/ui/changes?from=1&to=${last}`, 'changes-window');
    for (const kind of ['appeared', 'changed', 'disappeared']) {
      const expected = diff.filter((d) => d['change'] === kind).map((d) => d['key']);
      assert.ok(expected.length > 0, `the window has ${kind} resources`);
      assert.equal(Number(await w.page.locator(`[data-testid=total-${kind}]`).textContent()), expected.length);
      assert.deepEqual(await texts(w, `[data-testid=list-${kind}] tbody tr td:first-child`), expected, kind);
    }
    clean(w);
    await w.page.close();
  });

  it('hostile names and tags show as text, make no element and open no dialog', async () => {
    for (const url of [`/ui/fleet?owner=${encodeURIComponent(XSS_OWNER)}`, `/ui/resource?key=${encodeURIComponent(hostileKey)}`]) {
      const w = await loaded(url);
      const text = (await w.page.locator('main').textContent()) ?? '';
      assert.ok(text.includes(XSS_OWNER), `${url}: the owner shows as text`);
      if (url.includes('resource')) assert.ok(text.includes(XSS_NAME), 'the name shows as text');
      assert.equal(await w.page.locator('main img').count(), 0, 'no <img> made from data');
      assert.equal(await w.page.locator('script').count(), 1, 'only the console\'s own script');
      await w.page.waitForTimeout(200); // an onerror handler would have fired by now
      clean(w);
      await w.page.close();
    }
  });

  it('serves the console with a strict CSP, nosniff, and API answers no shared cache keeps', async () => {
    const ui = await fetch(`${t.base}/ui/fleet`);
    const csp = ui.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self'(;|$)/, 'no inline script, no other origin');
    assert.equal(ui.headers.get('x-content-type-options'), 'nosniff');
    const apiAnswer = await fetch(`${t.base}/v1/resources?limit=1`);
    assert.equal(apiAnswer.headers.get('cache-control'), 'no-store');
    assert.equal(apiAnswer.headers.get('x-content-type-options'), 'nosniff');
    assert.equal((await fetch(`${t.base}/ui/nope.js`)).status, 404);
  });
});

/** This machine's first non-loopback IPv4 address, or null when it has none. */
function offLoopbackAddress(): string | null {
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return null;
}

describe('web console off loopback', () => {
  let d: DaemonUnderTest;
  let b: TestBrowser;
  let base = '';

  before(async () => {
    d = await openTestDaemon(path.join(root, 'token'), {}, { 'http-listen': '0.0.0.0:0', 'http-token': TOKEN });
    await d.daemon.runCycle();
    const port = d.base.slice(d.base.lastIndexOf(':') + 1);
    const host = offLoopbackAddress();
    assert.ok(host !== null, 'this test needs a non-loopback address (the machine has none)');
    base = `http://${host}:${port}`;
    b = await TestBrowser.launch();
  });

  after(async () => {
    await b?.close();
    await d?.daemon.close();
  });

  it('answers 401 to an API request without the token', async () => {
    for (const p of ['/v1/status', '/v1/resources?limit=1', '/v1/health']) {
      const res = await fetch(base + p);
      assert.equal(res.status, 401, p);
      assert.equal(res.headers.get('www-authenticate'), 'Bearer');
    }
    assert.equal((await fetch(`${base}/v1/status`, { headers: { authorization: `Bearer ${TOKEN}` } })).status, 200);
  });

  it('asks for the token, keeps it in sessionStorage only, then shows the fleet', async () => {
    const w = await b.page();
    await w.page.goto(`${base}/ui/fleet`);
    await w.page.waitForSelector('body[data-ready=login]');
    await screenshot(w, 'login');
    await w.page.locator('input[name=token]').fill(TOKEN);
    await w.page.locator('form.login button').click();
    await w.page.waitForSelector('body[data-ready=true]');
    const status = await fetch(`${base}/v1/status`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const live = ((await status.json()) as { live: number }).live;
    assert.ok(live > 0);
    assert.equal(Number(await w.page.locator('[data-testid=fleet-total]').textContent()), live);
    assert.equal(await w.page.evaluate('sessionStorage.getItem("elava.token")'), TOKEN);
    assert.equal(await w.page.evaluate('document.cookie'), '');
    // The only problems: the 401 of the first /v1/status, before the token was given.
    assert.ok(w.problems.every((p) => p.includes('401')), w.problems.join('\n'));
    assert.deepEqual(w.dialogs, []);
    await w.page.close();
  });
});
