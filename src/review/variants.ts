/**
 * The rows of a design review: the configuration as given (the reference design, as a rule), then
 * the variants to weigh against it. By default each other value of every knob, one at a time; `knobs` narrows that to the named
 * knobs; `product` takes every combination of their values instead. A combination the spec cannot
 * run (ownerIdentity=pid with cgroup owners, say) is left out with the reason, not dropped silently.
 */
import { configProblem } from '../../spec/index.js';
import { type Config, KNOBS, type KnobName, type Knobs, REFERENCE_KNOBS } from '../../spec/knobs.js';

export interface Variant {
  /** `reference` (or `as configured`, when the configuration changes knobs), or the knobs changed from it as `knob=value` joined by spaces (the --set a user would type). */
  readonly name: string;
  readonly changes: Readonly<Partial<Record<KnobName, string>>>;
  readonly config: Config;
}

export interface Variants {
  readonly rows: readonly Variant[];
  /** Combinations the spec cannot run, and why. */
  readonly left: readonly { readonly name: string; readonly why: string }[];
}

function variantOf(base: Config, changes: Partial<Record<KnobName, string>>): Variant {
  const entries = Object.entries(changes).filter(([k, v]) => base.knobs[k as KnobName] !== v);
  const knobs = { ...base.knobs, ...Object.fromEntries(entries) } as Knobs;
  const isReference = (Object.keys(KNOBS) as KnobName[]).every((k) => base.knobs[k] === REFERENCE_KNOBS[k]);
  const name = entries.length > 0 ? entries.map(([k, v]) => `${k}=${v}`).join(' ') : isReference ? 'reference' : 'as configured';
  return { name, changes: Object.fromEntries(entries), config: { knobs, bounds: base.bounds } };
}

export function reviewVariants(base: Config, knobs: readonly KnobName[] | null, product: boolean): Variants {
  const names = knobs ?? (Object.keys(KNOBS) as KnobName[]);
  const wanted: Partial<Record<KnobName, string>>[] = [{}];
  if (product) {
    let combos: Partial<Record<KnobName, string>>[] = [{}];
    for (const k of names) combos = combos.flatMap((c) => (KNOBS[k].values as readonly string[]).map((v) => ({ ...c, [k]: v })));
    wanted.push(...combos);
  } else {
    for (const k of names) for (const v of KNOBS[k].values as readonly string[]) if (v !== base.knobs[k]) wanted.push({ [k]: v });
  }
  const rows: Variant[] = [];
  const left: { name: string; why: string }[] = [];
  const seen = new Set<string>();
  for (const changes of wanted) {
    const v = variantOf(base, changes);
    if (seen.has(v.name)) continue;
    seen.add(v.name);
    const problem = configProblem(v.config);
    if (problem === null) rows.push(v);
    else left.push({ name: v.name, why: `${problem.field}: expected ${problem.expected}` });
  }
  return { rows, left };
}
