/**
 * A growable run of fixed-size packed states, with the id of each: one BFS level of the queue.
 * States are copied in and out word by word, so that the hot loop creates no views.
 */
export class StateBuffer {
  words: Int32Array;
  ids: Int32Array;
  count = 0;

  constructor(private readonly stateWords: number, initialStates = 1024) {
    this.words = new Int32Array(initialStates * stateWords);
    this.ids = new Int32Array(initialStates);
  }

  push(state: Int32Array, id: number): void {
    const w = this.stateWords;
    if (this.count === this.ids.length) this.grow();
    const base = this.count * w;
    const words = this.words;
    for (let k = 0; k < w; k++) words[base + k] = state[k];
    this.ids[this.count++] = id;
  }

  /** Copies state `index` into `out`; returns its id. */
  read(index: number, out: Int32Array): number {
    const w = this.stateWords;
    const base = index * w;
    const words = this.words;
    for (let k = 0; k < w; k++) out[k] = words[base + k];
    return this.ids[index];
  }

  clear(): void {
    this.count = 0;
  }

  get bytes(): number {
    return this.words.byteLength + this.ids.byteLength;
  }

  private grow(): void {
    const words = new Int32Array(this.words.length * 2);
    words.set(this.words);
    const ids = new Int32Array(this.ids.length * 2);
    ids.set(this.ids);
    this.words = words;
    this.ids = ids;
  }
}
