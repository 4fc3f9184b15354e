/**
 * The scale benchmark's whole-fleet clients, a process of their own (as clients of a
 * daemon are): CLIENTS loops each asking URL again and again and reading the whole answer,
 * until a line `stop` arrives on stdin; then one JSON line {answers, failures, seconds}.
 * Reading 16 answers of tens of MiB in the daemon's own process would charge the
 * clients' work to the daemon's event loop, which is what the benchmark measures.
 * argv: URL CLIENTS
 */
import { once } from 'node:events';

const [url, clientsArg] = process.argv.slice(2);
const clients = Number(clientsArg);
if (url === undefined || !Number.isSafeInteger(clients) || clients < 1) throw new Error('usage: fleet-clients URL CLIENTS');
let running = true;
let answers = 0;
let failures = 0;

async function client(): Promise<void> {
  while (running) {
    try {
      const res = await fetch(url as string);
      await res.arrayBuffer();
      if (res.ok) answers++;
      else failures++;
    } catch {
      failures++; // a reset or timed-out connection: counted, the run goes on
    }
  }
}

const started = performance.now();
const loops = Array.from({ length: clients }, () => client());
process.stdout.write('started\n');
process.stdin.setEncoding('utf8');
let input = '';
while (!input.includes('stop\n')) {
  const [chunk] = (await once(process.stdin, 'data')) as [string];
  input += chunk;
}
const seconds = (performance.now() - started) / 1000;
running = false;
await Promise.all(loops);
process.stdout.write(`${JSON.stringify({ answers, failures, seconds })}\n`);
