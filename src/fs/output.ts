/**
 * Where a command will write, checked before its run starts: an hour of exploration must not end in
 * a counterexample that cannot be written. The checks try the file system itself (a probe file
 * created and removed at once) rather than reading permission bits, which say nothing of a read-only
 * mount, a full quota or root's exemptions.
 */
import { closeSync, existsSync, lstatSync, mkdtempSync, openSync, readlinkSync, realpathSync, rmdirSync, statSync, unlinkSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { InputError } from '../model/config.js';

const reason = (e: unknown): string => {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EROFS') return 'read-only file system';
  if (code === 'ENOSPC' || code === 'EDQUOT') return 'no space left';
  // A folder that exists but takes no new files (/proc, /sys) says there is no such entry.
  if (code === 'ENOENT') return 'the file system there takes no new files';
  return code ?? String(e);
};

/** Where `path` points if it is a symbolic link whose target does not exist, else null. */
function danglingTarget(path: string): string | null {
  try {
    return lstatSync(path).isSymbolicLink() ? readlinkSync(path) : null;
  } catch {
    return null;
  }
}

/**
 * Throws InputError naming `flag` unless `path` can be written as a file: it is not a directory, its
 * folder exists, and the file is either new or one `mayReplace` accepts (`kind` says what those are).
 */
export function checkOutputFile(flag: string, path: string, mayReplace: (path: string) => boolean, kind: string): void {
  if (path === '') throw new InputError(flag, path, 'a file name');
  if (path.endsWith('/')) throw new InputError(flag, path, 'a file name (this ends in /, a folder\'s name)');
  if (existsSync(path)) {
    if (statSync(path).isDirectory()) throw new InputError(flag, path, 'a file name (this is a directory)');
    if (!mayReplace(path)) throw new InputError(flag, path, `a new file or ${kind} (refusing to overwrite another file)`);
    try {
      // r+ opens for writing without truncating: the old trace stays until the new one replaces it.
      closeSync(openSync(path, 'r+'));
    } catch (e) {
      throw new InputError(flag, path, `a file lsmc can write (${reason(e)})`);
    }
    return;
  }
  // A link to nothing: writing would make its target somewhere the user did not name.
  const link = danglingTarget(path);
  if (link !== null) throw new InputError(flag, path, `a new file or ${kind} (this is a symbolic link to ${link}, which does not exist)`);
  const folder = dirname(resolve(path));
  if (!existsSync(folder)) throw new InputError(flag, path, `a file in an existing folder (${folder} does not exist)`);
  if (!statSync(folder).isDirectory()) throw new InputError(flag, path, `a file in a folder (${folder} is not a folder)`);
  try {
    closeSync(openSync(path, 'wx'));
    unlinkSync(path);
  } catch (e) {
    throw new InputError(flag, path, `a file lsmc can write (${folder}: ${reason(e)})`);
  }
}

/**
 * Throws InputError naming `flag` unless `dir` is a directory or can be made one: the nearest folder
 * that exists on its path is a folder lsmc can create entries in. The directory itself is made only
 * when the run writes into it, so an interrupted run leaves no empty folder behind.
 */
export function checkOutputDir(flag: string, dir: string): void {
  // '' would resolve to the working directory, which the caller's guard would never look in.
  if (dir === '') throw new InputError(flag, dir, 'a directory name');
  let existing = resolve(dir);
  while (!existsSync(existing)) existing = dirname(existing);
  if (!statSync(existing).isDirectory())
    throw new InputError(flag, dir, existing === resolve(dir) ? 'a directory (this is a file)' : `a directory (${existing} is a file)`);
  try {
    rmdirSync(mkdtempSync(join(existing, '.lsmc-probe-')));
  } catch (e) {
    throw new InputError(flag, dir, `a directory lsmc can write into (${existing}: ${reason(e)})`);
  }
}

/** Two names of one file: their folders resolved through symlinks, then the names compared. */
export function samePath(a: string, b: string): boolean {
  const real = (p: string): string => {
    const folder = dirname(resolve(p));
    return join(existsSync(folder) ? realpathSync(folder) : folder, basename(p));
  };
  return real(a) === real(b);
}
