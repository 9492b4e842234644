/**
 * The `Rerun:` line: a command that can be pasted into a shell as it is, in the form the README
 * shows (`npx lsmc ...`), with every word quoted where the shell would otherwise split or expand it.
 */

/** One word as a POSIX shell reads it back unchanged. */
export function shellWord(word: string): string {
  if (/^[A-Za-z0-9_./,:=@%+-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

export const rerunCommand = (args: readonly string[]): string => ['npx', 'lsmc', ...args].map(shellWord).join(' ');
