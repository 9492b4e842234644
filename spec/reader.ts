/**
 * The user side (design.md section 4): the lookup syscall, the read of a cached index and the scan.
 * A read or scan is a run of loads through the read-only mapping, one load per step, in the
 * protocol's order: published size (growth=published-size), seq, uid, gen, word 1, word 2, seq
 * again. The validation knob decides which of them are made and compared; a failed seq check
 * retries, a failed uid/gen check reports the owner gone.
 */
import { match } from 'ts-pattern';
import { RF_GEN_MISMATCH, RF_SAW_EMPTY, RF_SCAN, RF_FOREIGN, RF_STALE, RF_TORN, RF_UID_MISMATCH } from './codes.js';
import { ALIVE, EXITED, UNBORN, VIEW_MAPPED, VIEW_UNMAPPED, outcome } from './vocabulary.js';
import { READER_PCS, type ReaderPc, rpc } from './steps.js';
import { type Ctx, NOT_ENABLED, ownerAt, pageOf, readerAt, result, slotAt, TAKEN } from './context.js';
import { currentBits } from './current.js';
import { markSeqCopies, nextSeq } from './counters.js';
import { LINEARIZABLE_READ, NO_FAULT, NO_FOREIGN_READ, NO_STALE_READ, NO_TORN_READ, ZERO_IS_EMPTY } from './invariants.js';
import { GLOBAL, OWNER, PAGE, PAGE_FIELDS, READER, SLOT } from './layout.js';
import { noteAttributedRetry } from './history.js';

type Step = (c: Ctx, s: Uint8Array, at: number) => void;

const P = {
  idle: rpc('idle'),
  size: rpc('size'),
  seqBegin: rpc('seq-begin'),
  uid: rpc('uid'),
  gen: rpc('gen'),
  word1: rpc('word1'),
  word2: rpc('word2'),
  seqEnd: rpc('seq-end'),
} as const;

export function readerCanStart(c: Ctx, s: Uint8Array, r: number): boolean {
  const at = readerAt(c, r);
  return s[at + READER.pc] === P.idle && (c.readerOps < 0 || s[at + READER.ops] < c.readerOps);
}

function countOp(c: Ctx, s: Uint8Array, at: number): void {
  if (c.readerOps >= 0) s[at + READER.ops]++;
}

/** The first load of a read's attempt, and of a scan's once its index is chosen. */
function firstSlotLoad(c: Ctx, scan: boolean): number {
  if (c.checksSeq) return P.seqBegin;
  return scan || c.checksUid ? P.uid : P.word1;
}

function holdsPidNow(c: Ctx, s: Uint8Array, o: number): boolean {
  const phase = s[ownerAt(c, o) + OWNER.phase];
  return phase === ALIVE || phase === EXITED;
}

// ---- lookup ----

/**
 * The lookup syscall for owner `o`, answered with owner `answer`'s element (-1: ENOENT). By uid the
 * only possible answer is o's own element; by pid number it may be any linked element whose owner
 * had o's pid number, a reaped but not yet freed task's included (precision 2).
 */
export function lookup(c: Ctx, s: Uint8Array, r: number, o: number, answer: number): number {
  const oAt = ownerAt(c, o);
  if (c.byUid ? s[oAt + OWNER.phase] === UNBORN : !holdsPidNow(c, s, o)) return NOT_ENABLED;
  const matches = (x: number): boolean =>
    s[ownerAt(c, x) + OWNER.link] !== 0 && (c.byUid ? x === o : s[ownerAt(c, x) + OWNER.pid] === s[oAt + OWNER.pid]);
  if (answer >= 0 && !matches(answer)) return NOT_ENABLED;
  if (answer < 0) for (let x = 0; x < c.L.owners; x++) if (matches(x)) return NOT_ENABLED;

  const at = readerAt(c, r);
  countOp(c, s, at);
  if (answer < 0) {
    s.fill(0, at + READER.cacheOwner, at + READER.cacheGen + 1);
    result(c, outcome('gone'), o + 1, -1);
    return TAKEN;
  }
  const index = s[ownerAt(c, answer) + OWNER.link] - 1;
  const slot = slotAt(c, index);
  s[at + READER.cacheOwner] = o + 1;
  s[at + READER.cacheIndex] = index;
  s[at + READER.cacheIdent] = s[slot + SLOT.ident];
  s[at + READER.cacheGen] = s[slot + SLOT.gen];
  result(c, outcome('index'), o + 1, index, s[slot + SLOT.gen]);
  forgetIfDone(c, s, at);
  return TAKEN;
}

