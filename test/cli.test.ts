import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from './support/models.js';

/** The built command line (npm test builds it first), run as a user runs it. */
function lsmc(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/lsmc.js'), ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const SMALL = ['model/hazard-12-create-race.json'];
const scratch = mkdtempSync(join(tmpdir(), 'lsmc-cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('lsmc check', () => {
  it('exits 0 and prints one JSON object when every invariant holds', () => {
    const r = lsmc('check', ...SMALL, '--json');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const j = JSON.parse(lines[0]);
    expect(j.result).toBe('ok');
    expect(j.invariant).toBeNull();
    for (const key of ['distinctStates', 'transitions', 'depth', 'seconds', 'statesPerSecond', 'bytesPerState', 'collisionProbability', 'config'])
      expect(j).toHaveProperty(key);
    expect(j.config.createRace).toBe('locked');
    expect(j.config.owners).toBe(1);
  });

  it('exits 1 with a counterexample naming the invariant and the actors', () => {
    const r = lsmc('check', ...SMALL, '--set', 'createRace=unlocked', '--invariant', 'no-leak');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Invariant no-leak is violated.');
    expect(r.stdout).toMatch(/kernel context K1: create\(A\)/);
    expect(r.stdout).toMatch(/kernel context K2: create\(A\)/);
    expect(r.stdout).toContain('Rerun: npx lsmc check model/hazard-12-create-race.json --set createRace=unlocked --invariant no-leak');
  });

  it('embeds the counterexample as ITF in --json and writes it with --trace-out', () => {
    const out = join(scratch, 'race.itf.json');
    const r = lsmc('check', ...SMALL, '--set', 'createRace=unlocked', '--invariant', 'no-leak', '--json', '--trace-out', out);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout);
    expect(j.result).toBe('violation');
    expect(j.invariant).toBe('no-leak');
    expect(j.trace['#meta'].invariant).toBe('no-leak');
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(j.trace);
  });

  it('prints the same JSON on two runs, timings aside', () => {
    const strip = (s: string) => {
      const j = JSON.parse(s);
      delete j.seconds;
      delete j.statesPerSecond;
      return j;
    };
    const args = ['check', ...SMALL, '--set', 'createRace=unlocked', '--json'];
    expect(strip(lsmc(...args).stdout)).toEqual(strip(lsmc(...args).stdout));
  });

  it('exits 3 with a partial report when a limit is reached first', () => {
    const r = lsmc('check', '--max-states', '2000', '--json');
    expect(r.code).toBe(3);
    const j = JSON.parse(r.stdout);
    expect(j.result).toBe('limit');
    expect(j.limitReason).toBe('max-states');
  });

  it('--continue reports every broken invariant, writes a trace for each, and exits 1', () => {
    const out = join(scratch, 'many.itf.json');
    const r = lsmc('check', 'model/hazard-03-link-then-init.json', '--set', 'linkOrder=link-then-init', '--set', 'validation=none', '--continue', '--trace-out', out);
    expect(r.code).toBe(1);
    const broken = [...r.stdout.matchAll(/^Invariant (\S+) is violated\.$/gm)].map((m) => m[1]);
    expect(broken.length).toBeGreaterThan(2);
    expect(r.stdout).toMatch(new RegExp(`^${broken.length} of 13 checked properties violated: ${broken[0]} \\(\\d+ steps\\), `, 'm'));
    expect(r.stdout).toContain('--continue\n');
    for (const invariant of broken) {
      const trace = JSON.parse(readFileSync(join(scratch, `many.${invariant}.itf.json`), 'utf8'));
      expect(trace['#meta'].invariant).toBe(invariant);
    }
    const j = JSON.parse(lsmc('check', 'model/hazard-03-link-then-init.json', '--set', 'linkOrder=link-then-init', '--set', 'validation=none', '--continue', '--json').stdout);
    expect(j.violations.map((v: { invariant: string }) => v.invariant)).toEqual(broken);
    expect(j.held.length + broken.length).toBe(13);
  });

  it('refuses to overwrite a file it did not write', () => {
    const mine = join(scratch, 'notes.txt');
    writeFileSync(mine, 'my notes');
    const r = lsmc('check', ...SMALL, '--trace-out', mine);
    expect(r.code).toBe(2);
    expect(readFileSync(mine, 'utf8')).toBe('my notes');
  });
});

