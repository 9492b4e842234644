/** The mailing-list text's rerun lines: split to fit 72 columns, and pasted back into a shell they are the one command. */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { commandLines, MAIL_WIDTH } from '../../src/report/review-text.js';

/** What bash makes of the lines as words, printed one per line. */
const words = (lines: readonly string[]): string[] => execFileSync('bash', ['-c', `printf '%s\\n' ${lines.join('\n')}`], { encoding: 'utf8' }).trimEnd().split('\n');

describe('a rerun command in the mail text', () => {
  it.each([
    ['a plain one', "npx lsmc check model/hazard-12-create-race.json --set zeroOnRecycle=no --no-por --continue"],
    ['a path with spaces and an apostrophe', "npx lsmc check '/tmp/audit/bob'\\''s livelock model.json' --set readRetry=unbounded --set writers=single --no-por --continue"],
  ])('splits %s with a backslash, each line in 72 columns, and bash reads it back word for word', (_what, command) => {
    const lines = commandLines(command, MAIL_WIDTH);
    expect(lines.length).toBeGreaterThan(1);
    for (const l of lines) expect(l.length, l).toBeLessThanOrEqual(MAIL_WIDTH);
    for (const l of lines.slice(0, -1)) expect(l.endsWith(' \\')).toBe(true);
    expect(words(lines)).toEqual(words([command]));
  });
});
