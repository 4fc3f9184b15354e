/**
 * Child process of the live-tail test: appends COMMITS commits of EVENTS appeared events
 * each to a log (default 64 MiB segments, preallocated: mostly zero-filled space), with a
 * short pause between them, then exits. argv: DIR COMMITS EVENTS
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Wal } from '../../src/wal/wal.js';

const [dir, commits, events] = process.argv.slice(2);
const wal = Wal.open({ dir: dir!, create: true });
for (let main = 1; main <= Number(commits); main++) {
  const batch = [];
  for (let sub = 0; sub < Number(events); sub++) {
    const key = `aws/123456789012/us-east-1/ec2.instance/i-${main}-${sub}`;
    batch.push({ type: 'appeared', key, record: { key, id: `i-${main}-${sub}`, state: 'running', tags: { Name: `web-${sub}` }, attrs: { pad: 'x'.repeat(300) } } });
  }
  await wal.append({ main, timeMs: Date.now(), events: batch });
  await sleep(main % 7);
}
await wal.close();
