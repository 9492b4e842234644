/**
 * `lsmc simulate` for people and for tools. Everything on stdout is a function of the request and
 * the seed, so that two runs with the same seed print the same bytes; timings go only to the
 * stderr summary line and to the two JSON fields named for them.
 */
import { round } from '../report/json.js';
import { PLAIN, type Style } from '../report/style.js';
import { renderViolation } from '../report/text.js';
import type { SimulationReport } from './run.js';
import type { SearchProgress } from './search.js';

const num = (n: number): string => n.toLocaleString('en-US');

export function renderSimulation(r: SimulationReport, style: Style = PLAIN): string {
  const out: string[] = [];
  if (r.result === 'violation' && r.trace !== null) {
    const steps = r.trace.states.length - 1;
    const how = `${steps} steps, shrunk from ${r.originalLength} in ${num(r.shrinkTries)} tries; walk ${num(r.runs)} of ${num(r.requestedRuns)} found it`;
    out.push(...renderViolation(r.invariant ?? '', r.explanation ?? '', how, r.trace, style));
  } else if (r.result === 'ok') {
    out.push(`${style.good(`No violation in ${num(r.runs)} random walks`)} of up to ${num(r.depth)} steps: ${r.checked.map(style.invariant).join(', ')} held on every state and step visited.`);
    out.push('  Random walks prove nothing about the states they did not reach, and liveness (reader-progress) is not simulated.');
  } else {
    out.push(`${style.partial(`Interrupted after ${num(r.runs)} of ${num(r.requestedRuns)} walks`)} with no violation found.`);
  }
  out.push(`  ${num(r.runs)} walks, ${num(r.steps)} steps, seed ${r.seed}`);
  out.push(`  model ${r.model}: ${Object.entries(r.config).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  for (const note of r.notes) out.push(`  Note: ${note}`);
  out.push(`Rerun: ${r.rerun}`);
  return out.join('\n');
}

/** The one JSON object `--json` prints; `seconds` and `stepsPerSecond` last, the only timings. */
export function simulationJson(r: SimulationReport): Record<string, unknown> {
  return {
    result: r.result,
    runs: r.runs,
    requestedRuns: r.requestedRuns,
    steps: r.steps,
    depth: r.depth,
    seed: r.seed,
    ...(r.invariant === null ? {} : { invariant: r.invariant }),
    ...(r.explanation === null ? {} : { explanation: r.explanation }),
    ...(r.originalLength === null ? {} : { originalLength: r.originalLength }),
    ...(r.shrunkLength === null ? {} : { shrunkLength: r.shrunkLength, shrinkTries: r.shrinkTries }),
    checked: r.checked,
    model: r.model,
    config: r.config,
    rerun: r.rerun,
    notes: r.notes,
    ...(r.itf === null ? {} : { trace: r.itf }),
    seconds: round(r.seconds, 3),
    stepsPerSecond: r.stepsPerSecond,
  };
}

export function progressLine(p: SearchProgress, requestedRuns: number): string {
  const rate = p.seconds > 0 ? Math.round(p.steps / p.seconds) : 0;
  if (p.phase === 'search')
    return `lsmc simulate: ${num(p.runs)} of ${num(requestedRuns)} walks, ${num(p.steps)} steps, ${num(rate)} steps/s, ${p.seconds.toFixed(0)} s`;
  return `lsmc simulate: walk ${num(p.runs)} broke ${p.invariant}; shrinking: ${num(p.shrinkTries ?? 0)} tries, ${num(p.shortest ?? 0)} steps so far, ${p.seconds.toFixed(0)} s`;
}

/** The last line on stderr: what was done, how fast, and how to do it again. */
export function summaryLine(r: SimulationReport): string {
  return `lsmc simulate: ${num(r.runs)} walks, ${num(r.steps)} steps, ${num(r.stepsPerSecond)} steps/s, ${r.seconds.toFixed(1)} s, seed ${r.seed} (--seed ${r.seed} to rerun)`;
}
