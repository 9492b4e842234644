/** A reader thread for the reference tests: attaches to a map, looks owner 0 up, reads, posts what it saw. */
import { parentPort, workerData } from 'node:worker_threads';
import { ReferenceMap } from '../../src/reference/map.js';
import type { SharedMapHandle } from '../../src/reference/memory.js';
import { runWhole } from '../../src/reference/op.js';

const map = ReferenceMap.attach(workerData as SharedMapHandle);
const reader = map.reader();
const index = runWhole(reader.lookup(0));
const value = runWhole(reader.read());
parentPort?.postMessage({ index, value });
