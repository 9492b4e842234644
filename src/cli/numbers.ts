/** Numbers on the command line: one line naming the flag and what it expects, never a silent default. */
import { InputError } from '../model/config.js';

/** What a flag's number must be: decimal digits (a fraction if not `integer`), from `min` to `max`. */
export interface NumberRule {
  readonly integer: boolean;
  readonly min: number;
  readonly max: number;
  /** The rule in words, for the error line. */
  readonly expected: string;
}

/** `text` as a number that keeps `rule`, undefined when the flag was not given. */
export function numberIn(flag: string, text: string | undefined, rule: NumberRule): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  const ok = /^[0-9]+(\.[0-9]+)?$/.test(text) && (!rule.integer || Number.isInteger(n)) && n >= rule.min && n <= rule.max;
  if (!ok) throw new InputError(flag, text, rule.expected);
  return n;
}

/** `text` as a whole number from `min` to `max`, undefined when the flag was not given. */
export const integerIn = (flag: string, text: string | undefined, min: number, max: number): number | undefined =>
  numberIn(flag, text, { integer: true, min, max, expected: `an integer from ${min} to ${max}` });

export function positiveNumber(flag: string, text: string | undefined, integer: boolean): number | undefined {
  return numberIn(flag, text, { integer, min: Number.MIN_VALUE, max: Number.MAX_VALUE, expected: integer ? 'a positive integer' : 'a positive number of seconds' });
}
