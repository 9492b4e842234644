/**
 * One sentence per violation that says why the invariant broke, in the design's words, from the last
 * step of the counterexample and the states around it.
 */
import { match } from 'ts-pattern';
import { observationText, type Plain, type Record_, type StepInfo } from './describe.js';
import type { InvariantName } from './invariants.js';

export type Verdict = InvariantName | 'deadlock';

const get = (r: Plain | undefined, ...path: (string | number)[]): Plain | undefined => {
  let v: Plain | undefined = r;
  for (const p of path) {
    if (v === undefined || typeof v !== 'object') return undefined;
    v = (v as Record<string, Plain>)[p as string];
  }
  return v;
};

const entries = (r: Plain | undefined): [string, Plain][] => (r !== undefined && typeof r === 'object' ? Object.entries(r) : []);

/** `subject`: for a liveness violation, the actor that never makes progress (e.g. "reader R1"). */
export function explainViolation(invariant: Verdict, last: StepInfo | null, before: Record_, after: Record_, subject: string | null = null): string {
  const label = last?.actorLabel ?? 'the initial state';
  const who = label.charAt(0).toUpperCase() + label.slice(1);
  const obs = last === null ? '' : observationText(last.observation);
  const owner = last?.observation.owner ?? 'none';
  return match(invariant)
    .with('unique-slot', () => {
      const byIndex = new Map<Plain, string[]>();
      for (const [name, o] of entries(after.owners)) {
        const link = get(o, 'link');
        if (link !== -1 && link !== undefined) byIndex.set(link, [...(byIndex.get(link) ?? []), name]);
      }
      const shared = [...byIndex.entries()].find(([, names]) => names.length > 1);
      return shared ? `Owners ${shared[1].join(' and ')} are both linked to index ${String(shared[0])}.` : 'Two linked elements share an index.';
    })
    .with('no-stale-read', () => {
      const writer = get(before.readers, last?.actor ?? '', 'word1For');
      const from = writer !== undefined && writer !== owner && writer !== 'none' ? `owner ${String(writer)}` : 'another owner';
      return `${who} accepted ${obs} as owner ${owner}'s value, but the words it read were written for ${from}.`;
    })
    .with('no-torn-read', () => `${who} accepted ${obs}: its two words come from different writes, and its validation did not notice the write in progress.`)
    .with('linearizable-read', () => `${who} accepted ${obs}, which was never owner ${owner}'s current value while the read was under way.`)
    .with('no-fault', () => `${who} loaded from index ${String(last?.observation.index)}, whose page is not mapped in user space.`)
    .with('covered', () => {
      for (const [name, o] of entries(after.owners)) {
        const link = get(o, 'link');
        if (typeof link === 'number' && link >= 0)
          return `Owner ${name} is linked to index ${link}, which readers may not touch (published size ${String(after.publishedSize)}).`;
      }
      return 'A linked index lies outside the part of the mapping readers may touch.';
    })
    .with('zero-is-empty', () => `${who} accepted ${obs} from a slot that held no initialised element (uid 0 or gen 0) when it read the value.`)
    .with('no-leak', () => {
      const held = (after.slots as readonly Plain[]).map((s, i) => [i, get(s, 'alloc')] as const).filter(([, a]) => a !== 'free' && a !== 'grace');
      const list = held.map(([i, a]) => `index ${i} (allocated to ${String(a)})`).join(', ');
      return `Every owner is freed and every actor idle, yet ${list} ${held.length === 1 ? 'is' : 'are'} never returned to the allocator.`;
    })
    .with('no-create-after-free', () => `${who} linked a new element for owner ${String(last?.picks.owner ?? get(before.kernel, last?.actor ?? '', 'owner'))} after that owner was freed.`)
    .with('no-write-after-reuse', () => {
      const k = get(before.kernel, last?.actor ?? '');
      const index = get(k, 'index');
      const slotOwner = typeof index === 'number' ? get(after.slots, index, 'alloc') : undefined;
      return `${who} wrote into index ${String(index)} for owner ${String(get(k, 'owner'))} after the index had been reallocated to owner ${String(slotOwner)}.`;
    })
    .with('reader-progress', () => {
      const reader = subject ?? 'A reader';
      return `${reader.charAt(0).toUpperCase()}${reader.slice(1)} retries its read for ever while the loop below repeats: it never returns an observation.`;
    })
    .with('deadlock', () => {
      const busy = [...entries(after.kernel), ...entries(after.readers)].filter(([, r]) => get(r, 'step') !== 'idle').map(([n]) => n);
      return `No actor can take a step, yet ${busy.join(', ') || 'an owner'} ${busy.length === 1 ? 'is' : 'are'} still in the middle of an operation.`;
    })
    .exhaustive();
}
