/**
 * Bad input: exit 2 with one line naming where, which field, and what was expected. The line stays
 * one line whatever it quotes (a JSON parser's message can hold the file's own newlines).
 */
export class InputError extends Error {
  readonly where: string;
  readonly field: string;
  readonly expected: string;
  constructor(where: string, field: string, expected: string) {
    const line = (s: string): string => s.replace(/\s*[\r\n]+\s*/g, ' ').trim();
    // An empty value (--rev '', a file named '') would print as nothing between two colons.
    const shown = (s: string): string => (line(s) === '' ? '(empty)' : line(s));
    super(`${shown(where)}: ${shown(field)}: expected ${line(expected)}`);
    this.where = shown(where);
    this.field = shown(field);
    this.expected = line(expected);
  }
}
