/**
 * npm run soak: parse, set up, run, report, exit (0 no violation, 1 a violation, 2 bad input,
 * 4 an internal error). Progress goes to stderr, a live line on a terminal.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../model/config.js';
import { PAUSE_ONE_IN, parseSoakArgs, SOAK, type SoakOptions } from './soak-options.js';
import { REFERENCE_KNOBS } from '../../spec/knobs.js';
import { kernelUnavailable } from '../kernel/available.js';
import { applyOverrides, loadConfigFile } from '../model/config.js';
import { type KernelSoakResult, runKernelSoak } from '../soak/kernel.js';
import { errorLine, helpText, quietOnClosedPipe, wantsHelp } from './command.js';
import { renderSoak, type SoakContext, soakJson, soakProgressLine, violationsOf } from '../soak/report.js';
import { Soak } from '../soak/run.js';
import { soakSetup } from '../soak/setup.js';

/** The package root, from dist/src/cli. */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const DEFAULT_MODEL = 'model/reference.json';

async function main(argv: readonly string[]): Promise<number> {
  if (wantsHelp(argv)) {
    process.stdout.write(`${helpText(SOAK)}\n`);
    return 0;
  }
  const opts = parseSoakArgs(argv);
  if (opts.adapter === 'kernel') return kernelSoak(opts);
  const setup = soakSetup(opts.model ?? resolve(ROOT, DEFAULT_MODEL), opts.sets, opts.writers, opts.readers);
  const ctx: SoakContext = { setup, modelArg: opts.model ?? DEFAULT_MODEL, sets: opts.sets, writers: opts.writers, readers: opts.readers, pauseUs: opts.pauseUs, pauseOneIn: PAUSE_ONE_IN };
  const tty = process.stderr.isTTY === true;
  const soak = new Soak({ setup, seconds: opts.seconds, writers: opts.writers, readers: opts.readers, pauseUs: opts.pauseUs, pauseOneIn: PAUSE_ONE_IN, progressEveryMs: tty ? 500 : 5000 });
  const onSignal = (): void => {
    process.stderr.write(`${tty ? '\r\x1b[K' : ''}soak: interrupted, finishing with a partial report\n`);
    soak.interrupt();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let live = false;
  const result = await soak.run((t) => {
    const line = soakProgressLine(t, opts.seconds);
    if (tty) {
      process.stderr.write(`\r\x1b[K${line}`);
      live = true;
    } else process.stderr.write(`${line}\n`);
  });
  if (live) process.stderr.write('\r\x1b[K');
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  process.stdout.write(opts.json ? `${JSON.stringify(soakJson(ctx, result))}\n` : `${renderSoak(ctx, result)}\n`);
  return violationsOf(result) > 0 ? 1 : result.interrupted ? 3 : 0;
}

/** The soak on the real kernel: one line per figure, `violations: N` last but the verdict. */
async function kernelSoak(opts: SoakOptions): Promise<number> {
  const why = kernelUnavailable();
  if (why !== null) throw new InputError('--adapter', 'kernel', `an adapter that can run here (${why})`);
  const config = applyOverrides(loadConfigFile(opts.model ?? resolve(ROOT, DEFAULT_MODEL)).config, opts.sets);
  const changed = Object.entries(config.knobs).filter(([k, v]) => REFERENCE_KNOBS[k as keyof typeof REFERENCE_KNOBS] !== v);
  const variant = changed.length === 0 ? 'the reference design' : changed.map(([k, v]) => `${k}=${v}`).join(' ');
  const ignore = (): void => undefined;
  // lsmc-soak hears Ctrl-C itself (same process group) and ends with its report.
  process.on('SIGINT', ignore);
  process.stderr.write(`soak: the kernel prototype in ${variant}, ${opts.seconds} s...\n`);
  let r: KernelSoakResult;
  try {
    r = await runKernelSoak(config, opts.seconds);
  } finally {
    process.off('SIGINT', ignore);
  }
  const total = Object.values(r.violations).reduce((a, b) => a + b, 0);
  if (opts.json) process.stdout.write(`${JSON.stringify({ adapter: 'kernel', variant, ...r, violationCount: total })}\n`);
  else {
    const n = (x: number): string => Math.round(x).toLocaleString('en-US');
    process.stdout.write(
      [
        `kernel soak: ${variant}, ${r.seconds.toFixed(1)} s${r.interrupted ? ' (interrupted)' : ''}`,
        `  owners: ${n(r.owners)} ${config.knobs.ownerKind === 'cgroup' ? 'real cgroups churned (each with a real process in it)' : 'real processes churned'}; operations run whole by BPF hooks: ${n(r.events)} (${n(r.skipped)} events found no kernel context or owner record free)`,
        `  reads: ${n(r.reads)} (${n(r.reads / r.seconds)} per second), accepted ${n(r.accepted)}, retries ${n(r.retries)}, busy ${n(r.busy)}, gone ${n(r.gone)}, not visible ${n(r.notVisible)}`,
        `  ${Object.entries(r.violations).map(([k, v]) => `${k} ${n(v)}`).join(', ')}`,
        `violations: ${n(total)}`,
      ].join('\n') + '\n',
    );
  }
  return total > 0 ? 1 : r.interrupted ? 3 : 0;
}

quietOnClosedPipe();
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof InputError) {
      process.stderr.write(`${errorLine('soak', e)}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`soak: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = 4;
    }
  },
);
