// Append-only JSON lines (one object per line), for logs that are only ever added to: the
// back office's audit log and the bot's conversation events. Group commit as in the referral
// journal: lines queued while an fsync runs go out in the next write + fdatasync. A torn last
// line (crash mid-write) is skipped when reading and cut off before the next append.
import { closeSync, constants, fdatasync, fstatSync, ftruncate, ftruncateSync, mkdirSync, openSync, readSync, write } from 'node:fs';
import { dirname } from 'node:path';

interface Pending {
  buf: Buffer;
  resolve: () => void;
  reject: (error: unknown) => void;
}

const NEWLINE = 0x0a;

const writeAt = (fd: number, buf: Buffer, position: number) =>
  new Promise<void>((resolve, reject) =>
    write(fd, buf, 0, buf.length, position, (error, written) => {
      if (error) reject(error);
      else if (written !== buf.length) reject(new Error(`écriture partielle (${written}/${buf.length} octets)`));
      else resolve();
    }),
  );
const syncData = (fd: number) => new Promise<void>((resolve, reject) => fdatasync(fd, (e) => (e ? reject(e) : resolve())));
const truncateTo = (fd: number, size: number) => new Promise<void>((resolve, reject) => ftruncate(fd, size, (e) => (e ? reject(e) : resolve())));

/** Length of the part of `buf` that ends with a complete line. */
export function completeLength(buf: Buffer): number {
  const last = buf.lastIndexOf(NEWLINE);
  return last < 0 ? 0 : last + 1;
}

/** Parses complete lines; lines that are not JSON objects are skipped (never thrown). */
export function parseLines<T>(buf: Buffer, onLine: (value: T) => void): void {
  let start = 0;
  for (;;) {
    const end = buf.indexOf(NEWLINE, start);
    if (end < 0) return;
    if (end > start) {
      try {
        const value = JSON.parse(buf.toString('utf8', start, end)) as T;
        if (value && typeof value === 'object') onLine(value);
      } catch {
        // torn or foreign line: skipped
      }
    }
    start = end + 1;
  }
}

/** Reads `path` from `offset` to its last complete line. Missing file: nothing. */
export function readFrom(path: string, offset: number): { buf: Buffer; end: number } {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { buf: Buffer.alloc(0), end: offset };
    throw error;
  }
  try {
    const size = fstatSync(fd).size;
    if (size <= offset) return { buf: Buffer.alloc(0), end: offset };
    const buf = Buffer.allocUnsafe(size - offset);
    let done = 0;
    while (done < buf.length) {
      const n = readSync(fd, buf, done, buf.length - done, offset + done);
      if (n === 0) break;
      done += n;
    }
    const usable = completeLength(buf.subarray(0, done));
    return { buf: buf.subarray(0, usable), end: offset + usable };
  } finally {
    closeSync(fd);
  }
}

export class JsonLinesFile {
  private fd: number | undefined;
  private size = 0;
  private queue: Pending[] = [];
  private writing: Promise<void> | undefined;

  constructor(readonly path: string) {}

  private open(): number {
    if (this.fd !== undefined) return this.fd;
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    const fd = openSync(this.path, constants.O_RDWR | constants.O_CREAT, 0o600);
    const size = fstatSync(fd).size;
    // A torn tail from a crash: cut back to the last complete line before appending.
    const tail = Math.min(size, 64 * 1024);
    const buf = Buffer.allocUnsafe(tail);
    readSync(fd, buf, 0, tail, size - tail);
    const good = tail === 0 || buf[tail - 1] === NEWLINE ? size : size - tail + completeLength(buf);
    if (good !== size) ftruncateSync(fd, good); // once, before the first append of the process
    this.fd = fd;
    this.size = good;
    return fd;
  }

  /** Resolves once the line is on disk (fdatasync). */
  append(value: unknown): Promise<void> {
    const buf = Buffer.from(`${JSON.stringify(value)}\n`, 'utf8');
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ buf, resolve, reject });
      this.writing ??= this.drain();
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue;
        this.queue = [];
        try {
          const fd = this.open();
          const buf = batch.length === 1 ? batch[0]!.buf : Buffer.concat(batch.map((b) => b.buf));
          const start = this.size;
          try {
            await writeAt(fd, buf, start);
            await syncData(fd);
          } catch (error) {
            await truncateTo(fd, start).catch(() => undefined);
            throw error;
          }
          this.size += buf.length;
          for (const b of batch) b.resolve();
        } catch (error) {
          for (const b of batch) b.reject(error);
        }
      }
    } finally {
      this.writing = undefined;
    }
  }

  /** Waits for every queued line. */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }

  async close(): Promise<void> {
    await this.flush();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
