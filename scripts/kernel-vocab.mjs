// Writes kernel/build/vocab.h (the spec's vocabularies as C enums) from the built TypeScript, only
// when its text changes, so that make rebuilds the BPF object only when the vocabulary does.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { vocabHeader } from '../dist/src/kernel/vocab.js';

const out = process.argv[2];
const text = vocabHeader();
if (out === undefined) process.stdout.write(text);
else if (!existsSync(out) || readFileSync(out, 'utf8') !== text) writeFileSync(out, text);
