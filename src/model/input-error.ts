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
    // An empty value (--rev '') would print as nothing between two colons.
    const shown = line(field) === '' ? '(empty)' : line(field);
    super(`${line(where)}: ${shown}: expected ${line(expected)}`);
    this.where = line(where);
    this.field = shown;
    this.expected = line(expected);
  }
}
