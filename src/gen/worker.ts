/** Runs one generation job off the main thread, so that the main thread stays free to draw progress and to hear Ctrl-C. */
import type { Progress } from '../../checker/explore.js';
import { serveRun } from '../worker/serve.js';
import { hazardFiles, manifestSuite, runSuite } from './files.js';
import type { GenJob } from './job.js';

await serveRun<GenJob, Progress, unknown>('the gen worker', (job, hooks) => {
  if (job.kind === 'suite') return runSuite(job.modelArg, job.modelPath, job.sets, hooks, { gzip: job.gzip });
  if (job.kind === 'manifest-suite') return manifestSuite(job.entry, job.modelDir, hooks);
  const files = hazardFiles(job.hazards, job.modelDir, hooks);
  return 'interrupted' in files ? files : { files };
});
