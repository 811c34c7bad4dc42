/**
 * Input checked first (issue 8, Found #9), on the built CLI: every flag and inventory value is checked
 * before anything connects. A stand-in `ssh` first on PATH records every call, so "never reaches
 * `ssh -G` (nor DNS)" is asserted, not assumed; a positive control shows the stand-in is really used.
 * Only loopback is ever contacted (127.0.0.1:1, refused at once).
 */
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../harness/run.js';

let dir: string;
let sshLog: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dockhand-input-'));
  sshLog = join(dir, 'ssh-calls.log');
  const bin = join(dir, 'bin');
  spawnSync('mkdir', [bin]);
  // Records its arguments, prints nothing, fails: the transport then goes on with its defaults.
  writeFileSync(join(bin, 'ssh'), `#!/bin/sh\nprintf '%s\\n' "$*" >> '${sshLog}'\nexit 255\n`);
  chmodSync(join(bin, 'ssh'), 0o755);
  writeFileSync(join(dir, 'values.yaml'), 'hosts:\n  h1:\n    address: 127.0.0.1\n    port: 1\n    users: ["a;b"]\n');
  writeFileSync(join(dir, 'version.yaml'), 'hosts:\n  h1:\n    address: 127.0.0.1\n    port: 1\n    docker_version: "x y"\n');
  writeFileSync(join(dir, 'name.ini'), '[web]\nhost;touch${IFS}pwned ansible_port=1\n');
  writeFileSync(join(dir, 'binary'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x00, 0x00, 0x0a, 0xff, 0xfe, 0x00, 0x0a]));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[], stdout: 'pipe' | number = 'pipe'): SpawnSyncReturns<string> & { ms: number } {
  rmSync(sshLog, { force: true });
  const started = Date.now();
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    cwd: dir,
    env: { PATH: `${join(dir, 'bin')}:${process.env.PATH ?? '/usr/bin:/bin'}`, HOME: dir, CI: 'true' },
    stdio: ['ignore', stdout, 'pipe'],
    timeout: 30_000,
  });
  return { ...r, ms: Date.now() - started };
}
const sshCalls = (): string[] => (existsSync(sshLog) ? readFileSync(sshLog, 'utf8').trim().split('\n') : []);
const noStackTrace = (stderr: string) => expect(stderr).not.toMatch(/^\s+at |internal error/m);

