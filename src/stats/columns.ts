// Compact columns for the statistics indexes: each distinct text is stored once (dictionary
// codes), numbers live in typed arrays. 100,000 referrals then take a few megabytes and one
// aggregation pass is a tight loop over arrays.

/** Text ↔ small integer; 0 stands for "unknown" (null). */
export class Dict {
  readonly values: (string | null)[] = [null];
  private readonly ids = new Map<string, number>();

  id(value: string | null | undefined): number {
    if (value === null || value === undefined || value === '') return 0;
    let id = this.ids.get(value);
    if (id === undefined) {
      id = this.values.length;
      this.values.push(value);
      this.ids.set(value, id);
    }
    return id;
  }

  /** The code of a value already seen, or -1 (a filter on a value never seen matches nothing). */
  find(value: string): number {
    return this.ids.get(value) ?? -1;
  }

  value(id: number): string | null {
    return this.values[id] ?? null;
  }

  get size(): number {
    return this.values.length;
  }
}

type TypedArray = Float64Array | Int32Array | Uint8Array | Uint16Array;
type TypedCtor<T extends TypedArray> = { new (length: number): T };

/** A typed array that grows by doubling; `data` may be replaced, read it after `ensure`. */
export class Column<T extends TypedArray> {
  data: T;
  constructor(
    private readonly ctor: TypedCtor<T>,
    capacity = 1024,
    private readonly fill?: number,
  ) {
    this.data = new ctor(capacity);
    if (fill !== undefined) this.data.fill(fill);
  }

  ensure(length: number): void {
    if (length <= this.data.length) return;
    let size = this.data.length;
    while (size < length) size *= 2;
    const next = new this.ctor(size);
    if (this.fill !== undefined) next.fill(this.fill);
    next.set(this.data as never);
    this.data = next;
  }
}

export const f64 = (fill = Number.NaN) => new Column(Float64Array, 1024, fill);
export const i32 = () => new Column(Int32Array);
export const u16 = () => new Column(Uint16Array);
export const u8 = () => new Column(Uint8Array);
