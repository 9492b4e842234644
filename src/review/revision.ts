/**
 * The spec at a git revision: checked out in a temporary worktree of this repository, built there
 * with this checkout's TypeScript, and asked through its own command line (`lsmc check --continue
 * --json`), so that each side of a comparison is judged by its own spec and its own words. The
 * worktree is removed on every path, an interrupted run's included.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { InputError } from '../model/config.js';
import { parseWith } from '../model/json-file.js';
import type { Cell } from './matrix.js';

export interface Revision {
  /** What the user typed, and the commit it names. */
  readonly rev: string;
  readonly commit: string;
  readonly dir: string;
}

const git = (root: string, args: readonly string[]): string => execFileSync('git', ['-C', root, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

/** The commit `rev` names in the repository at `root`, or an InputError naming --rev. */
export function resolveRevision(root: string, rev: string): string {
  try {
    git(root, ['rev-parse', '--git-dir']);
  } catch {
    throw new InputError('--rev', rev, `a revision of a git repository (${root} is not one)`);
  }
  try {
    return git(root, ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`]);
  } catch {
    throw new InputError('--rev', rev, 'a commit, branch or tag of this repository (git rev-parse does not know it)');
  }
}

/**
 * Checks `commit` out in a new temporary worktree and builds its spec, checker and command line
 * (not its tests). node_modules is this checkout's, linked: a revision is built with the packages
 * of the one comparing it.
 */
export function buildRevision(root: string, rev: string, commit: string): Revision {
  const dir = mkdtempSync(join(tmpdir(), `lsmc-rev-${commit.slice(0, 8)}-`));
  git(root, ['worktree', 'add', '--quiet', '--detach', dir, commit]);
  const revision = { rev, commit, dir };
  try {
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
    writeFileSync(join(dir, 'tsconfig.lsmc-rev.json'), JSON.stringify({ extends: './tsconfig.json', include: ['spec', 'checker', 'src'] }));
    execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(dir, 'tsconfig.lsmc-rev.json')], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    removeRevision(root, revision);
    const out = String((e as { stdout?: Buffer }).stdout ?? '').split('\n').find((l) => l.includes('error')) ?? (e as Error).message;
    throw new InputError('--rev', rev, `a revision whose spec builds (${out.trim()})`);
  }
  if (!existsSync(join(dir, 'dist/src/cli/main.js'))) {
    removeRevision(root, revision);
    throw new InputError('--rev', rev, 'a revision of lsmc with a command line (dist/src/cli/main.js was not built)');
  }
  return revision;
}

export function removeRevision(root: string, revision: Revision): void {
  try {
    git(root, ['worktree', 'remove', '--force', revision.dir]);
  } catch {
    // Not a worktree yet (the add failed) or already gone: the folder is all there is to remove.
  }
  rmSync(revision.dir, { recursive: true, force: true });
  try {
    git(root, ['worktree', 'prune']);
  } catch {
    // Pruning is tidiness; a failure leaves nothing of ours behind.
  }
}

/** Runs the revision's own `lsmc ARGS`, with no colour; resolves with its exit code and output. */
export function runRevision(revision: Revision, args: readonly string[], stop: () => boolean): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [join(revision.dir, 'dist/src/cli/main.js'), ...args], { cwd: revision.dir, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // Ctrl-C reaches the child too (one process group); this is for a stop asked for some other way.
    const poll = setInterval(() => {
      if (stop()) child.kill('SIGINT');
    }, 200);
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(poll);
      resolvePromise({ code: code ?? -1, stdout, stderr });
    });
  });
}

const checkJsonSchema = z.object({
  result: z.enum(['ok', 'violation', 'limit']),
  limitReason: z.string().optional(),
  distinctStates: z.number(),
  checked: z.array(z.string()),
  held: z.array(z.string()).optional(),
  // A lasso's ITF trace carries `loop`; a revision older than ITF traces in check --json has none, and its lassos read as finite.
  violations: z.array(z.object({ invariant: z.string(), steps: z.number().int(), explanation: z.string(), trace: z.object({ loop: z.number().int().optional() }).loose().optional() })).optional(),
});

/** The cells of a revision's `lsmc check --continue --json`, as a review row has them. */
export function cellsOfCheckJson(revision: Revision, stdout: string): { cells: Record<string, Cell>; states: number; explanations: Record<string, string> } {
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch {
    throw new InputError('--rev', revision.rev, `a revision whose lsmc check --continue --json prints JSON (it printed ${JSON.stringify(stdout.slice(0, 60))})`);
  }
  const parsed = parseWith(checkJsonSchema.loose(), json);
  if (!parsed.ok) throw new InputError('--rev', revision.rev, `a revision whose lsmc check --json has ${parsed.field}: ${parsed.expected}`);
  const r = parsed.data;
  const cells: Record<string, Cell> = {};
  const explanations: Record<string, string> = {};
  const violations = r.violations ?? [];
  for (const name of r.checked) {
    const broken = violations.find((v) => v.invariant === name);
    if (broken !== undefined) {
      cells[name] = { verdict: 'broken', steps: broken.steps, lasso: broken.trace?.loop !== undefined };
      explanations[name] = broken.explanation;
    } else if ((r.held ?? []).includes(name) || r.result === 'ok') cells[name] = { verdict: 'holds' };
    else cells[name] = { verdict: 'undecided', why: r.limitReason ?? 'the space was not explored to its end' };
  }
  return { cells, states: r.distinctStates, explanations };
}
