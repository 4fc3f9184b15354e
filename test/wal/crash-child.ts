/**
 * Child process of the crash test: opens the log (repairing what the last kill left),
 * then appends deterministic commits from four concurrent appenders as fast as it can,
 * printing each revision once its append has resolved (i.e. after fdatasync).
 * argv: DIR SEGMENT_BYTES
 */
import { Wal } from '../../src/wal/wal.js';
import { KEYED, deterministicCommit } from './log-helpers.js';

const [dir, segmentBytes] = process.argv.slice(2);
const wal = Wal.open({ dir: dir!, create: true, segmentSizeBytes: Number(segmentBytes), ...KEYED });
process.stdout.write(`open ${wal.lastMain}\n`);
let next = wal.nextMain;

async function appender(): Promise<void> {
  for (;;) {
    const main = next++;
    await wal.append(deterministicCommit(main, 12));
    process.stdout.write(`ack ${main}\n`);
  }
}

await Promise.all([appender(), appender(), appender(), appender()]);
