/** Runs a check off the main thread, so that the main thread stays free to draw progress and to hear Ctrl-C. */
import type { Progress } from '../../checker/explore.js';
import { type CheckReport, type CheckRequest, runCheckOn } from '../check/run.js';
import { serveRun } from '../worker/serve.js';

await serveRun<CheckRequest, Progress, CheckReport>('check-worker', runCheckOn);
