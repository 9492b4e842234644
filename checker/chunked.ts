/**
 * An append-only array of small integers in fixed chunks, so that growth never copies and never
 * holds twice the memory: the per-state trace links (parent id, action) live here.
 */

const CHUNK_BITS = 16;
const CHUNK = 1 << CHUNK_BITS;
const MASK = CHUNK - 1;

type IntArray = Int32Array | Uint16Array | Uint8Array;

export class ChunkedArray {
  private readonly chunks: IntArray[] = [];
  length = 0;

  constructor(private readonly make: (size: number) => IntArray) {}

  static int32(): ChunkedArray {
    return new ChunkedArray((n) => new Int32Array(n));
  }

  /** The narrowest unsigned array that holds every value below `limit`. */
  static unsignedBelow(limit: number): ChunkedArray {
    if (limit <= 256) return new ChunkedArray((n) => new Uint8Array(n));
    if (limit <= 65536) return new ChunkedArray((n) => new Uint16Array(n));
    return ChunkedArray.int32();
  }

  push(value: number): void {
    const c = this.length >>> CHUNK_BITS;
    if (c === this.chunks.length) this.chunks.push(this.make(CHUNK));
    this.chunks[c][this.length & MASK] = value;
    this.length++;
  }

  get(index: number): number {
    return this.chunks[index >>> CHUNK_BITS][index & MASK];
  }

  get bytes(): number {
    let total = 0;
    for (const c of this.chunks) total += c.byteLength;
    return total;
  }
}
