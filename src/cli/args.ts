/**
 * Command-line parsing shared by every command: node's parseArgs, strict, with its errors turned
 * into the one-line InputError (exit 2) that names the option and what was expected.
 */
import { parseArgs } from 'node:util';
import { match } from 'ts-pattern';
import { InputError } from '../model/config.js';

type Options = Parameters<typeof parseArgs>[0] extends infer T ? (T extends { options?: infer O } ? O : never) : never;

/** `where` names the command in errors; `help` is where a user finds the known options. */
export function parseCommandLine<O extends NonNullable<Options>>(where: string, args: readonly string[], options: O, positionals: boolean, help = 'lsmc --help') {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: positionals, strict: true });
  } catch (e) {
    const err = e as Error & { code?: string };
    const option = /'(-[^' ]+)/.exec(err.message)?.[1] ?? 'arguments';
    const expected = match(err.code)
      .with('ERR_PARSE_ARGS_UNKNOWN_OPTION', () => `a known option (see ${help})`)
      .with('ERR_PARSE_ARGS_INVALID_OPTION_VALUE', () => 'a value after it')
      .with('ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL', () => `no extra arguments (see ${help})`)
      .otherwise(() => `valid arguments (${err.message})`);
    throw new InputError(where, option, expected);
  }
}
