/** The implementations replay can drive, by the name `--adapter` takes. */
import type { AdapterFactory } from './adapter.js';
import { kernelAdapter } from './kernel.js';
import { referenceAdapter, referenceOperationAdapter } from './reference.js';

export const ADAPTERS: readonly AdapterFactory[] = [referenceAdapter, referenceOperationAdapter, kernelAdapter];
