/**
 * The fast-check arbitrary of walks: a swarm (weights for the walk) and `depth` choices, so that
 * every walk may go as deep as asked (fast-check's own arrays draw random lengths, most of them
 * short). fast-check draws the swarm and the seed of a stream of choices; the stream draws a
 * choice only when the walk gets to it, since most walks end long before `depth` when the actors'
 * operation budgets run out, and drawing every choice up front would cost more than the walk.
 * Shrinking offers fast-check, in order:
 * the walk cut to the choices it used (the rest never mattered, and fast-check would otherwise
 * spend its effort on them one by one); the walk with actions cut out (see reductions.ts),
 * re-encoded as choices; then fast-check's own array shrinks of the choices (drop some, lower them
 * towards 0, which picks the first enabled action). The swarm is kept: re-encoding reproduces the
 * same actions under any swarm, so changing it could not shorten a trace. A budget of tries keeps
 * shrinking bounded and still deterministic.
 */
import * as fc from 'fast-check';
import { type PathShape, reductions } from './reductions.js';
import { CHOICE_RANGE, type Choices, type Swarm, SWARM_LEVELS } from './walk.js';

export interface Walk {
  readonly swarm: Swarm;
  readonly choices: Choices;
}

/** `length` choices below CHOICE_RANGE from a seed, drawn (mulberry32) and kept as they are asked for. */
export class ChoiceStream implements Choices {
  private readonly drawn: number[] = [];
  private state: number;

  constructor(
    readonly length: number,
    seed: number,
  ) {
    this.state = seed | 0;
  }

  at(index: number): number | undefined {
    if (index < 0 || index >= this.length) return undefined;
    while (this.drawn.length <= index) {
      this.state = (this.state + 0x6d2b79f5) | 0;
      let t = Math.imul(this.state ^ (this.state >>> 15), this.state | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      this.drawn.push((t ^ (t >>> 14)) >>> 1);
    }
    return this.drawn[index];
  }
}

/** The first `length` choices as an array. */
export function prefix(choices: Choices, length: number): number[] {
  return Array.from({ length: Math.min(length, choices.length) }, (_, i) => choices.at(i) ?? 0);
}

/**
 * What the shrinker needs from the search. The walks it makes come from here, already judged on
 * the way (following a path costs a walk), so that the property need not walk them again.
 */
export interface ShrinkControl {
  /** The actions `walk` took (as many as the choices it used); `walk` was just judged. */
  path(walk: Walk): readonly number[];
  /** `walk` with only its first `length` choices: the same walk, if those are all it used. */
  cut(walk: Walk, length: number): Walk;
  /** The walk that takes exactly `actions` under `swarm`, or null if they are not a walk. */
  follow(swarm: Swarm, actions: readonly number[]): Walk | null;
  /** Who takes each action and which actions continue an operation, for cutting whole operations. */
  readonly shape: PathShape;
  /** False once shrinking must end: the try budget is spent, or the run was interrupted. */
  mayGoOn(): boolean;
}

export class WalkArbitrary extends fc.Arbitrary<Walk> {
  private readonly streamSeed = fc.integer();
  private readonly choicesShrinker: fc.Arbitrary<number[]>;
  private readonly swarm: fc.Arbitrary<Swarm>;

  constructor(
    private readonly depth: number,
    swarmShape: { readonly actors: number; readonly kinds: number },
    private readonly control: ShrinkControl,
  ) {
    super();
    this.choicesShrinker = fc.array(fc.nat({ max: CHOICE_RANGE - 1 }), { maxLength: depth });
    const levels = (n: number) => fc.array(fc.integer({ min: 0, max: SWARM_LEVELS - 1 }), { minLength: n, maxLength: n });
    this.swarm = fc.record({ actor: levels(swarmShape.actors), kind: levels(swarmShape.kinds) });
  }

  generate(mrng: fc.Random, biasFactor: number | undefined): fc.Value<Walk> {
    const swarm = this.swarm.generate(mrng, biasFactor).value_;
    const seed = this.streamSeed.generate(mrng, undefined).value_;
    return new fc.Value({ swarm, choices: new ChoiceStream(this.depth, seed) }, undefined);
  }

  canShrinkWithoutContext(value: unknown): value is Walk {
    if (typeof value !== 'object' || value === null || !('swarm' in value) || !('choices' in value)) return false;
    const choices = value.choices instanceof ChoiceStream ? prefix(value.choices, value.choices.length) : value.choices;
    return this.swarm.canShrinkWithoutContext(value.swarm) && this.choicesShrinker.canShrinkWithoutContext(choices);
  }

  /** `context` is fast-check's array-shrinker context for the choices, when the value came from it. */
  shrink(value: Walk, context: unknown): fc.Stream<fc.Value<Walk>> {
    const control = this.control;
    if (!control.mayGoOn()) return fc.Stream.nil();
    const { swarm } = value;
    const path = control.path(value);
    if (path.length < value.choices.length) return fc.Stream.of(new fc.Value(control.cut(value, path.length), undefined));
    const cuts = function* (): Generator<fc.Value<Walk>> {
      for (const shorter of reductions(path, control.shape)) {
        if (!control.mayGoOn()) return;
        const walk = control.follow(swarm, shorter);
        if (walk !== null) yield new fc.Value(walk, undefined);
      }
    };
    const arrayShrinks = this.choicesShrinker.shrink(prefix(value.choices, value.choices.length), context).map((v) => new fc.Value<Walk>({ swarm, choices: v.value_ }, v.context));
    return new fc.Stream(cuts()).join(arrayShrinks).takeWhile(() => control.mayGoOn());
  }
}
