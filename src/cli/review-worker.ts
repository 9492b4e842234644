/** Runs one row of a review off the main thread; the main thread keeps a pool of these (src/cli/worker-run.ts). */
import type { Progress } from '../../checker/explore.js';
import type { Row } from '../review/matrix.js';
import { type RowRequest, runRow } from '../review/run.js';
import { serveRun } from '../worker/serve.js';

await serveRun<RowRequest, Progress, Row>('review-worker', runRow);
