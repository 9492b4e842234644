/**
 * npm run soak: parse, set up, run, report, exit (0 no violation, 1 a violation, 2 bad input,
 * 4 an internal error). Progress goes to stderr, a live line on a terminal.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../model/config.js';
import { PAUSE_ONE_IN, parseSoakArgs, SOAK } from './soak-options.js';
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