// Each of these would explore the reference configuration for a minute or more if the output were
// checked only at the end; the one line must come before any progress line.
describe('outputs are checked before the run starts', () => {
  const refused = (r: { code: number; stdout: string; stderr: string }, flag: string, why: RegExp): void => {
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`${flag}: `);
    expect(r.stderr).toMatch(why);
  };
  const missing = (): string => join(scratch, 'no-such-folder', 'trace.itf.json');

  it('a trace into a folder that does not exist', () => {
    refused(lsmc('check', '--trace-out', missing()), '--trace-out', /expected a file in an existing folder \(.*no-such-folder does not exist\)/);
    refused(lsmc('simulate', '--runs', '100000', '--out', missing()), '--out', /no-such-folder does not exist/);
    expect(existsSync(join(scratch, 'no-such-folder'))).toBe(false);
  });

  it('a folder where a file is expected', () => {
    refused(lsmc('check', '--trace-out', scratch), '--trace-out', /expected a file name \(this is a directory\)/);
  });

  it('a folder lsmc may not write into (sysfs refuses even root)', () => {
    refused(lsmc('check', '--trace-out', '/sys/lsmc-trace.itf.json'), '--trace-out', /expected a file lsmc can write \(\/sys: permission denied\)/);
    refused(lsmc('gen', '--out', '/sys/lsmc-suite'), '--out', /expected a directory lsmc can write into \(\/sys: permission denied\)/);
  });

  it('a suite directory under a file', () => {
    const file = join(scratch, 'plain.txt');
    writeFileSync(file, 'mine');
    refused(lsmc('gen', '--out', join(file, 'suite')), '--out', /expected a directory \(.*plain\.txt is a file\)/);
    expect(readFileSync(file, 'utf8')).toBe('mine');
  });

  it('a suite directory whose parents do not exist yet is made when the suite is written, and no probe is left behind', () => {
    const dir = join(scratch, 'new', 'deeper', 'suite');
    const r = lsmc('gen', 'model/hazard-12-create-race.json', '--out', dir);
    expect(r.code).toBe(0);
    expect(readdirSync(dir).some((n) => n.endsWith('.itf.json'))).toBe(true);
    expect(readdirSync(scratch).filter((n) => n.startsWith('.lsmc-probe-'))).toEqual([]);
  });
});

