import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AdapterInterrupted } from '../../src/adapter/adapter.js';
import { HelperChannel, HelperGone } from '../../src/kernel/channel.js';

// Stand-ins for lsmc-helper that die as it can: real processes on the channel's real FIFOs.
const dir = mkdtempSync(join(tmpdir(), 'lsmc-channel-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function helper(name: string, script: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${script}\n`);
  chmodSync(path, 0o755);
  return path;
}

describe('the kernel helper channel', () => {
  it('a helper killed by Ctrl-C before it set its handler is an interruption (it made nothing), not a helper gone wrong', async () => {
    const ch = HelperChannel.open(helper('ctrl-c', 'kill -INT $$\nsleep 5'));
    expect(() => ch.request({ op: 'stats' })).toThrow(AdapterInterrupted);
    await ch.close();
  });

  it('a helper that dies otherwise is gone, with the last thing it said', async () => {
    const ch = HelperChannel.open(helper('gone', 'echo "lsmc-helper: cannot load the prototype" >&2\nexit 1'));
    let gone: unknown = null;
    try {
      ch.request({ op: 'stats' });
    } catch (e) {
      gone = e;
    }
    expect(gone).toBeInstanceOf(HelperGone);
    // It may die before the request is written (EPIPE) or after (an end of file): its words come either way.
    expect((gone as Error).message).toMatch(/^the kernel helper stopped( \(EPIPE: broken pipe, write\))?: lsmc-helper: cannot load the prototype$/);
    await ch.close();
  });

  it('a helper killed by another signal is gone', async () => {
    const ch = HelperChannel.open(helper('term', 'kill -TERM $$\nsleep 5'));
    expect(() => ch.request({ op: 'stats' })).toThrow(HelperGone);
    await ch.close();
  });
});
