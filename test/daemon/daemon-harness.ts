/**
 * Test harness: a Daemon in this process scanning the SIMULATED cloud, with cycles driven
 * by the test (`runCycle()`), HTTP on an ephemeral loopback port, logs captured.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { loadConfig } from '../../src/daemon/config-load.js';
import type { DaemonConfig } from '../../src/daemon/config.js';
import { Daemon, type DaemonOptions } from '../../src/daemon/daemon.js';
import { SIMULATE_PRESETS, simulateForced, startSimulation, type Simulation } from '../../src/cli/simulate.js';
import type { ElavaEvent } from '../../src/model/events.js';
import { defaultScenario, type SimScenario } from '../../src/sim/scenario-load.js';
import { LogReader } from '../../src/wal/reader.js';

export interface LogCapture {
  lines: Array<Record<string, unknown>>;
  stream: Writable;
}

export function captureLogs(): LogCapture {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, stream };
}

export interface DaemonUnderTest {
  daemon: Daemon;
  sim: Simulation;
  config: DaemonConfig;
  logs: LogCapture;
  /** http://host:port */
  base: string;
}

export function testConfig(scenario: SimScenario, dataDir: string, flags: Record<string, string> = {}): DaemonConfig {
  return loadConfig({
    env: {},
    flags: new Map(Object.entries({ 'data-dir': dataDir, 'http-listen': '127.0.0.1:0', 'log-level': 'debug', ...flags })),
    presets: SIMULATE_PRESETS,
    forced: simulateForced(scenario),
    modeLabel: '--simulate',
  });
}

export async function openTestDaemon(
  dataDir: string,
  overrides: Partial<SimScenario> = {},
  flags: Record<string, string> = {},
  seams: Pick<DaemonOptions, 'heapSettleEventsMin' | 'settleHeap'> = {},
): Promise<DaemonUnderTest> {
  const scenario = defaultScenario(overrides);
  const config = testConfig(scenario, dataDir, flags);
  const logs = captureLogs();
  const logger = pino({ level: 'debug' }, logs.stream);
  const sim = await startSimulation(scenario, config);
  const daemon = await Daemon.open({ config, scan: sim, logger, create: true, processMetrics: false, ...seams });
  return { daemon, sim, config, logs, base: `http://${daemon.httpAddress ?? 'none'}` };
}

/** The events of commit `main`, read back from the log in `dir`. */
export function commitEvents(dir: string, main: number): ElavaEvent[] {
  const out: ElavaEvent[] = [];
  for (const e of new LogReader(dir, { fromMain: main }).entries()) {
    if (e.main !== main) break;
    if (e.kind === 'event') out.push(e.payload as ElavaEvent);
  }
  return out;
}