describe('bad input exits 2 with one line naming the flag or file, the field and what was expected', () => {
  const badModel = (name: string, text: string) => {
    const path = join(scratch, name);
    writeFileSync(path, text);
    return path;
  };
  const cases: [string, string[], RegExp][] = [
    ['an unknown knob', ['check', '--set', 'colour=red'], /--set colour=red: colour: expected a knob or bound name/],
    ['a value outside the knob list', ['check', '--set', 'validation=maybe'], /validation: expected one of "seq-uid-gen", "uid-gen", "uid", "none"/],
    ['a bound that is not a positive integer', ['check', '--set', 'owners=0'], /owners: expected an integer from 1 to 6/],
    ['a bound that is not a number', ['check', '--set', 'readers=two'], /readers: expected an integer from 1 to 4/],
    ['a --set without =', ['check', '--set', 'owners'], /--set owners: owners: expected name=value/],
    ['an unknown invariant', ['check', '--invariant', 'no-bugs'], /--invariant: no-bugs: expected one of unique-slot/],
    ['a malformed --max-states', ['check', '--max-states', 'lots'], /--max-states: lots: expected a positive integer/],
    ['a malformed --max-seconds', ['check', '--max-seconds', '-1'], /--max-seconds/],
    ['an unknown option', ['check', '--fast'], /--fast: expected a known option/],
    ['a missing config file', ['check', 'model/nope.json'], /model\/nope.json: \(file\): expected a model file that exists/],
    ['knobs that do not fit together', ['check', '--set', 'ownerKind=cgroup', '--set', 'ownerIdentity=pid'], /ownerIdentity: expected "uid" when ownerKind is "cgroup"/],
    ['an unknown command', ['verify'], /^lsmc: command "verify": expected one of check, knobs, review, compare, simulate, worker, gen, replay, selftest, help\n$/],
    ['a misspelt command', ['chek'], /^lsmc: command "chek": expected one of .*; did you mean "check"\?\n$/],
    ['a misspelt option', ['check', '--jsn'], /^lsmc check: --jsn: expected a known option \(see lsmc check --help\); did you mean "--json"\?\n$/],
    ['a negative number', ['check', '--max-states', '-5'], /^lsmc check: --max-states: -5: expected a positive integer\n$/],
    [
      'an unbounded budget where counters can go back',
      ['check', '--set', 'kernelOps=unbounded', '--set', 'pageReclaim=zero-page'],
      /--set: pageReclaim: expected "never" with an unbounded budget/,
    ],
  ];
  for (const [what, args, message] of cases) {
    it(what, () => {
      const r = lsmc(...args);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      // The line names the command it came from, whichever check refused the input.
      expect(r.stderr.startsWith(args[0] === 'check' ? 'lsmc check: ' : 'lsmc: command')).toBe(true);
    });
  }
  it('a file named like a command, or named nothing, still gets the command before it', () => {
    const named = join(scratch, 'lsmc.json');
    writeFileSync(named, '{}');
    const r = spawnSync(process.execPath, [join(ROOT, 'bin/lsmc.js'), 'check', 'lsmc.json'], { cwd: scratch, encoding: 'utf8' });
    expect(r.stderr).toMatch(/^lsmc check: lsmc\.json: name: expected /);
    expect(lsmc('check', '').stderr).toMatch(/^lsmc check: \(empty\): \(file\): expected a model file that exists/);
  });
  it('a config file that is not JSON', () => {
    const r = lsmc('check', badModel('broken.json', '{ "name": '));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/broken.json: \(file\): expected JSON/);
  });
  it('a config file with a bad field', () => {
    const text = readFileSync(join(ROOT, 'model/reference.json'), 'utf8').replace('"owners": 3', '"owners": "three"');
    const r = lsmc('check', badModel('bad-owners.json', text));
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/bad-owners.json: bounds.owners: expected an integer from 1 to 6/);
  });
  it('a config file with an unknown knob', () => {
    const r = lsmc('check', badModel('bad-knob.json', JSON.stringify({ name: 'x', description: '', knobs: { speed: 'fast' }, bounds: {} })));
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/bad-knob.json: knobs.speed: expected a knob name \(see lsmc knobs\)/);
  });
  it('a config file missing a bound', () => {
    const text = JSON.stringify({ name: 'x', description: '', bounds: { owners: 2 } });
    const r = lsmc('check', badModel('missing.json', text));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/missing.json: bounds\.\w+: expected/);
  });
  it('leaves no file behind on bad input', () => {
    const out = join(scratch, 'never.json');
    lsmc('check', '--set', 'owners=0', '--trace-out', out);
    expect(existsSync(out)).toBe(false);
  });
});

