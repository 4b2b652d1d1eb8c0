// Append-only keyed journal (log-structured, in the Bitcask family): every put or delete is one
// checksummed JSON line appended and fsynced before it is confirmed; an in-memory index keeps,
// per key, a small `meta` object and where the latest line lives, and bodies are read back from
// disk on demand. Compaction copies the live lines into a snapshot written atomically, then a
// manifest (lowdb) switches to it. Layout and crash behaviour: README.md.
import { closeSync, constants, fdatasync, fsyncSync, ftruncate, openSync, readSync, write } from 'node:fs';
import { mkdir, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { Low } from 'lowdb';
import { DurableJSONFile, fsyncDirectory } from './durableFile.js';

/** Kept in memory for every live key: small on purpose. `k` is the key. */
export interface Meta {
  k: string;
  [field: string]: unknown;
}

interface FileRef {
  name: string;
  fd: number;
}

interface Entry<M extends Meta> {
  meta: M;
  file: FileRef;
  offset: number;
  length: number;
}

export interface Put<M extends Meta> {
  meta: M;
  body: unknown;
}

interface Manifest {
  format: 1;
  /** Generation of the snapshot to load first, or null. */
  snapshot: number | null;
  /** Journals with a lower generation are already in the snapshot. */
  firstJournal: number;
}

export class JournalError extends Error {}

const TAB = 0x09;
const NEWLINE = 0x0a;
const CHUNK = 8 * 1024 * 1024;
const pad = (generation: number) => String(generation).padStart(6, '0');
const journalName = (generation: number) => `journal-${pad(generation)}.jsonl`;
const snapshotName = (generation: number) => `snapshot-${pad(generation)}.jsonl`;

/**
 * One line: `<crc32, 8 hex> <meta JSON>\t<body JSON>\n`. JSON never contains a raw tab or
 * newline, so the separators are unambiguous, and opening parses only the small meta part.
 * `b` in meta counts the lines still to come in the same atomic batch (journal only).
 */
export function encodeLine(meta: Meta, body: unknown): Buffer {
  const payload = Buffer.from(`${JSON.stringify(meta)}\t${JSON.stringify(body ?? null)}`, 'utf8');
  const line = Buffer.allocUnsafe(payload.length + 10);
  line.write(crc32(payload).toString(16).padStart(8, '0'), 0, 'latin1');
  line[8] = 0x20;
  payload.copy(line, 9);
  line[line.length - 1] = NEWLINE;
  return line;
}

/**
 * Parses a line (without its newline); undefined when torn or corrupt. `verify: false` skips the
 * checksum, for files that were complete and fsynced before anything followed them (snapshots,
 * rotated journals): bodies are verified again whenever they are read.
 */
function decodeMeta(buf: Buffer, start: number, end: number, verify = true): { meta: Meta; tab: number } | undefined {
  if (end - start < 12 || buf[start + 8] !== 0x20) return undefined;
  if (verify) {
    const expected = Number.parseInt(buf.toString('latin1', start, start + 8), 16);
    if (!Number.isFinite(expected) || crc32(buf.subarray(start + 9, end)) !== expected) return undefined;
  }
  const tab = buf.indexOf(TAB, start + 9);
  if (tab < 0 || tab >= end) return undefined;
  try {
    const meta = JSON.parse(buf.toString('utf8', start + 9, tab)) as Meta;
    return typeof meta?.k === 'string' ? { meta, tab } : undefined;
  } catch {
    return undefined;
  }
}

interface ScannedLine {
  meta: Meta;
  offset: number;
  length: number;
}

interface ScanResult {
  /** Bytes up to the end of the last complete line (and batch, for journals). */
  goodBytes: number;
  fileBytes: number;
}

/** Reads a file line by line; stops at the first bad line and reports where the good part ends. */
async function scanFile(
  path: string,
  options: { batches: boolean; verify: boolean },
  onLine: (line: ScannedLine) => void,
): Promise<ScanResult & { badLineFollowedByGood: boolean }> {
  const { batches, verify } = options;
  const handle = await open(path, 'r');
  try {
    const fileBytes = (await handle.stat()).size;
    let carry = Buffer.alloc(0);
    let position = 0;
    let goodBytes = 0;
    let batch: ScannedLine[] = [];
    let stopped = false;
    let badLineFollowedByGood = false;
    while (position < fileBytes && !stopped) {
      const chunk = Buffer.allocUnsafe(Math.min(CHUNK, fileBytes - position));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, position);
      const base = position - carry.length;
      position += bytesRead;
      const buf = carry.length ? Buffer.concat([carry, chunk.subarray(0, bytesRead)]) : chunk.subarray(0, bytesRead);
      let start = 0;
      for (;;) {
        const end = buf.indexOf(NEWLINE, start);
        if (end < 0) break;
        const decoded = decodeMeta(buf, start, end, verify);
        if (!decoded) {
          stopped = true;
          // A torn write only ever damages the tail: a good line after a bad one is corruption.
          badLineFollowedByGood = await hasGoodLineAfter(handle, base + end + 1, fileBytes);
          break;
        }
        const line = { meta: decoded.meta, offset: base + start, length: end + 1 - start };
        const remaining = batches && typeof decoded.meta.b === 'number' ? decoded.meta.b : 0;
        if (remaining > 0) batch.push(line);
        else {
          for (const l of batch) onLine(l);
          batch = [];
          onLine(line);
          goodBytes = line.offset + line.length;
        }
        start = end + 1;
      }
      carry = stopped ? Buffer.alloc(0) : Buffer.from(buf.subarray(start));
    }
    return { goodBytes, fileBytes, badLineFollowedByGood };
  } finally {
    await handle.close();
  }
}

