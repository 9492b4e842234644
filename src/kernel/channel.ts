/**
 * A synchronous line channel to the kernel helper (kernel/helper.c): one JSON request, one JSON
 * reply. Replay's Adapter interface is synchronous, so requests and replies go through two FIFOs
 * read and written with blocking fs calls. The helper holds its ends opened read-write, so that no
 * open ever blocks; our reply end is read-only, so the helper's death is an end of file here, and
 * the helper learns of ours from PR_SET_PDEATHSIG.
 */
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { AdapterInterrupted } from '../adapter/adapter.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export class HelperGone extends Error {}

export class HelperChannel {
  private readonly chunk = Buffer.alloc(1 << 16);
  private pending = '';
  /** No more requests: closed, interrupted or gone. */
  private closed = false;
  private released = false;

  private constructor(
    private readonly write: number,
    private readonly read: number,
    private readonly err: number,
    readonly pid: number,
  ) {}

  static open(helper: string): HelperChannel {
    const dir = mkdtempSync(join(tmpdir(), 'lsmc-helper-'));
    const req = join(dir, 'req');
    const rep = join(dir, 'rep');
    const errFile = join(dir, 'stderr');
    execFileSync('mkfifo', [req, rep]);
    const theirIn = openSync(req, constants.O_RDWR);
    const theirOut = openSync(rep, constants.O_RDWR);
    const theirErr = openSync(errFile, 'w');
    const err = openSync(errFile, 'r');
    try {
      const child = spawn(helper, [], { stdio: [theirIn, theirOut, theirErr] });
      child.unref();
      if (child.pid === undefined) throw new HelperGone(`cannot start ${helper}`);
      const write = openSync(req, constants.O_WRONLY);
      const read = openSync(rep, constants.O_RDONLY);
      return new HelperChannel(write, read, err, child.pid);
    } finally {
      closeSync(theirIn);
      closeSync(theirOut);
      closeSync(theirErr);
      // Every end is open: nothing needs the names any more, and nothing is left behind if we die.
      rmSync(dir, { recursive: true, force: true });
    }
  }

  /** One request and its reply, or HelperGone (with what the helper said on stderr) if it died. */
  request(message: Record<string, string | number>): unknown {
    if (this.closed) throw new HelperGone('the kernel helper was closed');
    try {
      writeSync(this.write, `${JSON.stringify(message)}\n`);
    } catch (e) {
      // Gone between requests: after Ctrl-C it said so on its way out, and that is not a failure.
      if (this.saidInterrupted()) throw new AdapterInterrupted('the kernel helper was interrupted (Ctrl-C) and has cleaned up');
      throw new HelperGone(`the kernel helper stopped (${(e as Error).message})${this.lastWords()}`);
    }
    for (;;) {
      const nl = this.pending.indexOf('\n');
      if (nl >= 0) {
        const line = this.pending.slice(0, nl);
        this.pending = this.pending.slice(nl + 1);
        const reply = JSON.parse(line) as unknown;
        if (typeof reply === 'object' && reply !== null && 'interrupted' in reply) {
          this.closed = true;
          throw new AdapterInterrupted('the kernel helper was interrupted (Ctrl-C) and has cleaned up');
        }
        return reply;
      }
      let n: number;
      try {
        n = readSync(this.read, this.chunk, 0, this.chunk.length, null);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EAGAIN' || (e as NodeJS.ErrnoException).code === 'EINTR') continue;
        throw e;
      }
      if (n === 0) {
        this.closed = true;
        throw new HelperGone(`the kernel helper stopped${this.lastWords()}`);
      }
      this.pending += this.chunk.toString('utf8', 0, n);
    }
  }

  /** Whether the helper, now gone, left an interrupted reply unread (its end is closed: this read ends). */
  private saidInterrupted(): boolean {
    this.closed = true;
    for (;;) {
      let n = 0;
      try {
        n = readSync(this.read, this.chunk, 0, this.chunk.length, null);
      } catch {
        n = 0;
      }
      if (n === 0) break;
      this.pending += this.chunk.toString('utf8', 0, n);
    }
    return this.pending.split('\n').some((line) => line.startsWith('{"interrupted"'));
  }

  private lastWords(): string {
    try {
      const buf = Buffer.alloc(4096);
      const n = readSync(this.err, buf, 0, buf.length, 0);
      const text = buf.toString('utf8', 0, n).trim().split('\n').slice(-1)[0] ?? '';
      return text === '' ? '' : `: ${text}`;
    } catch {
      return '';
    }
  }

  /** Asks the helper to clean up and exit, and waits for its answer (it has cleaned up by then). */
  close(): void {
    if (this.released) return;
    if (!this.closed) {
      try {
        this.request({ op: 'close' });
      } catch {
        // Gone or interrupted already: it cleaned up on its own way out.
      }
    }
    this.closed = true;
    this.released = true;
    closeSync(this.write);
    closeSync(this.read);
    closeSync(this.err);
  }
}