describe("errors in lsmc's words", () => {
  const oneLine = (r: { code: number; stderr: string }): string => {
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    return lines[0];
  };
  const file = (name: string, text: string): string => {
    const path = join(scratch, name);
    writeFileSync(path, text);
    return path;
  };
  const manifest = (suite: Record<string, unknown>): string =>
    file('suites.json', JSON.stringify({ suites: [{ name: 'a', model: 'reference.json', set: {}, ...suite }], hazards: 'hazards.json' }));

  it('a manifest with a missing field, a mistyped field and a misspelt one', () => {
    const out = join(scratch, 'never-suite');
    expect(oneLine(lsmc('gen', '--manifest', manifest({ model: undefined }), '--out', out))).toBe(`lsmc gen: ${join(scratch, 'suites.json')}: suites[0].model: expected a model file name (the field is missing)`);
    expect(oneLine(lsmc('gen', '--manifest', manifest({ gzip: 'yes' }), '--out', out))).toMatch(/suites\[0\]\.gzip: expected true or false$/);
    expect(oneLine(lsmc('gen', '--manifest', manifest({ modle: 'x' }), '--out', out))).toMatch(/suites\[0\]\.modle: expected one of the fields name, model, set, gzip, pairs, writes, sequences; did you mean "model"\?$/);
    expect(existsSync(out)).toBe(false);
  });

  it('a model file with a misspelt knob gets the nearest knob', () => {
    const path = file('typo.json', JSON.stringify({ name: 'x', description: '', knobs: { valdation: 'none' }, bounds: {} }));
    expect(oneLine(lsmc('check', path))).toBe(`lsmc check: ${path}: knobs.valdation: expected a knob name (see lsmc knobs); did you mean "validation"?`);
  });

  it("another tool's trace given to replay, and a trace given where a model file is expected, are named as such", () => {
    const tlc = file('tlc.out', 'Error: Invariant NoStaleRead is violated.\nError: The behavior up to this point is:\nState 1: <Initial predicate>\n/\\ seq = 0\n');
    expect(oneLine(lsmc('replay', tlc))).toMatch(/tlc\.out: format: expected an ITF trace lsmc wrote; this is a TLC text trace/);
    const quint = file('q.itf.json', JSON.stringify({ '#meta': { format: 'ITF', source: 'Lsm.qnt' }, vars: ['x'], states: [{ x: { '#bigint': '1' } }] }));
    expect(oneLine(lsmc('replay', quint))).toMatch(/"owners" is missing, so this is an ITF trace of another spec \(Lsm\.qnt, written by Quint\)$/);
    const trace = 'generated-tests/traces/hazards/hazard-01-slot-reuse-aba.itf.json';
    expect(oneLine(lsmc('check', trace))).toBe(`lsmc check: ${trace}: format: expected a model file; this is an lsmc trace (lsmc replay takes it)`);
  });

  it("a JSON parser's message that quotes the file's newlines still makes one line", () => {
    expect(oneLine(lsmc('replay', file('junk.itf.json', 'not json\nat all\n')))).toMatch(/format: expected a JSON ITF trace \(.*\)$/);
  });
});

