/**
 * One table per command: its options, each with the line its help prints, its exit codes and an
 * example. The parser accepts exactly the options the help lists, because both are built from it;
 * `--help` is added to every command, and an unknown option or command gets the nearest known one.
 */
import { didYouMean } from '../model/nearest.js';
import { parseArgs } from 'node:util';
import { match } from 'ts-pattern';
import { InputError } from '../model/config.js';
import { wrap } from '../report/wrap.js';

export interface OptionDoc {
  readonly type: 'string' | 'boolean';
  readonly multiple?: boolean;
  /** What the value is called in the help, e.g. FILE. */
  readonly arg?: string;
  readonly help: string;
}

export interface CommandSpec<O extends Record<string, OptionDoc> = Record<string, OptionDoc>> {
  /** How a user invokes it: `lsmc check`, `npm run soak --`. */
  readonly invocation: string;
  readonly summary: string;
  /** What follows the invocation in the usage line, e.g. `[CONFIG] [options]`. */
  readonly usage: string;
  /** Paragraphs printed between the usage and the options; may be empty. */
  readonly about: string;
  /** Positional arguments, each with its one line; none means none are accepted. */
  readonly positionals: readonly (readonly [string, string])[];
  readonly options: O;
  readonly exits: string;
  readonly examples: readonly string[];
}

const HELP_OPTION = { type: 'boolean', help: 'print this help and exit 0' } as const;


export function helpText(spec: CommandSpec): string {
  const entries: (readonly [string, string])[] = [
    ...spec.positionals,
    ...Object.entries(spec.options).map(([name, o]) => [`--${name}${o.arg === undefined ? '' : ` ${o.arg}`}`, o.help] as const),
    ['-h, --help', HELP_OPTION.help],
  ];
  const column = Math.min(24, Math.max(...entries.map(([l]) => l.length)) + 2);
  const rows = entries.flatMap(([label, text]) => {
    const body = wrap(text, column + 2);
    const first = label.length + 2 > column ? [`  ${label}`, ...body.map((b) => `  ${' '.repeat(column)}${b}`)] : [`  ${label.padEnd(column)}${body[0] ?? ''}`, ...body.slice(1).map((b) => `  ${' '.repeat(column)}${b}`)];
    return first;
  });
  return [
    `Usage: ${spec.invocation} ${spec.usage}`,
    '',
    ...(spec.about === '' ? [spec.summary] : spec.about.split('\n\n').flatMap((p, i) => [...(i > 0 ? [''] : []), ...wrap(p, 0)])),
    '',
    ...rows,
    '',
    ...wrap(`Exit codes: ${spec.exits}`, 0),
    '',
    spec.examples.length === 1 ? 'Example:' : 'Examples:',
    ...spec.examples.map((e) => `  ${e}`),
  ].join('\n');
}

/** `--help` or `-h` anywhere among the arguments. */
export const wantsHelp = (args: readonly string[]): boolean => args.includes('--help') || args.includes('-h');

/**
 * The command line's options as the table types them, or an InputError (exit 2) naming the
 * option and what was expected, with the nearest known option for a misspelt one.
 */
export function parseCommand<O extends Record<string, OptionDoc>>(spec: CommandSpec<O>, args: readonly string[]) {
  const options = Object.fromEntries(Object.entries(spec.options).map(([k, o]) => [k, { type: o.type, multiple: o.multiple === true }])) as {
    [K in keyof O]: { type: O[K]['type']; multiple: O[K]['multiple'] extends true ? true : false };
  };
  // A value that looks like an option (--max-states -5) is taken as the value, so that the check
  // of the value can say what was wrong with it rather than that it is missing.
  const argv: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const takesValue = args[i].startsWith('--') && spec.options[args[i].slice(2)]?.type === 'string';
    if (takesValue && /^-[0-9.]/.test(args[i + 1] ?? '')) argv.push(`${args[i]}=${args[++i]}`);
    else argv.push(args[i]);
  }
  try {
    return parseArgs({ args: argv, options, allowPositionals: spec.positionals.length > 0, strict: true });
  } catch (e) {
    const err = e as Error & { code?: string };
    const option = /'(-[^' ]+)/.exec(err.message)?.[1] ?? 'arguments';
    const help = `${spec.invocation} --help`;
    const known = Object.keys(spec.options).map((k) => `--${k}`);
    const expected = match(err.code)
      .with('ERR_PARSE_ARGS_UNKNOWN_OPTION', () => `a known option (see ${help})${didYouMean(option, known)}`)
      .with('ERR_PARSE_ARGS_INVALID_OPTION_VALUE', () => 'a value after it')
      .with('ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL', () => `no extra arguments (see ${help})`)
      .otherwise(() => `valid arguments (${err.message})`);
    throw new InputError(spec.invocation, option, expected);
  }
}

let running = 'lsmc';

/** What every line this process writes to stderr starts with: `lsmc check`, `lsmc review`, or `lsmc` before a command is known. */
export const prefix = (): string => running;

/** Called once the command is known, so that errors found anywhere below it name it. */
export function setCommand(command: string): void {
  running = `lsmc ${command}`;
}

/** The one line an InputError prints: an error that names its command already carries its prefix. */
export function errorLine(prefix: string, e: InputError): string {
  // Only a command itself (`lsmc review`, `npm run bench`), not a file that happens to be named lsmc.json.
  return /^(lsmc( [a-z]+)?|npm run [a-z:-]+( --)?)$/.test(e.where) ? e.message : `${prefix}: ${e.message}`;
}

/** `lsmc ... | head` closes the pipe early; that ends the command quietly, as it does for cat. */
export function quietOnClosedPipe(): void {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  });
}
