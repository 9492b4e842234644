/** Replay results for people: one line per run, and a divergence laid out side by side. */
import type { ReplaySummary } from '../replay/run.js';
import { PLAIN, type Style } from './style.js';

const n = (x: number): string => x.toLocaleString('en-US');

export function renderReplay(s: ReplaySummary, style: Style = PLAIN): string {
  const lines: string[] = [];
  const rate = s.seconds > 0 ? Math.round(s.steps / s.seconds) : s.steps;
  for (const o of s.outcomes) {
    if (o.kind === 'match') {
      if (o.reproduced !== null) lines.push(`match     ${o.file} (${o.steps} steps): ${o.reproduced}`);
      continue;
    }
    if (o.kind === 'skipped') {
      lines.push(`skipped   ${o.file} (${o.steps} steps): ${o.reason}`);
      continue;
    }
    lines.push(`${style.bad('DIVERGED')}  ${o.file}`);
    lines.push(`  at step ${o.step} of ${o.steps}: ${o.actor}.${o.action}`);
    lines.push(`  ${o.reason}`);
    if (o.context !== null) lines.push(`  ${o.context}`);
    const fw = Math.max(5, ...o.differences.map((d) => d.field.length));
    const ew = Math.max(8, ...o.differences.map((d) => d.expected.length));
    lines.push('');
    lines.push(`  ${'field'.padEnd(fw)}  ${'expected (trace)'.padEnd(Math.max(ew, 16))}  actual (${s.adapter})`);
    for (const d of o.differences) lines.push(`  ${d.field.padEnd(fw)}  ${style.was(d.expected.padEnd(Math.max(ew, 16)))}  ${style.now(d.actual)}`);
    if (o.before.length > 0) {
      lines.push('');
      lines.push('  steps before it (all matched):');
      for (const b of o.before) lines.push(`  ${String(b.step).padStart(4)}  ${`${b.actor}.${b.action}`.padEnd(28)} ${b.observation}`);
    }
    lines.push('');
  }
  const diverged = s.outcomes.some((o) => o.kind === 'diverged');
  const notRun = s.traces - s.run;
  lines.push(`compared after every step: the step, its observation, and ${s.compared.join(', ')}`);
  if (s.notCompared.length > 0) lines.push(`not compared: ${s.notCompared.join('; ')}`);
  const verdict = diverged ? style.bad('DIVERGED') : s.interrupted ? style.bad('INTERRUPTED') : style.good(s.skipped > 0 ? 'all replayed match' : 'all match');
  lines.push(
    `lsmc replay: ${verdict}: ${n(s.run - s.skipped)} of ${n(s.traces)} trace(s) replayed against the ${s.adapter} implementation, ${n(s.steps)} steps, ${s.seconds.toFixed(2)} s, ${n(rate)} steps/s${s.skipped > 0 ? `; ${n(s.skipped)} skipped (the adapter cannot replay them)` : ''}${notRun > 0 ? ` (${n(notRun)} not run ${s.interrupted ? 'after Ctrl-C' : 'after the divergence'})` : ''}`,
  );
  return lines.join('\n');
}
