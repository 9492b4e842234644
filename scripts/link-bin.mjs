// Puts lsmc on node_modules/.bin after install, as npm does for a dependency's bin, so that
// `npx lsmc` and tools that look there find this checkout's command line.
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const binDir = join(root, 'node_modules', '.bin');
const link = join(binDir, 'lsmc');
if (existsSync(join(root, 'node_modules')) && !existsSync(link)) {
  mkdirSync(binDir, { recursive: true });
  symlinkSync(relative(binDir, join(root, 'bin', 'lsmc.js')), link);
}
