/** Runs one row of a review off the main thread: a thread of the command line's pool (src/cli/worker-run.ts) or of lsmc worker (src/queue/redis.ts). */
import type { Progress } from '../../checker/explore.js';
import type { Row } from './matrix.js';
import { type RowRequest, runRow } from './run.js';
import { serveRun } from '../worker/serve.js';

await serveRun<RowRequest, Progress, Row>('the review worker', runRow);
