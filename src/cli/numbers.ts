/** Numbers on the command line: one line naming the flag and what it expects, never a silent default. */
import { InputError } from '../model/config.js';

export function positiveNumber(flag: string, text: string | undefined, integer: boolean): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  const ok = /^[0-9]+(\.[0-9]+)?$/.test(text) && n > 0 && (!integer || Number.isInteger(n));
  if (!ok) throw new InputError(flag, text, integer ? 'a positive integer' : 'a positive number of seconds');
  return n;
}
