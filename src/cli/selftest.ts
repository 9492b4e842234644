/**
 * `lsmc selftest TRACE... --out DIR [--set knob=value ...]`: traces as C selftests in the BPF
 * selftests' shape, with everything they need to build and run here (make -C DIR, then
 * DIR/build/test_progs). With --set, the traces' steps and observations are kept and the variant
 * changed: a hazard's selftest made with its knob put back fails, naming the step, in the
 * reference design. Exit 0 written, 2 bad input.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { checkOutputDir } from '../fs/output.js';
import { InputError } from '../model/config.js';
import { loadTrace, traceFiles } from '../replay/load.js';
import { MANIFEST, selftestFiles } from '../selftest/generate.js';
import { type CommandSpec, parseCommand } from './command.js';

export const SELFTEST = {
  invocation: 'lsmc selftest',
  summary: 'turn ITF traces into C selftests for the kernel prototype, in the BPF selftests\' shape',
  usage: 'TRACE... --out DIR [options]',
  about:
    'Writes DIR/prog_tests/lsmc_traces.c with one test__start_subtest per trace (each step a call into the kernel prototype\'s driver, then ASSERT_EQs named by the step\'s number and action), the prototype\'s BPF object under DIR/progs/, the driver\'s sources, and a Makefile with a minimal stand-in for test_progs. Build and run them with make -C DIR && DIR/build/test_progs (as root). DIR must be new or one lsmc selftest wrote.',
  positionals: [['TRACE...', 'trace files or directories']],
  options: {
    out: { type: 'string', arg: 'DIR', help: 'the directory to write (new, or one lsmc selftest wrote)' },
    set: { type: 'string', multiple: true, arg: 'knob=value', help: 'run every trace\'s steps in another variant (its observations stay what the trace says)' },
  },
  exits: '0 written, 2 bad input.',
  examples: ['lsmc selftest generated-tests/traces/hazards --out /tmp/lsmc-selftests', 'lsmc selftest generated-tests/traces/hazards/hazard-01-slot-reuse-aba.itf.json --set validation=seq-uid-gen --out /tmp/aba-fixed'],
} as const satisfies CommandSpec;

/** DIR is new, or every file in it (outside build/, which its Makefile writes) is one lsmc selftest listed. */
function guard(dir: string): void {
  checkOutputDir('--out', dir);
  if (!existsSync(dir)) return;
  const listed = existsSync(join(dir, MANIFEST)) ? new Set(readFileSync(join(dir, MANIFEST), 'utf8').split('\n').filter((l) => l !== '')) : new Set<string>();
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const full = join(d, name);
      const rel = relative(dir, full);
      if (rel === 'build') continue;
      if (statSync(full).isDirectory()) walk(full);
      else if (!listed.has(rel)) throw new InputError('--out', dir, `a new directory or one lsmc selftest wrote (${full} is not a file lsmc selftest wrote; refusing to overwrite it)`);
    }
  };
  walk(dir);
}

export function selftestCommand(args: readonly string[]): number {
  const { values, positionals } = parseCommand(SELFTEST, args);
  if (positionals.length === 0) throw new InputError('lsmc selftest', 'TRACE', 'at least one trace file or directory');
  const out = values.out;
  if (out === undefined) throw new InputError('lsmc selftest', '--out', 'a directory to write the selftests into');
  guard(out);
  const sets = values.set ?? [];
  const traces = traceFiles(positionals).map((f) => loadTrace(f, sets));
  const made = sets.length === 0 ? 'each trace in its own variant' : `with --set ${sets.join(' --set ')}`;
  const files = selftestFiles(traces, made);
  for (const [name, text] of files) {
    mkdirSync(dirname(join(out, name)), { recursive: true });
    writeFileSync(join(out, name), text);
  }
  process.stdout.write(`lsmc selftest: wrote ${out}: ${traces.length} subtest(s) in prog_tests/lsmc_traces.c (${made}); build and run: make -C ${out} && ${join(out, 'build', 'test_progs')}\n`);
  return 0;
}
