/** `lsmc knobs`: every knob with its values (reference first), every bound, every invariant. */
import { DEADLOCK } from '../../checker/explore.js';
import { INVARIANTS, LIVENESS } from '../../spec/invariants.js';
import { BOUNDS, KNOBS, UNBOUNDABLE } from '../../spec/knobs.js';

const DEADLOCK_ABOUT = 'no state where no actor can move while an operation is still under way (checked unless --invariant narrows the run)';

export function knobsJson(): Record<string, unknown> {
  return {
    knobs: Object.entries(KNOBS).map(([name, k]) => ({ name, values: k.values, reference: k.values[0], about: k.about })),
    bounds: Object.entries(BOUNDS).map(([name, b]) => ({ name, min: b.min, max: b.max, unboundable: UNBOUNDABLE.includes(name as keyof typeof BOUNDS), about: b.about })),
    invariants: [
      ...INVARIANTS.map((i) => ({ name: i.name, kind: i.kind === 'state' ? 'state' : 'step', about: i.about })),
      ...LIVENESS.map((l) => ({ name: l.name, kind: 'liveness', about: l.about })),
      { name: DEADLOCK, kind: 'deadlock', about: DEADLOCK_ABOUT },
    ],
  };
}

export function renderKnobs(): string {
  const lines: string[] = ['Knobs (--set knob=value; the reference design is the first value):'];
  for (const [name, k] of Object.entries(KNOBS)) lines.push(`  ${name.padEnd(14)} ${k.values.join(' | ').padEnd(40)} ${k.about}`);
  lines.push('', 'Bounds (--set bound=N):');
  for (const [name, b] of Object.entries(BOUNDS)) {
    const range = `${b.min}..${b.max}${UNBOUNDABLE.includes(name as keyof typeof BOUNDS) ? ' | unbounded' : ''}`;
    lines.push(`  ${name.padEnd(14)} ${range.padEnd(40)} ${b.about}`);
  }
  lines.push('', 'Invariants (--invariant NAME):');
  for (const i of INVARIANTS) lines.push(`  ${i.name.padEnd(21)} ${i.kind.padEnd(9)} ${i.about}`);
  for (const l of LIVENESS) lines.push(`  ${l.name.padEnd(21)} ${'liveness'.padEnd(9)} ${l.about}`);
  lines.push(`  ${DEADLOCK.padEnd(21)} ${'deadlock'.padEnd(9)} ${DEADLOCK_ABOUT}`);
  return lines.join('\n');
}
