/** `npm run bench [-- --json]`: the measurements of bench/bench.ts, after checking the command line. */
import { runBench } from '../../bench/bench.js';
import { InputError } from '../model/config.js';
import { type CommandSpec, errorLine, helpText, parseCommand, quietOnClosedPipe, wantsHelp } from './command.js';

const BENCH = {
  invocation: 'npm run bench --',
  summary: 'states per second, bytes per state and replay speed on fixed configurations',
  usage: '[--json]',
  about:
    'Explores model/reads.json with and without symmetry, and model/hazard-11-zero-on-recycle.json with the fingerprinted explorer and with the plain-Map explorer of the tests, reporting distinct states, transitions, depth, seconds, states per second and bytes per state; then replays every committed generated trace against the reference implementation and reports steps per second. It takes about three minutes on two cores.',
  positionals: [],
  options: { json: { type: 'boolean', help: 'print one JSON object on stdout instead of the lines' } },
  exits: '0 measured, 2 bad input, 4 a configuration did not pass or a committed trace did not replay.',
  examples: ['npm run bench', 'npm run bench -- --json > bench.json'],
} as const satisfies CommandSpec;

quietOnClosedPipe();
const args = process.argv.slice(2);
try {
  if (wantsHelp(args)) process.stdout.write(`${helpText(BENCH)}\n`);
  else runBench(parseCommand(BENCH, args).values.json === true);
} catch (e) {
  if (e instanceof InputError) {
    process.stderr.write(`${errorLine('bench', e)}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 4;
  }
}
