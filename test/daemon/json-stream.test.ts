/**
 * Long JSON answers go out in pieces (src/daemon/json-stream.ts): the bytes equal
 * JSON.stringify's, HEAD gets none, a client that leaves mid-answer stops the writer, and
 * another request is answered while a long answer is still being written.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { JsonItems, writeJson } from '../../src/daemon/json-stream.js';
import { JSON_STREAM_ITEMS_PER_PIECE } from '../../src/limits.js';

const records = (n: number): Array<Record<string, unknown>> =>
  Array.from({ length: n }, (_, i) => ({ key: `aws/1/us-east-1/ec2.instance/i-${i}`, tags: { Name: `n"${i}\u2028` }, attrs: { list: [i, [i]], none: null } }));

const BODIES: Record<string, unknown> = {
  small: { revision: 3, resources: records(3) },
  long: { revision: 9, resources: records(JSON_STREAM_ITEMS_PER_PIECE * 3 + 7), skipped: undefined, after: 'x' },
  exact: { resources: records(JSON_STREAM_ITEMS_PER_PIECE * 2), totals: { a: 1 } },
  two: { appeared: records(JSON_STREAM_ITEMS_PER_PIECE + 1), changed: [], disappeared: records(JSON_STREAM_ITEMS_PER_PIECE * 2 + 1) },
  huge: { resources: records(200_000) },
};
/** Answers whose array holds items already JSON text (JsonItems), beside the plain bodies they must equal. */
const textItems = records(JSON_STREAM_ITEMS_PER_PIECE * 2 + 5);
const PLAIN: Record<string, unknown> = {
  texts: { revision: 4, resources: textItems, granularity: null },
  textsShort: { revision: 4, resources: textItems.slice(0, 3) },
  textsNone: { resources: [], after: 1 },
};
for (const [name, plain] of Object.entries(PLAIN)) {
  // every third item left as it is, the others as their JSON text
  const items = (plain as { resources: unknown[] }).resources.map((r, i) => (i % 3 === 1 ? r : JSON.stringify(r)));
  BODIES[name] = { ...(plain as object), resources: new JsonItems(items) };
}

describe('streamed JSON answers', () => {
  let server: http.Server;
  let base = '';
  const finished: string[] = [];
  const left: string[] = [];

  before(async () => {
    server = http.createServer((req, res) => {
      const name = (req.url ?? '/').slice(1);
      if (name === 'healthz') {
        void writeJson(res, 200, { status: 'ok' }).then(() => finished.push('healthz'));
        return;
      }
      res.on('close', () => {
        if (!res.writableFinished) left.push(name);
      });
      void writeJson(res, 200, BODIES[name]).then(() => finished.push(name));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  for (const name of ['small', 'long', 'exact', 'two']) {
    it(`${name}: the bytes are JSON.stringify's`, async () => {
      const res = await fetch(`${base}/${name}`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
      assert.equal(res.headers.get('cache-control'), 'no-store');
      assert.equal(await res.text(), JSON.stringify(BODIES[name]) + '\n');
    });
  }

  for (const name of Object.keys(PLAIN)) {
    it(`${name}: items already JSON text go out as the plain answer's bytes`, async () => {
      const res = await fetch(`${base}/${name}`);
      assert.equal(res.status, 200);
      assert.equal(await res.text(), JSON.stringify(PLAIN[name]) + '\n');
      const head = await fetch(`${base}/${name}`, { method: 'HEAD' });
      assert.equal(head.status, 200);
      assert.equal(head.headers.get('content-length'), String(Buffer.byteLength(JSON.stringify(PLAIN[name]) + '\n')));
      assert.equal(await head.text(), '');
    });
  }

  it('HEAD of a long answer: headers, no body', async () => {
    const res = await fetch(`${base}/long`, { method: 'HEAD' });
    assert.equal(res.status, 200);
    assert.equal(await res.text(), '');
  });

  it('another request is answered while a long answer is being written', async () => {
    finished.length = 0;
    const res = await fetch(`${base}/huge`);
    const reader = res.body?.getReader();
    assert.ok(reader !== undefined);
    await reader.read(); // the long answer has begun
    const health = await fetch(`${base}/healthz`);
    assert.deepEqual(await health.json(), { status: 'ok' });
    assert.ok(!finished.includes('huge'), 'the long answer is still being written after /healthz was answered');
    let bytes = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.length;
    }
    assert.ok(bytes > 0);
    assert.deepEqual(finished, ['healthz', 'huge']);
  });

  it('a client that leaves mid-answer stops the writer, and the server goes on', async () => {
    left.length = 0;
    const controller = new AbortController();
    const res = await fetch(`${base}/huge`, { signal: controller.signal });
    await res.body?.getReader().read();
    controller.abort();
    for (let i = 0; i < 200 && !left.includes('huge'); i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(left, ['huge']);
    const again = await fetch(`${base}/small`);
    assert.equal(await again.text(), JSON.stringify(BODIES['small']) + '\n');
  });
});

describe('a client that takes no bytes of a long answer', () => {
  const STALL_MS = 2000;
  it('is dropped after the stall limit, letting the answer go; one that pauses less gets it whole', async () => {
    const results: boolean[] = [];
    let endedAt = 0;
    const server = http.createServer((_req, res) => {
      void writeJson(res, 200, BODIES['huge'], STALL_MS).then((written) => {
        results.push(written);
        endedAt = performance.now();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      // Asks, then never reads: the server's writes fill the socket and wait for a drain that never comes.
      const idle = net.connect(port, '127.0.0.1');
      idle.on('error', () => undefined);
      idle.pause();
      const closed = new Promise<void>((resolve) => idle.on('close', () => resolve()));
      const asked = performance.now();
      idle.write('GET /huge HTTP/1.1\r\nHost: x\r\n\r\n');
      for (let i = 0; i < 1000 && results.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      assert.deepEqual(results, [false], 'the writer gave up on the stalled client');
      assert.ok(endedAt - asked >= STALL_MS, `dropped after ${Math.round(endedAt - asked)} ms, not before the limit`);
      idle.resume(); // reading now, it finds the connection closed
      await closed;

      // A client that pauses three times for a quarter of the limit, then reads on, gets every byte.
      const res = await fetch(`http://127.0.0.1:${port}/huge`);
      const reader = res.body?.getReader();
      assert.ok(reader !== undefined);
      const chunks: Uint8Array[] = [];
      for (let pause = 0; ; pause++) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        if (pause < 3) await new Promise((resolve) => setTimeout(resolve, STALL_MS / 4));
      }
      assert.equal(Buffer.concat(chunks).toString('utf8'), JSON.stringify(BODIES['huge']) + '\n');
      assert.deepEqual(results, [false, true]);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