describe('input is checked before any connection', () => {
  it('positive control: a valid loopback target does reach the recording ssh -G', () => {
    const r = run(['plan', '-H', '127.0.0.1:1', '--connect-timeout', '2']);
    expect(r.status).toBe(4);
    expect(sshCalls().join('\n')).toMatch(/-G .*127\.0\.0\.1/);
  });

  it('a repeatable value flag takes one value each time: the target after it stays a target', () => {
    // Before, `--registry-mirror URL HOST` read HOST as a second mirror and failed as a bad mirror (64).
    const r = run(['plan', '--registry-mirror', 'https://127.0.0.1:5000/', '127.0.0.1:1', '--daemon-opt', 'debug=true', '127.0.0.1:2', '--connect-timeout', '2']);
    expect(r.stderr).not.toContain('is not a registry mirror');
    expect(r.status).toBe(4);
    expect(r.stderr).toMatch(/127\.0\.0\.1:1 done: unreachable/);
    expect(r.stderr).toMatch(/127\.0\.0\.1:2 done: unreachable/);
  });

  it.each(['a b', 'host;rm -rf /', '::::', 'host$(id)', 'bad\u0007bell', '-oProxyCommand=x', ' -x@host', 'ssh:al;ias', 'us er@host', '-u@host'])(
    '-H %j is a usage error (64), fast, and never reaches ssh -G or DNS',
    (host) => {
      const r = run(['plan', `--host=${host}`]);
      expect(r.status, r.stderr).toBe(64);
      expect(r.stderr).toMatch(/dockhand: (bad host|.*-H)/);
      noStackTrace(r.stderr);
      expect(r.ms).toBeLessThan(5_000);
      expect(sshCalls()).toEqual([]);
    },
  );

  it.each([
    [['--docker-version', 'x y'], /--docker-version: 'x y' is not a version/],
    [['--users', 'root,a;b'], /--users: 'a;b' is not a valid user name/],
    [['--mirror', 'ftp://x'], /--mirror: 'ftp:\/\/x' is not an http\(s\) URL/],
    [['--key-fingerprint', 'abc'], /--key-fingerprint: 'abc' is not a key fingerprint/],
    [['--connect-timeout', '-5'], /--connect-timeout must be/],
    [['--connect-timeout', 'soon'], /--connect-timeout must be/],
    [['--command-timeout', '0'], /--command-timeout must be/],
    [['--command-timeout', '99999999'], /--command-timeout must be/],
    [['--concurrency', '0'], /--concurrency must be/],
    [['--os', '../x'], /--os: '\.\.\/x' is not an os-release ID/],
    [['--max-fail-percent', '101'], /--max-fail-percent must be/],
  ])('flag %j is a usage error (64) before connecting', (flags, message) => {
    const r = run(['plan', '-H', '127.0.0.1:1', ...flags]);
    expect(r.status, r.stderr).toBe(64);
    expect(r.stderr).toMatch(message);
    noStackTrace(r.stderr);
    expect(sshCalls()).toEqual([]);
  });

  it('doctor --user with shell characters is a usage error before connecting', () => {
    const r = run(['doctor', '-H', '127.0.0.1:1', '--user', 'a;b']);
    expect(r.status, r.stderr).toBe(64);
    expect(r.stderr).toContain("--user: 'a;b' is not a valid user name");
    expect(sshCalls()).toEqual([]);
  });

  it.each([
    ['values.yaml', /values\.yaml:5:\d+: hosts\.h1\.users\[0\]: 'a;b' is not a valid user name/],
    ['version.yaml', /version\.yaml:5:\d+: hosts\.h1\.docker_version: not a version/],
    ['name.ini', /name\.ini:2: hosts\["host;touch\$\{IFS\}pwned"\]: host name .* contains shell metacharacters/],
    ['binary', /binary:1: not a text inventory/],
  ])('inventory %s: file:line:field, exit 65, blamed on the file not a flag, nothing connected', (file, message) => {
    const r = run(['plan', '-i', file]);
    expect(r.status, r.stderr).toBe(65);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/--users|--docker-version/);
    noStackTrace(r.stderr);
    expect(sshCalls()).toEqual([]);
  });

  it('an inventory with several mistakes: every one on its own line, in plain words, exit 65, nothing connected', () => {
    writeFileSync(join(dir, 'many.yaml'), 'defaults:\n  prot: 2222\nhosts:\n  h1:\n    address: 127.0.0.1\n    port: 70000\n    channel: nightly\n');
    const r = run(['plan', '-i', 'many.yaml']);
    expect(r.status, r.stderr).toBe(65);
    expect(r.stderr.trimEnd().split('\n')).toEqual([
      'dockhand: many.yaml:2:3: defaults.prot: unknown key — did you mean `port`?',
      'many.yaml:6:5: hosts.h1.port: must be a whole number between 1 and 65535, not 70000',
      "many.yaml:7:5: hosts.h1.channel: must be one of `stable`, `test`, not 'nightly'",
    ]);
    expect(sshCalls()).toEqual([]);
  });

  it('an exact package version from the inventory is accepted (as the schema documents)', () => {
    writeFileSync(join(dir, 'exact.yaml'), 'hosts:\n  h1:\n    address: 127.0.0.1\n    port: 1\n    docker_version: "5:28.1.1-1~debian.12~bookworm"\n');
    const r = run(['plan', '-i', 'exact.yaml', '--connect-timeout', '2']);
    expect(r.status, r.stderr).toBe(4); // got as far as connecting: the value was fine
  });
});

describe('a stdout that cannot be written', () => {
  // `facts --json | head -c 1`: the reader goes away on purpose. Exit 74 as documented, and no
  // "cannot write" line (it read as an error the user made); stdout's reader is closed before the
  // first byte, so the write fails every time, not only when the output outgrows the pipe.
  // `--json` alone: the plain local doctor, which runs without the parser (src/plain-doctor.ts).
  it.each(['facts --json', 'facts', '--json'])('%s | a reader that closes at once: exit 74, nothing on stderr about it', async (command) => {
    const child = spawn(process.execPath, [CLI, ...command.split(' ')], { cwd: dir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, CI: 'true' }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, stderr).toBe(74);
    expect(stderr).not.toMatch(/EPIPE|cannot write|^dockhand:/m);
    noStackTrace(stderr);
  });

  it.each([['facts'], ['doctor']])('%s > /dev/full: one clear line on stderr, exit 74, no stack trace', (command) => {
    const full = openSync('/dev/full', 'w');
    try {
      const r = run([command], full);
      expect(r.status, r.stderr).toBe(74);
      const errors = r.stderr.split('\n').filter((l) => l.startsWith('dockhand:'));
      expect(errors).toEqual(['dockhand: cannot write output to stdout: ENOSPC']);
      noStackTrace(r.stderr);
    } finally {
      closeSync(full);
    }
  });
});
