/**
 * Vitest's global set-up: the tests load the compiled modules under dist/ (see vitest.config.ts),
 * so a source changed since the last build is compiled first; a run never tests stale code.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const SOURCES = ['spec', 'checker', 'src', 'bench', 'test', 'generated-tests'];

function stale(dir: string): string | null {
  for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const rel = join(dir, entry.name);
    if (entry.isDirectory()) {
      const found = stale(rel);
      if (found !== null) return found;
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
      const built = join(ROOT, 'dist', rel.replace(/\.ts$/, '.js'));
      if (!existsSync(built) || statSync(built).mtimeMs < statSync(join(ROOT, rel)).mtimeMs) return rel;
    }
  }
  return null;
}

export default function setup(): void {
  const first = SOURCES.map(stale).find((s) => s !== null);
  if (first === undefined || first === null) return;
  process.stderr.write(`dist/ is older than ${first}: compiling\n`);
  execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.json')], { stdio: 'inherit' });
}