// ---- read and scan ----

/** The protocol's first load of a read (the published size, if checked) or of a scan. */
export function firstLoad(c: Ctx, kind: 'read' | 'scan'): number {
  return kind === 'read' && c.publishedSize ? P.size : firstSlotLoad(c, kind === 'scan');
}

/** A read of the cached index, for the owner the cache was filled for. */
export function startRead(c: Ctx, s: Uint8Array, r: number): number {
  const at = readerAt(c, r);
  const owner = s[at + READER.cacheOwner];
  if (owner === 0) return NOT_ENABLED;
  countOp(c, s, at);
  s[at + READER.target] = owner;
  s[at + READER.index] = s[at + READER.cacheIndex];
  s[at + READER.seen] = currentBits(c, s, s[at + READER.index], owner - 1);
  s[at + READER.pc] = firstLoad(c, 'read');
  STEPS[s[at + READER.pc]](c, s, at);
  return TAKEN;
}

/** A scan of `index`: below the published size, or anywhere in the reserved range. */
export function startScan(c: Ctx, s: Uint8Array, r: number, index: number): number {
  if (c.publishedSize && index >= s[c.L.global + GLOBAL.publishedSize]) return NOT_ENABLED;
  const at = readerAt(c, r);
  countOp(c, s, at);
  s[at + READER.index] = index;
  s[at + READER.flags] = RF_SCAN;
  s[at + READER.pc] = firstLoad(c, 'scan');
  STEPS[s[at + READER.pc]](c, s, at);
  return TAKEN;
}

function done(c: Ctx, s: Uint8Array, at: number): void {
  if (c.history) noteAttributedRetry(c, s, false);
  s[at + READER.pc] = P.idle;
  s.fill(0, at + READER.target, at + READER.seen + 1);
  forgetIfDone(c, s, at);
}

/** A reader with no operation left never reads its cache again: dropping it merges equal futures. */
function forgetIfDone(c: Ctx, s: Uint8Array, at: number): void {
  if (!c.literal && c.readerOps >= 0 && s[at + READER.ops] >= c.readerOps) s.fill(0, at + READER.cacheOwner, at + READER.cacheGen + 1);
}

function retry(c: Ctx, s: Uint8Array, at: number): void {
  const scan = (s[at + READER.flags] & RF_SCAN) !== 0;
  if (c.retryBound >= 0) {
    if (s[at + READER.retries] >= c.retryBound) {
      result(c, outcome('busy'), s[at + READER.target]);
      done(c, s, at);
      return;
    }
    s[at + READER.retries]++;
  }
  result(c, outcome('retry'), s[at + READER.target]);
  s[at + READER.flags] &= RF_SCAN;
  s[at + READER.w1] = 0;
  s[at + READER.w1For] = 0;
  s[at + READER.w2] = 0;
  s[at + READER.seq1] = 0;
  if (scan) {
    if (c.history) noteAttributedRetry(c, s, s[at + READER.target] !== 0);
    s[at + READER.target] = 0;
    s[at + READER.seen] = 0;
  }
  s[at + READER.pc] = firstLoad(c, scan ? 'scan' : 'read');
}

/**
 * A load of a slot field through the mapping. An unmapped page faults (the read ends with `fault`);
 * the zero page reads as zero whatever the kernel's memory holds. Returns -1 on a fault.
 */
function load(c: Ctx, s: Uint8Array, at: number, field: number): number {
  const index = s[at + READER.index];
  const view = s[c.L.page + pageOf(c, index) * PAGE_FIELDS + PAGE.view];
  if (view === VIEW_UNMAPPED) {
    c.bad |= NO_FAULT;
    result(c, outcome('fault'), s[at + READER.target], index);
    done(c, s, at);
    return -1;
  }
  return view === VIEW_MAPPED ? s[slotAt(c, index) + field] : 0;
}

