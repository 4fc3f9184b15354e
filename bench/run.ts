/**
 * `npm run bench -- NAME [--json] [--quick]`: runs one benchmark (or all without a name).
 */
import { runConsoleBench } from './console-bench.js';
import { runFanInBench } from './fan-in-bench.js';
import { runIndexBench } from './index-bench.js';
import { runQueryBench } from './query-bench.js';
import { runRecoveryBench } from './recovery-bench.js';
import { runScaleBench } from './scale-bench.js';
import { runScanBench } from './scan-bench.js';
import { runScanE2eBench } from './scan-e2e-bench.js';
import { runSocketBench } from './socket-bench.js';
import { runWalBench } from './wal-bench.js';
import { runWasteBench } from './waste-bench.js';

type Bench = (args: string[]) => Promise<void>;

const BENCHES: Record<string, Bench> = {
  wal: runWalBench,
  scan: runScanBench,
  'scan-e2e': runScanE2eBench,
  recovery: runRecoveryBench,
  index: runIndexBench,
  query: runQueryBench,
  waste: runWasteBench,
  console: runConsoleBench,
  'fan-in': runFanInBench,
  scale: runScaleBench,
  socket: runSocketBench,
};

const args = process.argv.slice(2);
// A number right after a flag is that flag's value (--resources 1000000), not a benchmark.
const isValue = (a: string, i: number): boolean => i > 0 && args[i - 1]!.startsWith('--') && /^\d/.test(a);
const names = args.filter((a, i) => !a.startsWith('--') && !isValue(a, i));
const flags = args.filter((a, i) => a.startsWith('--') || isValue(a, i));
const unknown = names.filter((n) => !(n in BENCHES));
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.join(', ')}; choose from: ${Object.keys(BENCHES).join(', ')}`);
  process.exit(2);
}
for (const name of names.length > 0 ? names : Object.keys(BENCHES)) await BENCHES[name]!(flags);