async function hasGoodLineAfter(handle: import('node:fs/promises').FileHandle, from: number, fileBytes: number): Promise<boolean> {
  if (from >= fileBytes) return false;
  const rest = Buffer.allocUnsafe(Math.min(fileBytes - from, 64 * 1024 * 1024));
  const { bytesRead } = await handle.read(rest, 0, rest.length, from);
  let start = 0;
  for (;;) {
    const end = rest.indexOf(NEWLINE, start);
    if (end < 0 || end >= bytesRead) return false;
    if (decodeMeta(rest, start, end)) return true;
    start = end + 1;
  }
}

const writeAt = (fd: number, buf: Buffer, position: number) =>
  new Promise<void>((resolve, reject) => {
    write(fd, buf, 0, buf.length, position, (error, written) => {
      if (error) reject(error);
      else if (written !== buf.length) reject(new JournalError(`écriture partielle (${written}/${buf.length} octets)`));
      else resolve();
    });
  });
const syncData = (fd: number) => new Promise<void>((resolve, reject) => fdatasync(fd, (e) => (e ? reject(e) : resolve())));
function syncDirectorySync(dir: string): void {
  const fd = openSync(dir, constants.O_RDONLY);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
const truncateTo = (fd: number, size: number) => new Promise<void>((resolve, reject) => ftruncate(fd, size, (e) => (e ? reject(e) : resolve())));

interface PendingBatch {
  buf: Buffer;
  lines: Buffer[];
  puts: Put<Meta>[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

export interface JournalStats {
  liveKeys: number;
  deadLines: number;
  journalBytes: number;
  snapshotBytes: number;
  openMs: number;
  /** Bytes of a torn tail dropped at open (0 after a clean stop). */
  droppedBytes: number;
}

export interface OpenJournalOptions {
  /** Read only: no lock on files, a torn tail is ignored rather than truncated. */
  readOnly?: boolean;
  /** Called once per key as the index is (re)built, and on every put/delete. */
  onIndex?: (key: string, meta: Meta | undefined, previous: Meta | undefined) => void;
  log?: (message: string) => void;
}

export class Journal<M extends Meta = Meta> {
  private readonly index = new Map<string, Entry<M>>();
  private files = new Map<string, FileRef>();
  private active: FileRef | undefined;
  private activeGeneration = 0;
  private activeSize = 0;
  private snapshotBytes = 0;
  private closedJournalBytes = 0;
  private deadLines = 0;
  private queue: PendingBatch[] = [];
  private writing: Promise<void> | undefined;
  private broken: Error | undefined;
  private closed = false;
  private compacting: Promise<unknown> | undefined;
  private openMs = 0;
  private droppedBytes = 0;

  private constructor(
    readonly dir: string,
    private readonly manifest: Low<Manifest>,
    private readonly options: OpenJournalOptions,
  ) {}

  static async open<M extends Meta>(dir: string, options: OpenJournalOptions = {}): Promise<Journal<M>> {
    const started = performance.now();
    if (!options.readOnly) await mkdir(dir, { recursive: true, mode: 0o700 });
    const manifest = new Low<Manifest>(new DurableJSONFile<Manifest>(join(dir, 'manifest.json')), { format: 1, snapshot: null, firstJournal: 1 });
    await manifest.read();
    const journal = new Journal<M>(dir, manifest, options);
    await journal.load();
    journal.openMs = performance.now() - started;
    return journal;
  }

  private async load(): Promise<void> {
    const { snapshot, firstJournal } = this.manifest.data;
    const names = await readdir(this.dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' && this.options.readOnly) return [] as string[];
      throw error;
    });
    const journals = names
      .map((n) => /^journal-(\d+)\.jsonl$/.exec(n))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);

    if (snapshot !== null) {
      const name = snapshotName(snapshot);
      const result = await scanFile(join(this.dir, name), { batches: false, verify: false }, (line) => this.indexLine(name, line));
      if (result.goodBytes !== result.fileBytes) throw new JournalError(`instantané ${name} endommagé à l’octet ${result.goodBytes}`);
      this.snapshotBytes = result.fileBytes;
    }
    const live = journals.filter((g) => g >= firstJournal);
    for (const [i, generation] of live.entries()) {
      const name = journalName(generation);
      const path = join(this.dir, name);
      const last = i === live.length - 1;
      // Only the journal being written when the process stopped can hold a torn write.
      const result = await scanFile(path, { batches: true, verify: last }, (line) => this.indexLine(name, line));
      if (result.goodBytes < result.fileBytes) {
        if (!last || result.badLineFollowedByGood) {
          throw new JournalError(`journal ${name} corrompu à l’octet ${result.goodBytes} (des lignes valides suivent) : restaurer une sauvegarde`);
        }
        // A crash in the middle of an append: the unconfirmed tail is dropped.
        this.droppedBytes = result.fileBytes - result.goodBytes;
        this.options.log?.(`journal ${name} : ${this.droppedBytes} octets d’une écriture interrompue ignorés`);
        if (!this.options.readOnly) {
          const handle = await open(path, 'r+');
          await handle.truncate(result.goodBytes);
          await handle.sync();
          await handle.close();
        }
      }
      if (last) {
        this.activeGeneration = generation;
        this.activeSize = result.goodBytes;
      } else this.closedJournalBytes += result.goodBytes;
    }
    if (this.options.readOnly) return;

    // Leftovers of an interrupted compaction or of files already folded into the snapshot.
    for (const name of names) {
      const j = /^journal-(\d+)\.jsonl$/.exec(name);
      const s = /^snapshot-(\d+)\.jsonl$/.exec(name);
      const stale = (j && Number(j[1]) < firstJournal) || (s && Number(s[1]) !== snapshot) || name.endsWith('.tmp');
      if (stale) await unlink(join(this.dir, name)).catch(() => undefined);
    }
    if (this.activeGeneration === 0) this.activeGeneration = Math.max(firstJournal, 1);
    this.active = this.openFile(journalName(this.activeGeneration), 'w');
    await fsyncDirectory(this.dir);
  }

  private indexLine(name: string, line: ScannedLine): void {
    const file = this.files.get(name) ?? this.openFile(name, 'r');
    delete line.meta.b;
    this.applyIndex(line.meta as M, file, line.offset, line.length);
  }

  private applyIndex(meta: M, file: FileRef, offset: number, length: number): void {
    const previous = this.index.get(meta.k);
    if (previous) this.deadLines += 1;
    if (meta.d === 1) {
      this.index.delete(meta.k);
      this.deadLines += 1;
    } else this.index.set(meta.k, { meta, file, offset, length });
    this.options.onIndex?.(meta.k, meta.d === 1 ? undefined : meta, previous?.meta);
  }

  /** 'w': read-write, created if missing, not O_APPEND (positional writes must land where asked). */
  private openFile(name: string, mode: 'w' | 'r'): FileRef {
    const fd = openSync(join(this.dir, name), mode === 'w' ? constants.O_RDWR | constants.O_CREAT : constants.O_RDONLY, 0o600);
    const existing = this.files.get(name);
    if (existing) {
      // Index entries hold this FileRef: upgrade it in place.
      closeSync(existing.fd);
      existing.fd = fd;
      return existing;
    }
    const ref = { name, fd };
    this.files.set(name, ref);
    return ref;
  }

  get size(): number {
    return this.index.size;
  }

  has(key: string): boolean {
    return this.index.has(key);
  }

  meta(key: string): M | undefined {
    return this.index.get(key)?.meta;
  }

  *metas(): IterableIterator<M> {
    for (const entry of this.index.values()) yield entry.meta;
  }

  /** The body of the latest line for `key`, read from disk. */
  body<B>(key: string): B | undefined {
    const entry = this.index.get(key);
    if (!entry) return undefined;
    const buf = this.readRaw(entry);
    const decoded = decodeMeta(buf, 0, buf.length - 1);
    if (!decoded) throw new JournalError(`ligne illisible pour ${key} dans ${entry.file.name}`);
    return JSON.parse(buf.toString('utf8', decoded.tab + 1, buf.length - 1)) as B;
  }

  private readRaw(entry: Entry<M>): Buffer {
    const buf = Buffer.allocUnsafe(entry.length);
    let done = 0;
    while (done < entry.length) {
      const n = readSync(entry.file.fd, buf, done, entry.length - done, entry.offset + done);
      if (n === 0) throw new JournalError(`fin de fichier inattendue dans ${entry.file.name}`);
      done += n;
    }
    return buf;
  }

  /**
   * Appends puts (and deletes: `meta.d = 1`, body null) as one atomic batch: after a crash,
   * either all of them are there or none. Resolves after fsync, once the index shows them.
   */
  commit(puts: Put<M>[]): Promise<void> {
    if (this.options.readOnly) return Promise.reject(new JournalError('magasin ouvert en lecture seule'));
    if (this.closed) return Promise.reject(new JournalError('magasin fermé'));
    if (this.broken) return Promise.reject(this.broken);
    if (puts.length === 0) return Promise.resolve();
    const lines = puts.map((p, i) => encodeLine({ ...p.meta, b: puts.length - 1 - i }, p.body));
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ buf: lines.length === 1 ? lines[0]! : Buffer.concat(lines), lines, puts: puts as Put<Meta>[], resolve, reject });
      this.writing ??= this.drain();
    });
  }

  /** Group commit: whatever queued while the previous fsync ran goes in the next write. */
  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batches = this.queue;
        this.queue = [];
        if (this.broken) {
          for (const b of batches) b.reject(this.broken);
          continue;
        }
        const file = this.active!;
        const start = this.activeSize;
        const buf = batches.length === 1 ? batches[0]!.buf : Buffer.concat(batches.map((b) => b.buf));
        try {
          await writeAt(file.fd, buf, start);
          await syncData(file.fd);
        } catch (error) {
          // Never leave a partial line followed by good ones: cut back to the last good byte.
          try {
            await truncateTo(file.fd, start);
          } catch {
            this.broken = new JournalError('journal inutilisable après un échec d’écriture : redémarrer le service');
          }
          for (const b of batches) b.reject(error);
          continue;
        }
        this.activeSize += buf.length;
        let offset = start;
        for (const batch of batches) {
          batch.lines.forEach((line, i) => {
            this.applyIndex(batch.puts[i]!.meta as M, file, offset, line.length);
            offset += line.length;
          });
          batch.resolve();
        }
      }
    } finally {
      this.writing = undefined;
    }
  }

  stats(): JournalStats {
    return {
      liveKeys: this.index.size,
      deadLines: this.deadLines,
      journalBytes: this.closedJournalBytes + this.activeSize,
      snapshotBytes: this.snapshotBytes,
      openMs: this.openMs,
      droppedBytes: this.droppedBytes,
    };
  }

  /**
   * Folds everything into a new snapshot: only the latest line of each live key survives (so
   * erased or anonymised data really leaves the disk). Writes go on meanwhile, to a new journal.
   * `keep` may drop keys (e.g. old delivery receipts).
   */
  compact(keep: (meta: M) => boolean = () => true): Promise<JournalStats> {
    this.compacting ??= this.runCompaction(keep).finally(() => (this.compacting = undefined));
    return this.compacting as Promise<JournalStats>;
  }

  private async runCompaction(keep: (meta: M) => boolean): Promise<JournalStats> {
    if (this.options.readOnly) throw new JournalError('magasin ouvert en lecture seule');
    // Rotate between two group commits so that no batch straddles two journals: the check and
    // the swap run in one synchronous step after the last drain settled.
    while (this.writing) await this.writing;
    const generation = this.activeGeneration + 1;
    const oldNames = [...this.files.keys()];
    const frozen = new Map(this.index);
    const previousActiveSize = this.activeSize;
    this.active = this.openFile(journalName(generation), 'w');
    syncDirectorySync(this.dir); // the new journal's name must be durable before lines land in it
    this.activeGeneration = generation;
    this.activeSize = 0;
    this.closedJournalBytes += previousActiveSize;
    const deadAtRotation = this.deadLines;

    const name = snapshotName(generation);
    const temp = join(this.dir, `${name}.tmp`);
    const handle = await open(temp, 'w', 0o600);
    const placed = new Map<string, { offset: number; length: number }>();
    let size = 0;
    try {
      let chunk: Buffer[] = [];
      let chunkBytes = 0;
      for (const [key, entry] of frozen) {
        if (!keep(entry.meta)) continue;
        const raw = this.readRaw(entry);
        placed.set(key, { offset: size, length: raw.length });
        size += raw.length;
        chunk.push(raw);
        chunkBytes += raw.length;
        if (chunkBytes >= 1 << 20) {
          await handle.write(Buffer.concat(chunk));
          chunk = [];
          chunkBytes = 0;
        }
      }
      if (chunk.length) await handle.write(Buffer.concat(chunk));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, join(this.dir, name));
    await fsyncDirectory(this.dir);
    this.manifest.data = { format: 1, snapshot: generation, firstJournal: generation };
    await this.manifest.write(); // the commit point: from here on, opening uses the snapshot

    const snapshot = this.openFile(name, 'r');
    for (const [key, entry] of frozen) {
      if (this.index.get(key) !== entry) continue; // changed meanwhile: the new journal has it
      const where = placed.get(key);
      if (where) this.index.set(key, { ...entry, file: snapshot, ...where });
      else {
        this.index.delete(key);
        this.options.onIndex?.(key, undefined, entry.meta);
      }
    }
    for (const old of oldNames) {
      const ref = this.files.get(old)!;
      closeSync(ref.fd);
      this.files.delete(old);
      await unlink(join(this.dir, old)).catch(() => undefined);
    }
    await fsyncDirectory(this.dir);
    this.snapshotBytes = (await stat(join(this.dir, name))).size;
    this.closedJournalBytes = 0;
    // Lines written since the rotation that replaced a frozen one are the only dead ones left.
    this.deadLines = Math.max(0, this.deadLines - deadAtRotation);
    return this.stats();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true; // refuse new commits; the queued ones still land
    await this.compacting?.catch(() => undefined);
    while (this.writing) await this.writing;
    for (const ref of this.files.values()) closeSync(ref.fd);
    this.files.clear();
  }
}
