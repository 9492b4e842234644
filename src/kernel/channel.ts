/**
 * A synchronous line channel to the kernel helper (kernel/helper.c): one JSON request, one JSON
 * reply. Replay's Adapter interface is synchronous, so requests and replies go through two FIFOs
 * read and written with blocking fs calls. The helper holds its ends opened read-write, so that no
 * open ever blocks; our reply end is read-only, so the helper's death is an end of file here, and
 * the helper learns of ours from PR_SET_PDEATHSIG.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeSync } from 'node:fs';
import { constants as osConstants, tmpdir } from 'node:os';
import { AdapterInterrupted } from '../adapter/adapter.js';
import { join } from 'node:path';

export class HelperGone extends Error {}

/** The wait status of a process killed by SIGINT (signal 2, no core dump). */
const SIGINT_STATUS = osConstants.signals.SIGINT;

/**
 * The wait status of a process that has closed its ends of the pipes to die, once it is a zombie
 * (field 52 of /proc/PID/stat, Linux 3.5 on): an exit closes files before it becomes a zombie, so
 * this waits for that, up to a tenth of a second. Null if it is not dead by then, or already reaped.
 */
function zombieStatus(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let i = 0; i < 50; i++) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      return null;
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).trim().split(' ');
    // fields[0] is field 3 (the state), so field 52 is fields[49].
    if (fields[0] === 'Z') return Number(fields[49]);
    Atomics.wait(pause, 0, 0, 2);
  }
  return null;
}

export class HelperChannel {
  private readonly chunk = Buffer.alloc(1 << 16);
  private pending = '';
  /** Requests queued and not written yet. */
  private outbox = '';
  /** Where the first line not taken yet begins in `pending`. */
  private at = 0;
  /** No more requests: closed, interrupted or gone. */
  private closed = false;
  private released = false;

  /** Complete reply lines in `pending`, not yet taken by receive(). */
  private lines = 0;

  private constructor(
    private readonly write: number,
    private readonly read: number,
    /** The same read end opened non-blocking: poll() takes what has arrived without waiting. */
    private readonly peek: number,
    private readonly err: number,
    private readonly child: ChildProcess,
  ) {}

  /** `cpu`: the CPU the helper keeps all its threads on (see kernel/helper.c). */
  static open(helper: string, cpu?: number): HelperChannel {
    const dir = mkdtempSync(join(tmpdir(), 'lsmc-helper-'));
    const req = join(dir, 'req');
    const rep = join(dir, 'rep');
    const errFile = join(dir, 'stderr');
    try {
      execFileSync('mkfifo', [req, rep]);
    } catch (e) {
      rmSync(dir, { recursive: true, force: true });
      // A terminal's Ctrl-C reaches our whole process group, mkfifo too.
      if ((e as { signal?: string }).signal === 'SIGINT') throw new AdapterInterrupted('interrupted (Ctrl-C) as a kernel helper was being started');
      throw e;
    }
    const theirIn = openSync(req, constants.O_RDWR);
    const theirOut = openSync(rep, constants.O_RDWR);
    const theirErr = openSync(errFile, 'w');
    const err = openSync(errFile, 'r');
    try {
      const child = spawn(helper, cpu === undefined ? [] : ['--cpu', String(cpu)], { stdio: [theirIn, theirOut, theirErr] });
      child.unref();
      if (child.pid === undefined) throw new HelperGone(`cannot start ${helper}`);
      const write = openSync(req, constants.O_WRONLY);
      const read = openSync(rep, constants.O_RDONLY);
      const peek = openSync(rep, constants.O_RDONLY | constants.O_NONBLOCK);
      return new HelperChannel(write, read, peek, err, child);
    } finally {
      closeSync(theirIn);
      closeSync(theirOut);
      closeSync(theirErr);
      // Every end is open: nothing needs the names any more, and nothing is left behind if we die.
      rmSync(dir, { recursive: true, force: true });
    }
  }

  /** Requests sent whose replies are not read yet. */
  private outstanding = 0;

  /** One request and its reply, or HelperGone (with what the helper said on stderr) if it died. Replies still due are read and dropped first. */
  request(message: Record<string, string | number>): unknown {
    this.drain();
    this.send(message);
    return this.receive();
  }

