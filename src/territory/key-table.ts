// A string → numbers index for tens of thousands of keys that are ranges of one big string:
// an open-addressing hash table in typed arrays. Unlike a Map, it keeps no string nor object per
// key, so building it for all the names of France leaves the garbage collector little to copy
// and the process little resident memory.

function hashRange(s: string, from: number, to: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Accumulates (range of text, value) entries, then freezes them into a KeyTable. */
export class KeyTableBuilder {
  // Typed arrays: their contents live outside the garbage-collected heap.
  private from: Int32Array;
  private to: Int32Array;
  private values: Int32Array;
  private length = 0;

  constructor(
    private readonly text: string,
    capacity = 1024,
  ) {
    this.from = new Int32Array(capacity);
    this.to = new Int32Array(capacity);
    this.values = new Int32Array(capacity);
  }

  add(from: number, to: number, value: number): void {
    if (this.length === this.from.length) {
      const grow = (a: Int32Array): Int32Array => {
        const b = new Int32Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.from = grow(this.from);
      this.to = grow(this.to);
      this.values = grow(this.values);
    }
    this.from[this.length] = from;
    this.to[this.length] = to;
    this.values[this.length++] = value;
  }

  /** `keepMax`: a repeated key keeps one value, the largest (see KeyTable.max). */
  build(keepMax = false): KeyTable {
    const n = this.length;
    return new KeyTable(this.text, this.from.slice(0, n), this.to.slice(0, n), this.values.slice(0, n), keepMax);
  }
}

export class KeyTable {
  /** slot → 1 + index of the first entry with that key; 0 when free. */
  private readonly slots: Int32Array;
  /** entry → next entry with the same key, -1 at the end. */
  private readonly next: Int32Array;
  private readonly mask: number;

  constructor(
    private readonly text: string,
    private readonly from: Int32Array,
    private readonly to: Int32Array,
    private readonly values: Int32Array,
    keepMax = false,
  ) {
    let size = 16;
    while (size < from.length * 2) size *= 2;
    this.mask = size - 1;
    this.slots = new Int32Array(size);
    this.next = new Int32Array(from.length).fill(-1);
    const last = new Int32Array(from.length); // chain tail, valid at chain heads
    for (let e = 0; e < from.length; e++) {
      const a = from[e]!;
      const b = to[e]!;
      for (let slot = hashRange(text, a, b) & this.mask; ; slot = (slot + 1) & this.mask) {
        const head = this.slots[slot]! - 1;
        if (head < 0) {
          this.slots[slot] = e + 1;
          last[e] = e;
          break;
        }
        if (this.sameRange(head, a, b)) {
          if (keepMax) values[head] = Math.max(values[head]!, values[e]!);
          else {
            this.next[last[head]!] = e;
            last[head] = e;
          }
          break;
        }
      }
    }
  }

  private sameRange(entry: number, a: number, b: number): boolean {
    const c = this.from[entry]!;
    if (this.to[entry]! - c !== b - a) return false;
    for (let i = 0; i < b - a; i++) if (this.text.charCodeAt(a + i) !== this.text.charCodeAt(c + i)) return false;
    return true;
  }

  private head(key: string): number {
    for (let slot = hashRange(key, 0, key.length) & this.mask; ; slot = (slot + 1) & this.mask) {
      const e = this.slots[slot]! - 1;
      if (e < 0) return -1;
      const c = this.from[e]!;
      if (this.to[e]! - c === key.length && this.text.startsWith(key, c)) return e;
    }
  }

  has(key: string): boolean {
    return this.head(key) >= 0;
  }

  /** For a table built with keepMax: the largest value of this key, 0 when none. */
  max(key: string): number {
    const e = this.head(key);
    return e < 0 ? 0 : this.values[e]!;
  }

  /** The values of this key, in the order they were added (empty when none). */
  get(key: string): number[] {
    const out: number[] = [];
    for (let e = this.head(key); e >= 0; e = this.next[e]!) out.push(this.values[e]!);
    return out;
  }

  get size(): number {
    return this.from.length;
  }
}
