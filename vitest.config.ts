import { availableParallelism } from 'node:os';
import { dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vitest/config';

const ROOT = dirname(fileURLToPath(import.meta.url));
const COMPILED = ['spec', 'checker', 'src', 'bench'];

/**
 * The tests run the code tsc compiled, as `lsmc` runs it, not vitest's transform of the sources:
 * the transform turns every imported binding into a property load on a module object, which makes
 * the explorer's hot loop 2.4 times slower (a suite generation: 28.9 s against 11.8 s). Test files
 * and their support stay TypeScript, type-checked against the sources; an import of a source module
 * resolves to its build under dist/, which Node loads natively. test/support/build.ts makes sure
 * that build is not older than the sources.
 */
function compiledSources(): Plugin {
  return {
    name: 'lsmc-compiled-sources',
    enforce: 'pre',
    resolveId(source, importer) {
      if (importer === undefined || !source.startsWith('.') || !source.endsWith('.js')) return null;
      const target = resolve(dirname(importer), source);
      const rel = relative(ROOT, target);
      if (!COMPILED.includes(rel.split(sep)[0])) return null;
      return { id: resolve(ROOT, 'dist', rel), external: true };
    },
  };
}

export default defineConfig({
  plugins: [compiledSources()],
  test: {
    include: ['test/**/*.test.ts', 'generated-tests/**/*.test.ts'],
    globalSetup: ['test/support/build.ts', 'test/support/leftovers.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Vitest leaves one core free by default, which on two cores runs the files one at a time; the
    // tests are pure computation, so every core gets a worker.
    maxWorkers: availableParallelism(),
    server: { deps: { external: [/\/dist\//] } },
  },
});
