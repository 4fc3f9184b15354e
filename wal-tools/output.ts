/**
 * Line output to a file descriptor through one reused buffer, written synchronously so a
 * dump of a large log neither queues in memory nor interleaves with stderr. A closed pipe
 * (`wal-dump DIR | head`) ends output quietly instead of crashing.
 */
import fs from 'node:fs';
import { errnoCode } from '../src/wal/errors.js';

const BUFFER_BYTES = 64 * 1024;
/** Retries of a write to a non-blocking descriptor that is full. */
const EAGAIN_RETRIES_MAX = 10_000;

const pauseCell = new Int32Array(new SharedArrayBuffer(4));

export class LineOutput {
  private readonly buf = Buffer.allocUnsafe(BUFFER_BYTES);
  private used = 0;
  /** True once the reader went away; later lines are dropped. */
  closed = false;

  constructor(private readonly fd: number) {}

  line(text: string): void {
    if (this.closed) return;
    const bytes = Buffer.byteLength(text) + 1;
    if (this.used + bytes > BUFFER_BYTES) this.flush();
    if (bytes > BUFFER_BYTES) {
      this.writeAll(Buffer.from(`${text}\n`));
      return;
    }
    this.used += this.buf.write(text, this.used);
    this.buf[this.used++] = 0x0a;
  }

  flush(): void {
    if (this.used === 0 || this.closed) return;
    const n = this.used;
    this.used = 0;
    this.writeAll(this.buf.subarray(0, n));
  }

  private writeAll(bytes: Buffer): void {
    let done = 0;
    let retries = 0;
    while (done < bytes.length && !this.closed) {
      try {
        done += fs.writeSync(this.fd, bytes, done, bytes.length - done);
      } catch (err) {
        const code = errnoCode(err);
        if (code === 'EAGAIN' && retries++ < EAGAIN_RETRIES_MAX) {
          Atomics.wait(pauseCell, 0, 0, 1);
          continue;
        }
        if (code === 'EPIPE') {
          this.closed = true;
          return;
        }
        throw err;
      }
    }
  }
}
