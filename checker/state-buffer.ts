/**
 * A growable run of fixed-size packed states, with the id of each: one BFS level of the queue.
 * Stored in fixed chunks, so that a level of a hundred million states never needs one huge
 * allocation or a copy to grow; states are copied in and out word by word, creating no views.
 */
const CHUNK_STATES = 1 << 16;

export class StateBuffer {
  private readonly words: Int32Array[] = [];
  private readonly ids: Int32Array[] = [];
  count = 0;

  constructor(private readonly stateWords: number) {}

  push(state: Int32Array, id: number): void {
    const c = Math.floor(this.count / CHUNK_STATES);
    if (c === this.words.length) {
      this.words.push(new Int32Array(CHUNK_STATES * this.stateWords));
      this.ids.push(new Int32Array(CHUNK_STATES));
    }
    const at = this.count - c * CHUNK_STATES;
    const w = this.stateWords;
    const words = this.words[c];
    const base = at * w;
    for (let k = 0; k < w; k++) words[base + k] = state[k];
    this.ids[c][at] = id;
    this.count++;
  }

  /** Copies state `index` into `out`; returns its id. */
  read(index: number, out: Int32Array): number {
    const c = Math.floor(index / CHUNK_STATES);
    const at = index - c * CHUNK_STATES;
    const w = this.stateWords;
    const words = this.words[c];
    const base = at * w;
    for (let k = 0; k < w; k++) out[k] = words[base + k];
    return this.ids[c][at];
  }

  /** Empties the level but keeps its first chunk for reuse. */
  clear(): void {
    this.count = 0;
    this.words.length = Math.min(this.words.length, 1);
    this.ids.length = Math.min(this.ids.length, 1);
  }

  get bytes(): number {
    return this.words.length * CHUNK_STATES * (this.stateWords + 1) * 4;
  }
}
