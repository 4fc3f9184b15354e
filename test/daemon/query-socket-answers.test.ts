/**
 * Queries through the daemon's socket equal the read-only answers: a daemon scanning the
 * SIMULATED cloud for a few cycles, then every query command asked both ways — through
 * the socket (the CLI's client, queryViaDaemon) and with the data directory opened
 * read-only (runQueryCommand, as `--no-daemon` does) — with the same stdout, stderr and
 * exit code, errors included.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { queryViaDaemon } from '../../src/cli/query-via-daemon.js';
import { runQueryCommand, type QueryCommandName, type QueryIo } from '../../src/query/commands.js';
import { defaultScenario } from '../../src/sim/scenario-load.js';
import { tempDir } from '../helpers/tmp.js';
import { openTestDaemon, type DaemonUnderTest } from './daemon-harness.js';

const CYCLES = 6;
const NOW = '2030-01-01T00:00Z';

/** Keys picked from the history the test made, and a price file. */
interface Context {
  any: string;
  changed: string;
  gone: string;
  prices: string;
}

interface Answer {
  code: number | null;
  out: string;
  err: string;
}

function capture(): QueryIo & { text(): { out: string; err: string } } {
  let out = '';
  let err = '';
  return { stdout: (s) => (out += s), stderr: (s) => (err += s), text: () => ({ out, err }) };
}

describe('queries through the daemon socket', () => {
  let t: DaemonUnderTest;
  let dir: string;
  let c: Context;

  async function viaDaemon(name: QueryCommandName, argv: string[]): Promise<Answer> {
    const io = capture();
    const code = await queryViaDaemon(name, [...argv, '--data-dir', dir], io, { env: {} });
    return { code, ...io.text() };
  }
  async function readOnly(name: QueryCommandName, argv: string[]): Promise<Answer> {
    const io = capture();
    const code = await runQueryCommand(name, [...argv, '--data-dir', dir], io);
    return { code, ...io.text() };
  }

  before(async () => {
    dir = path.join(tempDir('elava-qsock-answers-'), 'data');
    t = await openTestDaemon(dir, { fleet: { ...defaultScenario().fleet, ec2Addresses: 4, ec2Snapshots: 6 } });
    for (let cycle = 1; cycle <= CYCLES; cycle++) {
      if (cycle > 1) t.sim.cloud.advance();
      await t.daemon.runCycle();
    }
    const diff = await readOnly('diff', ['1', String(CYCLES), '--json']);
    const items = diff.out.trimEnd().split('\n').map((l) => JSON.parse(l) as { change: string; key: string });
    const list = await readOnly('list', ['--json']);
    c = {
      any: (JSON.parse(list.out.split('\n')[0] as string) as { key: string }).key,
      changed: items.find((i) => i.change === 'changed')?.key ?? assert.fail('a change in the history'),
      gone: items.find((i) => i.change === 'disappeared')?.key ?? assert.fail('a disappearance in the history'),
      prices: path.join(path.dirname(dir), 'prices.json'),
    };
    fs.writeFileSync(c.prices, JSON.stringify({ aws: { default: { publicIpv4Hour: 0.5 } } }));
  });
  after(async () => {
    await t.daemon.close(); // closes the simulated cloud too
  });

  const cases: Array<[QueryCommandName, (c: Context) => string[], number]> = [
    ['list', () => [], 0],
    ['list', () => ['--json'], 0],
    ['list', () => ['--type', 'ec2.instance', '--state', 'running', '--limit', '5'], 0],
    ['list', () => ['--counts', '--json'], 0],
    ['list', () => ['--at', '2'], 0],
    ['get', (k) => [k.any], 0],
    ['get', (k) => [k.changed, '--at', '2', '--json'], 0],
    ['get', (k) => [k.gone], 0],
    ['get', () => ['aws/000000000000/nowhere/ec2.instance/i-nope'], 4],
    ['history', (k) => [k.changed], 0],
    ['history', (k) => [k.changed, '--field', 'state', '--json'], 0],
    ['history', (k) => [k.gone, '--json'], 0],
    ['history', () => ['aws/000000000000/nowhere/ec2.instance/i-nope'], 4],
    ['at', () => ['3'], 0],
    ['at', () => ['2', '--json', '--provider', 'gcp'], 0],
    ['at', () => ['999999'], 6],
    ['at', () => ['not-a-time'], 2],
    ['at', () => ['1970-01-02'], 7],
    ['diff', () => ['1', String(CYCLES)], 0],
    ['diff', () => ['2', '4', '--json', '--limit', '3'], 0],
    ['diff', () => ['4', '2'], 2],
    ['disappeared', () => ['--since', '1'], 0],
    ['disappeared', () => ['--since', '2', '--until', '5', '--json'], 0],
    ['waste', () => ['--now', NOW], 0],
    ['waste', () => ['--now', NOW, '--json', '--by', 'owner', '--stopped-days', '0'], 0],
    ['waste', (k) => ['--now', NOW, '--prices', k.prices, '--limit', '2'], 0],
    ['waste', () => ['--now', NOW, '--prices', 'no-such-prices.json'], 2],
    ['waste', () => ['--by', 'team'], 2],
    ['sources', () => ['--self'], 0],
  ];
  for (const [name, argv, code] of cases) {
    it(`${name} ${argv({ any: 'KEY', changed: 'CHANGED-KEY', gone: 'GONE-KEY', prices: 'PRICES.json' }).join(' ')} → exit ${code}, the same both ways`, async () => {
      const args = argv(c);
      const ro = await readOnly(name, args);
      assert.equal(ro.code, code, ro.err);
      const d = await viaDaemon(name, args);
      assert.notEqual(d.code, null, 'answered by the daemon, not left to the read-only open');
      assert.deepEqual(d, ro);
      if (code === 0) assert.ok(ro.out.length > 0);
      else assert.match(ro.err, new RegExp(`^elava ${name}: `));
    });
  }

  it('counted every answer in /metrics', async () => {
    const text = await (await fetch(`${t.base}/metrics`)).text();
    const answered = text.split('\n').filter((l) => l.startsWith('elava_query_socket_answers_total{')).reduce((sum, l) => sum + Number(l.split(' ')[1]), 0);
    assert.equal(answered, cases.length);
  });
});