  /** Sends a request without waiting for its reply: the helper answers requests in order. */
  send(message: Record<string, string | number>): void {
    this.queue(`${JSON.stringify(message)}\n`);
    this.flush();
  }

  /**
   * Queues one request already encoded as a line; flush() (or the next receive) sends what is
   * queued in one write, one wake-up of the helper for a whole trace. The caller keeps what it has
   * sent and not had answered well below a pipe's 64 KiB: then a send never waits for the helper,
   * which may itself be waiting for us to read its replies.
   */
  queue(line: string): void {
    if (this.closed) throw new HelperGone('the kernel helper was closed');
    this.outbox += line;
    this.outstanding++;
  }

  flush(): void {
    if (this.outbox === '') return;
    const text = this.outbox;
    this.outbox = '';
    try {
      writeSync(this.write, text);
    } catch (e) {
      // Gone between requests: after Ctrl-C it said so on its way out, and that is not a failure.
      if (this.saidInterrupted()) throw new AdapterInterrupted('the kernel helper was interrupted (Ctrl-C) and has cleaned up');
      this.throwIfCtrlC();
      throw new HelperGone(`the kernel helper stopped (${(e as Error).message})${this.lastWords()}`);
    }
  }

  /** The reply to the oldest request sent and not answered yet. */
  receive(): unknown {
    if (this.outstanding === 0) throw new Error('no request is waiting for a reply');
    this.flush();
    for (;;) {
      const nl = this.pending.indexOf('\n', this.at);
      if (nl >= 0) {
        const line = this.pending.slice(this.at, nl);
        this.at = nl + 1;
        this.outstanding--;
        this.lines--;
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
        this.throwIfCtrlC();
        throw new HelperGone(`the kernel helper stopped${this.lastWords()}`);
      }
      this.take(n);
    }
  }

  private take(n: number): void {
    const text = this.chunk.toString('utf8', 0, n);
    // Lines taken already go now, not one by one (each would copy the rest).
    this.pending = this.pending.slice(this.at);
    this.at = 0;
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.lines++;
    this.pending += text;
  }

  /**
   * Takes in whatever replies have arrived, without waiting; true when every request sent has its
   * reply here (receive() will not wait). Also keeps the helper from stalling on a full pipe.
   */
  poll(): boolean {
    this.flush();
    while (!this.closed && this.lines < this.outstanding) {
      let n: number;
      try {
        n = readSync(this.peek, this.chunk, 0, this.chunk.length, null);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EAGAIN') return false;
        throw e;
      }
      // An end of file: the helper is gone, and receive() will say so at once.
      if (n === 0) return true;
      this.take(n);
    }
    return true;
  }

  /** Reads and drops the replies still due (to steps sent ahead of a trace that ended before them). */
  drain(): void {
    while (this.outstanding > 0) this.receive();
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
      this.take(n);
    }
    return this.pending.slice(this.at).split('\n').some((line) => line.startsWith('{"interrupted"'));
  }

  /**
   * A terminal's Ctrl-C reaches the whole process group. A helper just started may take it before
   * main() has set its handler, and then dies of SIGINT having made nothing (the handler comes before
   * any BPF object, task or cgroup): that is an interruption, not a helper gone wrong. This thread's
   * event loop, busy in this synchronous call, has not reaped it: its wait status is still in /proc.
   */
  private throwIfCtrlC(): void {
    if (this.child.signalCode === 'SIGINT' || zombieStatus(this.child.pid) === SIGINT_STATUS)
      throw new AdapterInterrupted('the kernel helper was interrupted (Ctrl-C) as it started, before it made anything');
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

  /**
   * Asks the helper to clean up and exit, and waits for its answer (it has cleaned up by then). The
   * promise settles once it has been reaped: a worker thread that started it must wait for that
   * before it ends, or the helper stays a zombie (only the thread's event loop reaps it).
   */
  close(): Promise<void> {
    const reaped = new Promise<void>((resolvePromise) => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) return resolvePromise();
      this.child.ref();
      this.child.once('exit', () => resolvePromise());
    });
    if (this.released) return reaped;
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
    closeSync(this.peek);
    closeSync(this.err);
    return reaped;
  }
}
