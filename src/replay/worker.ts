/** Runs a replay off the main thread, so that the main thread stays free to hear Ctrl-C. */
import { ADAPTERS } from '../adapter/registry.js';
import { InputError } from '../model/config.js';
import { serveRun } from '../worker/serve.js';
import { runReplay, type ReplaySummary } from './run.js';

export interface ReplayJob {
  readonly paths: readonly string[];
  readonly adapter: string;
  readonly sets: readonly string[];
}

/** What crosses back: the summary, or bad input as its three parts (structured cloning drops the class). */
export type ReplayJobResult = { readonly summary: ReplaySummary } | { readonly input: { readonly where: string; readonly field: string; readonly expected: string } };

serveRun<ReplayJob, never, ReplayJobResult>('the replay worker', (job, hooks) => {
  const factory = ADAPTERS.find((a) => a.name === job.adapter);
  if (factory === undefined) throw new Error(`no adapter ${job.adapter}`);
  try {
    return { summary: runReplay(job.paths, factory, job.sets, hooks.shouldStop) };
  } catch (e) {
    if (e instanceof InputError) return { input: { where: e.where, field: e.field, expected: e.expected } };
    throw e;
  } finally {
    factory.shutdown?.();
  }
});