const loadSize: Step = (c, s, at) => {
  if (s[at + READER.index] >= s[c.L.global + GLOBAL.publishedSize]) {
    result(c, outcome('not-visible'), s[at + READER.target], s[at + READER.index]);
    done(c, s, at);
    return;
  }
  s[at + READER.pc] = firstSlotLoad(c, false);
};

const loadSeqBegin: Step = (c, s, at) => {
  const seq = load(c, s, at, SLOT.seq);
  if (seq < 0) return;
  if ((seq & 1) !== 0) return retry(c, s, at);
  s[at + READER.seq1] = seq;
  s[at + READER.pc] = P.uid;
};

/** The owner a scan attributes a slot to: by uid, that owner; by pid number, the task holding it now. */
function ownerOfIdent(c: Ctx, s: Uint8Array, ident: number): number {
  if (ident === 0) return -1;
  if (c.byUid) return ident - 1;
  for (let o = 0; o < c.L.owners; o++) if (holdsPidNow(c, s, o) && s[ownerAt(c, o) + OWNER.pid] === ident) return o;
  return -1;
}

const loadUid: Step = (c, s, at) => {
  const ident = load(c, s, at, SLOT.ident);
  if (ident < 0) return;
  if ((s[at + READER.flags] & RF_SCAN) !== 0) {
    const owner = ownerOfIdent(c, s, ident);
    if (ident === 0) s[at + READER.flags] |= RF_UID_MISMATCH;
    if (owner >= 0) {
      s[at + READER.target] = owner + 1;
      s[at + READER.seen] = currentBits(c, s, s[at + READER.index], owner);
    }
  } else if (ident !== s[at + READER.cacheIdent]) {
    s[at + READER.flags] |= RF_UID_MISMATCH;
  }
  if (ident === 0) s[at + READER.flags] |= RF_SAW_EMPTY;
  s[at + READER.pc] = c.checksGen ? P.gen : P.word1;
};

const loadGen: Step = (c, s, at) => {
  const gen = load(c, s, at, SLOT.gen);
  if (gen < 0) return;
  if ((s[at + READER.flags] & RF_SCAN) === 0 && gen !== s[at + READER.cacheGen]) s[at + READER.flags] |= RF_GEN_MISMATCH;
  if (gen === 0) s[at + READER.flags] |= RF_SAW_EMPTY;
  s[at + READER.pc] = P.word1;
};

/**
 * zero-is-empty judges what the reader validated: the uid and gen it loaded. A read that loads
 * neither (validation=none) is judged on the slot as its words are loaded.
 */
function notesEmpty(c: Ctx, s: Uint8Array, at: number): void {
  if (c.checksUid || (s[at + READER.flags] & RF_SCAN) !== 0) return;
  const slot = slotAt(c, s[at + READER.index]);
  const view = s[c.L.page + pageOf(c, s[at + READER.index]) * PAGE_FIELDS + PAGE.view];
  if (view !== VIEW_MAPPED || s[slot + SLOT.ident] === 0 || s[slot + SLOT.gen] === 0) s[at + READER.flags] |= RF_SAW_EMPTY;
}

const loadWord1: Step = (c, s, at) => {
  const w1 = load(c, s, at, SLOT.w1);
  if (w1 < 0) return;
  s[at + READER.w1] = w1;
  s[at + READER.w1For] = load(c, s, at, SLOT.w1For);
  notesEmpty(c, s, at);
  s[at + READER.pc] = P.word2;
};

const loadWord2: Step = (c, s, at) => {
  const w2 = load(c, s, at, SLOT.w2);
  if (w2 < 0) return;
  const w2For = load(c, s, at, SLOT.w2For);
  notesEmpty(c, s, at);
  const target = s[at + READER.target];
  const w1For = s[at + READER.w1For];
  if (w2 !== s[at + READER.w1]) s[at + READER.flags] |= RF_TORN;
  // design.md section 6: a word is the target's only if it was written for the target (its create's
  // zero included); a word zeroed by a destroy or a page's zeroing, or never written, is nobody's.
  if (target !== 0 && (w1For !== target || w2For !== target)) s[at + READER.flags] |= RF_STALE;
  if (target !== 0 && ((w1For !== 0 && w1For !== target) || (w2For !== 0 && w2For !== target))) s[at + READER.flags] |= RF_FOREIGN;
  s[at + READER.w2] = w2;
  if (c.checksSeq) s[at + READER.pc] = P.seqEnd;
  else decide(c, s, at);
};

