/**
 * The tests run what tsc built, as `lsmc` does (vitest.config.ts says why): an import of a source
 * module from a test reaches its build under dist/, loaded by Node, not vitest's transform of it.
 */
import { sep } from 'node:path';
import { expect, it } from 'vitest';
import { readText } from '../../src/gen/write.js';

it('a test that imports src/ runs the module built under dist/', () => {
  let stack = '';
  try {
    readText('/no-such-trace.itf.json');
  } catch (e) {
    stack = e instanceof Error ? (e.stack ?? '') : '';
  }
  const frames = stack.split('\n').filter((l) => l.includes('write.js'));
  expect(frames.length).toBeGreaterThan(0);
  expect(frames.every((l) => l.includes(`${sep}dist${sep}src${sep}gen${sep}write.js`))).toBe(true);
});
