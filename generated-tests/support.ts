/** Where the committed generated traces live, and what the replay tests need to know about them. */
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadManifest } from '../src/gen/manifest.js';
import { hazardFile } from '../src/gen/files.js';
import { isTraceFile } from '../src/replay/load.js';
import { KNOBS, type KnobName } from '../spec/knobs.js';

export const ROOT = resolve(import.meta.dirname, '..');
export const TRACES = join(ROOT, 'generated-tests', 'traces');
export const MANIFEST = join(ROOT, 'model', 'suites.json');
export const manifest = loadManifest(MANIFEST);

export const suiteDir = (name: string): string => join(TRACES, 'suites', name);
export const hazardPath = (h: (typeof manifest.hazards)[number]): string => join(TRACES, 'hazards', hazardFile(h));

export function traceCount(dir: string): number {
  return readdirSync(dir).filter(isTraceFile).length;
}

/** The --set that puts a hazard's knobs back to the reference design's values. */
export function referenceSets(set: Readonly<Record<string, string>>): string[] {
  return Object.keys(set).map((k) => `${k}=${KNOBS[k as KnobName].values[0]}`);
}
