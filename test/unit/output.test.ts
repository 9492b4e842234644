/** The checks of an output's place before a run, and the fallback when the write still fails at the end. */
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkOutputDir, checkOutputFile, samePath } from '../../src/fs/output.js';
import { InputError } from '../../src/model/config.js';
import { guardTraceFile, writeTraceFile } from '../../src/trace/file.js';
import { itfHeader } from '../../src/trace/itf.js';

const scratch = mkdtempSync(join(tmpdir(), 'lsmc-output-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const never = (): boolean => false;
const message = (f: () => void): string => {
  try {
    f();
  } catch (e) {
    if (e instanceof InputError) return e.message;
    throw e;
  }
  return 'accepted';
};

describe('checkOutputFile', () => {
  it('accepts a new file in an existing folder and leaves nothing there', () => {
    expect(message(() => checkOutputFile('--x', join(scratch, 'new.json'), never, 'ours'))).toBe('accepted');
    expect(existsSync(join(scratch, 'new.json'))).toBe(false);
  });
  it('names a missing folder, a directory given for a file, and a file it may not replace', () => {
    expect(message(() => checkOutputFile('--x', join(scratch, 'gone', 'a.json'), never, 'ours'))).toBe(`--x: ${join(scratch, 'gone', 'a.json')}: expected a file in an existing folder (${join(scratch, 'gone')} does not exist)`);
    expect(message(() => checkOutputFile('--x', scratch, never, 'ours'))).toBe(`--x: ${scratch}: expected a file name (this is a directory)`);
    const mine = join(scratch, 'mine.txt');
    writeFileSync(mine, 'notes');
    expect(message(() => checkOutputFile('--x', mine, never, 'a trace lsmc wrote'))).toBe(`--x: ${mine}: expected a new file or a trace lsmc wrote (refusing to overwrite another file)`);
    expect(message(() => checkOutputFile('--x', mine, () => true, 'ours'))).toBe('accepted');
    expect(readFileSync(mine, 'utf8')).toBe('notes');
  });

  it('names an empty name and a name that ends in a slash as not file names', () => {
    expect(message(() => checkOutputFile('--x', '', never, 'ours'))).toBe('--x: (empty): expected a file name');
    expect(message(() => checkOutputFile('--x', `${scratch}/`, never, 'ours'))).toBe(`--x: ${scratch}/: expected a file name (this ends in /, a folder's name)`);
  });

  it('names a symbolic link to nothing, and makes no file where it points', () => {
    const link = join(scratch, 'dangling.html');
    const target = join(scratch, 'nothing-here.html');
    symlinkSync(target, link);
    expect(message(() => checkOutputFile('--x', link, never, 'a review lsmc wrote'))).toBe(`--x: ${link}: expected a new file or a review lsmc wrote (this is a symbolic link to ${target}, which does not exist)`);
    expect(existsSync(target)).toBe(false);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
  });

  it('knows one file by two names through a symlinked folder', () => {
    const real = join(scratch, 'real');
    mkdirSync(real);
    symlinkSync(real, join(scratch, 'alias'));
    expect(samePath(join(real, 'r.txt'), join(scratch, 'alias', 'r.txt'))).toBe(true);
    expect(samePath(join(real, 'r.txt'), join(real, 'r.html'))).toBe(false);
  });
});

describe('checkOutputDir', () => {
  it('accepts a directory whose parents are still to be made, without making them', () => {
    const deep = join(scratch, 'p', 'q', 'r');
    expect(message(() => checkOutputDir('--out', deep))).toBe('accepted');
    expect(existsSync(join(scratch, 'p'))).toBe(false);
  });
  it('refuses an empty name, which would be the working directory', () => {
    expect(message(() => checkOutputDir('--out', ''))).toBe('--out: (empty): expected a directory name');
  });
  it('names the file that stands where a folder must be', () => {
    const file = join(scratch, 'f.txt');
    writeFileSync(file, '');
    expect(message(() => checkOutputDir('--out', file))).toBe(`--out: ${file}: expected a directory (this is a file)`);
    expect(message(() => checkOutputDir('--out', join(file, 'sub')))).toBe(`--out: ${join(file, 'sub')}: expected a directory (${file} is a file)`);
  });
});

describe('writeTraceFile', () => {
  const itf = { '#meta': itfHeader({}), vars: [], states: [] };
  it('writes a trace that guardTraceFile then lets it replace', () => {
    const path = join(scratch, 'cex.itf.json');
    expect(writeTraceFile(path, itf)).toEqual({ path, failed: null });
    expect(message(() => guardTraceFile('--trace-out', path))).toBe('accepted');
  });
  it('puts the trace in a fresh temporary file when its folder vanished during the run', () => {
    const folder = join(scratch, 'vanishing');
    mkdirSync(folder);
    const path = join(folder, 'cex.itf.json');
    expect(message(() => guardTraceFile('--trace-out', path))).toBe('accepted');
    rmSync(folder, { recursive: true });
    const saved = writeTraceFile(path, itf);
    expect(saved.failed).toBe('ENOENT');
    expect(saved.path).not.toBe(path);
    expect(JSON.parse(readFileSync(saved.path, 'utf8'))).toEqual(JSON.parse(JSON.stringify(itf)));
    rmSync(dirname(saved.path), { recursive: true });
  });
});
