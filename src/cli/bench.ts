/** `npm run bench [-- --json | --markdown FILE]`: the measurements of bench/, after checking the command line. */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runBench } from '../../bench/bench.js';
import { measureKernel } from '../../bench/kernel.js';
import { FIGURES_MARK, figuresMarkdown, measureFigures } from '../../bench/figures.js';
import { checkOutputFile } from '../fs/output.js';
import { InputError } from '../model/config.js';
import { type CommandSpec, errorLine, helpText, parseCommand, quietOnClosedPipe, wantsHelp } from './command.js';

const BENCH = {
  invocation: 'npm run bench --',
  summary: 'states per second, bytes per state and replay speed on fixed configurations',
  usage: '[--json | --markdown FILE | --adapter kernel]',
  about:
    'Explores model/reads.json with and without symmetry, and model/hazard-11-zero-on-recycle.json with the fingerprinted explorer and with the plain-Map explorer of the tests, reporting distinct states, transitions, depth, seconds, states per second and bytes per state; then replays every committed generated trace against the reference implementation and reports steps per second. docs/numbers.md says how long it takes.\n\nWith --markdown FILE it first times the commands the README shows, as a user runs them (lsmc check on the reference configuration, lsmc gen, a hazard, lsmc simulate, lsmc replay of the committed suite, npm run test:unit), and writes every figure into FILE with the machine, the load and the date: docs/numbers.md is that page. It takes a few minutes longer than without.',
  positionals: [],
  options: {
    json: { type: 'boolean', help: 'print one JSON object on stdout instead of the lines' },
    adapter: { type: 'string', arg: 'kernel', help: 'measure the kernel prototype instead: a validated read against a bare load and the pidfd syscall, and replay of the committed traces on the real kernel' },
    markdown: { type: 'string', arg: 'FILE', help: 'also time the README\'s commands and write every figure as a page (docs/numbers.md); FILE must be new or a page this wrote' },
  },
  exits: '0 measured, 2 bad input, 4 a configuration did not pass or a committed trace did not replay.',
  examples: ['npm run bench', 'npm run bench -- --adapter kernel', 'npm run bench -- --json > bench.json', 'npm run bench -- --markdown docs/numbers.md'],
} as const satisfies CommandSpec;

/** The package root, from dist/src/cli. */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');

const ourPage = (path: string): boolean => readFileSync(path, 'utf8').startsWith(FIGURES_MARK);

quietOnClosedPipe();
const args = process.argv.slice(2);
try {
  if (wantsHelp(args)) process.stdout.write(`${helpText(BENCH)}\n`);
  else {
    const { values } = parseCommand(BENCH, args);
    const page = values.markdown;
    if (page !== undefined && values.json === true) throw new InputError('npm run bench', '--markdown', 'no --json with it (the page is the output)');
    if (values.adapter !== undefined && values.adapter !== 'kernel') throw new InputError('npm run bench', '--adapter', 'kernel (the only adapter the bench measures on its own)');
    if (values.adapter !== undefined && page !== undefined) throw new InputError('npm run bench', '--adapter', 'no --markdown with it');
    if (values.adapter !== undefined) {
      const figures = await measureKernel(join(ROOT, 'generated-tests', 'traces'), (line) => {
        if (values.json !== true) process.stdout.write(`${line}\n`);
      });
      if (values.json === true) process.stdout.write(`${JSON.stringify(figures)}\n`);
    } else if (page === undefined) await runBench(values.json === true);
    else {
      checkOutputFile('--markdown', page, ourPage, 'a page npm run bench wrote');
      const figures = await measureFigures((line) => process.stdout.write(`${line}\n`));
      writeFileSync(page, figuresMarkdown(figures));
      process.stdout.write(`bench: wrote ${page}\n`);
    }
  }
} catch (e) {
  if (e instanceof InputError) {
    process.stderr.write(`${errorLine('bench', e)}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 4;
  }
}
