/** Runs a simulation off the main thread, so that the main thread stays free to draw progress and to hear Ctrl-C. */
import { serveRun } from '../worker/serve.js';
import { runSimulation, type SimulationReport, type SimulationRequest } from './run.js';
import type { SearchProgress } from './search.js';

await serveRun<SimulationRequest, SearchProgress, SimulationReport>('the simulate worker', runSimulation);
