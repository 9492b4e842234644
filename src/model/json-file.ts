/** Reading a JSON file we were given, checked by a zod schema: every problem is one InputError naming the file and the field. */
import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { InputError } from './config.js';

export function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new InputError(path, '(file)', 'a file that exists');
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InputError(path, '(file)', `JSON (${(e as Error).message})`);
  }
}

export function parseJson<T>(path: string, schema: z.ZodType<T>, json: unknown): T {
  const r = schema.safeParse(json);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  throw new InputError(path, issue.path.length === 0 ? '(top level)' : issue.path.map(String).join('.'), issue.message);
}