describe('colour and the Rerun line', () => {
  // A real pseudo-terminal: script(1) from bsdutils (essential in Debian) runs the command on one.
  const onTerminal = (env: Record<string, string>, ...args: string[]): string => {
    const command = [process.execPath, join(ROOT, 'bin/lsmc.js'), ...args].map((w) => `'${w}'`).join(' ');
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NO_COLOR' && k !== 'FORCE_COLOR'));
    const r = spawnSync('script', ['-qec', command, '/dev/null'], { cwd: ROOT, encoding: 'utf8', env: { ...clean, TERM: 'xterm', ...env } });
    return r.stdout;
  };
  const BROKEN = ['check', ...SMALL, '--set', 'createRace=unlocked', '--invariant', 'no-leak'];
  const ESC = '\u001b[';

  it('on a terminal the verdict, the invariant and the changed values are coloured', () => {
    const out = onTerminal({}, ...BROKEN);
    expect(out).toContain(`${ESC}1m${ESC}31mInvariant`);
    expect(out).toContain(`${ESC}35mno-leak`);
    expect(out).toMatch(/owners\.A\.phase \u001b\[2munborn\u001b\[22m -> \u001b\[1m\u001b\[36malive/);
  });

  it('no colour with NO_COLOR, with --no-color, or into a pipe', () => {
    // On a terminal a run slow enough (a loaded machine) redraws its progress line with \r and erase-line; that is not colour.
    const colours = (text: string): string => text.replace(/\r\u001b\[K/g, '');
    expect(colours(onTerminal({ NO_COLOR: '1' }, ...BROKEN))).not.toContain(ESC);
    expect(colours(onTerminal({}, ...BROKEN, '--no-color'))).not.toContain(ESC);
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NO_COLOR' && k !== 'FORCE_COLOR'));
    const piped = spawnSync(process.execPath, [join(ROOT, 'bin/lsmc.js'), ...BROKEN], { cwd: ROOT, encoding: 'utf8', env: clean });
    expect(piped.stdout).toContain('Invariant no-leak is violated.');
    expect(piped.stdout).not.toContain(ESC);
  });

  it('the Rerun line, pasted into a shell as it is, gives the same verdict and counterexample', () => {
    const spaced = join(scratch, "Bob's model.json");
    writeFileSync(spaced, readFileSync(join(ROOT, SMALL[0]), 'utf8'));
    const first = lsmc('check', spaced, '--set', 'createRace=unlocked', '--invariant', 'no-leak');
    const rerun = /^Rerun: (.*)$/m.exec(first.stdout)?.[1] ?? '';
    expect(rerun).toBe(`npx lsmc check '${scratch}/Bob'\\''s model.json' --set createRace=unlocked --invariant no-leak`);
    const again = spawnSync('sh', ['-c', rerun], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(again.status).toBe(first.code);
    // Everything up to the statistics is a function of the configuration alone.
    const verdict = (text: string): string => text.slice(0, text.indexOf(' distinct states'));
    expect(verdict(again.stdout)).toBe(verdict(first.stdout));
  });
});

describe('lsmc knobs', () => {
  it('lists every knob, bound and invariant, as text and as JSON', () => {
    const text = lsmc('knobs');
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('seq-uid-gen | uid-gen | uid | none');
    const j = JSON.parse(lsmc('knobs', '--json').stdout);
    expect(j.knobs.map((k: { name: string }) => k.name)).toContain('indexReuse');
    expect(j.knobs.find((k: { name: string }) => k.name === 'growth').reference).toBe('published-size');
    expect(j.bounds.map((b: { name: string }) => b.name)).toContain('pidNumbers');
    expect(j.invariants.map((i: { name: string }) => i.name)).toEqual(expect.arrayContaining(['no-stale-read', 'reader-progress', 'deadlock']));
  });
});

describe('help and version', () => {
  const COMMANDS = ['check', 'knobs', 'simulate', 'gen', 'replay'];
  for (const command of COMMANDS) {
    it(`lsmc ${command} --help lists its options, exit codes and an example, and lsmc help ${command} says the same`, () => {
      const r = lsmc(command, '--help');
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(new RegExp(`^Usage: lsmc ${command} `));
      expect(r.stdout).toContain('Exit codes: 0');
      expect(r.stdout).toMatch(/\nExamples?:\n {2}(lsmc|npm run) /);
      expect(r.stdout).toContain('-h, --help');
      expect(lsmc('help', command)).toEqual(r);
      // Every option the help lists is one the command accepts (the parser and the help share a table).
      for (const [, option] of r.stdout.matchAll(/^ {2}(--[a-z-]+)/gm)) {
        const probe = lsmc(command, option, '--help');
        expect(probe.code, option).toBe(0);
      }
    });
  }

  it('lsmc --help lists every command; a bare lsmc prints the same on stderr and exits 2', () => {
    const r = lsmc('--help');
    expect(r.code).toBe(0);
    for (const command of COMMANDS) expect(r.stdout).toMatch(new RegExp(`\n {2}${command} +\\S`));
    const bare = lsmc();
    expect(bare.code).toBe(2);
    expect(bare.stdout).toBe('');
    expect(bare.stderr).toBe(r.stdout);
  });

  // The npm scripts' own commands answer --help the same way, without starting their long runs.
  for (const script of ['bench', 'mutants', 'soak']) {
    it(`npm run ${script} -- --help prints its options and exit codes and starts nothing`, () => {
      const r = spawnSync('npm', ['run', '--silent', script, '--', '--help'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage: npm run ${script} -- `));
      expect(r.stdout).toContain('Exit codes: 0');
      expect(r.stdout).toContain('-h, --help');
      expect(r.stdout).toMatch(/\nExamples?:\n {2}npm run /);
      // Every run of these reports progress on stderr; help alone writes nothing there.
      expect(r.stderr).toBe('');
      const typo = spawnSync('npm', ['run', '--silent', script, '--', '--jsno'], { cwd: ROOT, encoding: 'utf8' });
      expect(typo.status).toBe(2);
      expect(typo.stderr.trim().split('\n')).toHaveLength(1);
    });
  }

  it('lsmc --version prints the package version', () => {
    const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    expect(lsmc('--version')).toEqual({ code: 0, stdout: `lsmc ${version}\n`, stderr: '' });
    expect(lsmc('-V').stdout).toBe(`lsmc ${version}\n`);
  });
});