const loadSeqEnd: Step = (c, s, at) => {
  const seq = load(c, s, at, SLOT.seq);
  if (seq < 0) return;
  // The design compares the two values it loaded; spec/counters.ts says when a copy may be marked stale.
  if ((seq & 1) !== 0 || seq !== s[at + READER.seq1]) return retry(c, s, at);
  decide(c, s, at);
};

/** The end of an attempt whose seq check (if any) passed: gone, or the value accepted. */
function decide(c: Ctx, s: Uint8Array, at: number): void {
  const flags = s[at + READER.flags];
  const target = s[at + READER.target];
  const scan = (flags & RF_SCAN) !== 0;
  const mismatch = scan
    ? (flags & RF_UID_MISMATCH) !== 0
    : (c.checksUid && (flags & RF_UID_MISMATCH) !== 0) || (c.checksGen && (flags & RF_GEN_MISMATCH) !== 0);
  if (mismatch) {
    result(c, outcome('gone'), target, s[at + READER.index]);
    done(c, s, at);
    return;
  }
  const w1 = s[at + READER.w1];
  const w2 = s[at + READER.w2];
  if ((flags & RF_STALE) !== 0) c.bad |= NO_STALE_READ;
  if ((flags & RF_FOREIGN) !== 0) c.bad |= NO_FOREIGN_READ;
  if ((flags & RF_TORN) !== 0) c.bad |= NO_TORN_READ;
  if ((flags & RF_SAW_EMPTY) !== 0) c.bad |= ZERO_IS_EMPTY;
  // A word nobody wrote is still the current value when it is the element's zero (zeroOnRecycle=no before the
  // first update): what is not current is another owner's word, a torn pair, or a value never current.
  if (target !== 0 && ((flags & (RF_FOREIGN | RF_TORN)) !== 0 || (s[at + READER.seen] & (1 << w1)) === 0)) c.bad |= LINEARIZABLE_READ;
  result(c, outcome('value'), target, w1, w2);
  done(c, s, at);
}

const idle: Step = () => undefined;

const stepFor = (pc: ReaderPc): Step =>
  match(pc)
    .with('idle', () => idle)
    .with('size', () => loadSize)
    .with('seq-begin', () => loadSeqBegin)
    .with('uid', () => loadUid)
    .with('gen', () => loadGen)
    .with('word1', () => loadWord1)
    .with('word2', () => loadWord2)
    .with('seq-end', () => loadSeqEnd)
    .exhaustive();

const STEPS: readonly Step[] = READER_PCS.map(stepFor);

/** A plain-seq writer stores the value it loaded a step before, + 1 (counters are literal then). */
export function storeSeq(c: Ctx, s: Uint8Array, index: number, value: number): void {
  s[slotAt(c, index) + SLOT.seq] = value & 0xff;
}

const pastFirstSeqLoad = (s: Uint8Array, at: number): boolean => s[at + READER.pc] > P.seqBegin;

/** An atomic seq + 1 of slot `index` (writers=single). */
export function bumpSeq(c: Ctx, s: Uint8Array, index: number): void {
  const at = slotAt(c, index) + SLOT.seq;
  s[at] = nextSeq(c, s[at]);
  if (c.checksSeq) markSeqCopies(c, s, index, pastFirstSeqLoad);
}

/** The next load of the reader's read or scan; false when it has none under way. */
export function continueRead(c: Ctx, s: Uint8Array, r: number): number {
  const at = readerAt(c, r);
  if (s[at + READER.pc] === P.idle) return NOT_ENABLED;
  STEPS[s[at + READER.pc]](c, s, at);
  return TAKEN;
}

/** A read or scan under way (reader-progress: it must end with an observation). */
export function readerPending(c: Ctx, s: Uint8Array, r: number): boolean {
  return s[readerAt(c, r) + READER.pc] !== P.idle;
}
