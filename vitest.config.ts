import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'generated-tests/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Vitest leaves one core free by default, which on two cores runs the files one at a time; the
    // tests are pure computation, so every core gets a worker.
    maxWorkers: availableParallelism(),
  },
});
