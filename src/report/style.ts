/**
 * What a text report marks for the eye: the verdict, the invariant, and the values a step changed.
 * Reports are plain unless the command line hands them the colour style, which it does only for a
 * terminal (so files, pipes, tests and committed outputs stay byte for byte the same).
 */
import pc from 'picocolors';

export interface Style {
  /** A verdict that something broke: "Invariant ... is violated.", DIVERGED. */
  readonly bad: (text: string) => string;
  /** A verdict that all held. */
  readonly good: (text: string) => string;
  /** A verdict that says the run stopped before it could decide. */
  readonly partial: (text: string) => string;
  readonly invariant: (text: string) => string;
  /** A changed value: what it was and what it became. */
  readonly was: (text: string) => string;
  readonly now: (text: string) => string;
}

const same = (text: string): string => text;

export const PLAIN: Style = { bad: same, good: same, partial: same, invariant: same, was: same, now: same };

const c = pc.createColors(true);
export const COLOUR: Style = {
  bad: (t) => c.bold(c.red(t)),
  good: (t) => c.bold(c.green(t)),
  partial: (t) => c.bold(c.yellow(t)),
  invariant: (t) => c.bold(c.magenta(t)),
  was: (t) => c.dim(t),
  now: (t) => c.bold(c.cyan(t)),
};

/**
 * Colour for a stream: only on a terminal that is not "dumb", never with --no-color or a non-empty
 * NO_COLOR (no-color.org), always with a FORCE_COLOR other than 0 (for a pager: `| less -R`).
 */
export function styleFor(stream: { readonly isTTY?: boolean }, env: NodeJS.ProcessEnv, noColorFlag: boolean): Style {
  if (noColorFlag || (env.NO_COLOR ?? '') !== '') return PLAIN;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return COLOUR;
  return stream.isTTY === true && env.TERM !== 'dumb' ? COLOUR : PLAIN;
}
