/**
 * `dockhand render` on the built CLI: input checked before any connection (a stand-in `ssh` first on
 * PATH records every call), stdout and -o FILE, and every rendered script of every release passes
 * shellcheck as POSIX sh and parses under dash, busybox sh and bash. The scripts' behaviour on real
 * hosts is test/e2e/render.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../harness/run.js';
import { RELEASES } from '../fixtures/facts/releases.js';

let dir: string;
let sshLog: string;
const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dockhand-render-cli-'));
  sshLog = join(dir, 'ssh-calls.log');
  mkdirSync(join(dir, 'bin'));
  writeFileSync(join(dir, 'bin', 'ssh'), `#!/bin/sh\nprintf '%s\\n' "$*" >> '${sshLog}'\nexit 255\n`);
  chmodSync(join(dir, 'bin', 'ssh'), 0o755);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[]) {
  rmSync(sshLog, { force: true });
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    cwd: dir,
    env: { PATH: `${join(dir, 'bin')}:${process.env.PATH ?? '/usr/bin:/bin'}`, HOME: dir, CI: 'true' },
    timeout: 30_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, sshCalled: existsSync(sshLog) };
}

describe('input is checked before any connection', () => {
  it.each([
    [['render', '-H', '127.0.0.1:1', '--docker-version', 'x y'], /--docker-version: 'x y' is not a version/],
    [['render', '-H', '127.0.0.1:1', '--users', 'a;b'], /--users/],
    [['render', '-H', '127.0.0.1:1', '--mirror', 'ftp://x'], /--mirror/],
    [['render', '-H', '127.0.0.1:1', '--key-fingerprint', 'abc'], /fingerprint/],
    [['render', '-H', '127.0.0.1:1', '--os-version', '12'], /--os-version and --arch name a target/],
    [['render', '-H', '127.0.0.1:1', '--format', 'script', '--with', 'x'], /--with applies to --format cloud-init only/],
    [['render', '--format', 'cloud-init', '--os', 'debian', '--os-version', '12', '--with', 'missing.yaml'], /--with missing\.yaml: no such file/],
    [['render'], /render needs a target/],
    [['render', '--os', 'plan9', '--os-version', '4'], /--os: no playbook for 'plan9'/],
    [['render', '--os', 'debian', '--os-version', '9'], /Debian 9 is not supported; supported: 11, 12, 13/],
    [['render', '--os', 'debian'], /--os-version is needed for Debian/],
    [['render', '--os', 'debian', '--os-version', '12', '--arch', 'mips'], /--arch: 'mips' is not one of/],
    [['render', '--os', 'arch', '--docker-version', '28.1'], /docker version 28\.1 needs the docker package source/, 2],
    // The daemon settings are checked as `up` checks them; a data root move is `up`'s alone.
    [['render', '-H', '127.0.0.1:1', '--log-max-size', '10 m'], /--log-max-size/],
    [['render', '-H', '127.0.0.1:1', '--registry-mirror', 'ftp://m'], /--registry-mirror/],
    [['render', '-H', '127.0.0.1:1', '--data-root', '/srv/docker'], /render: an option sets the data root \(data-root\): a rendered script does not move Docker's data/],
    [['render', '--os', 'debian', '--os-version', '12', '--daemon-opt', 'data-root=/srv/docker'], /a rendered script does not move Docker's data/],
    // What no engine the target may have can do is said when rendering.
    [['render', '--os', 'debian', '--os-version', '12', '--image-store', 'containerd', '--docker-version', '20.10'], /render: .*--image-store containerd needs Engine 24 or newer/],
    [['render', '--os', 'debian', '--os-version', '12', '--log-max-size', '10m', '--daemon-opt', 'log-driver=journald'], /render: .*apply to the json-file and local log drivers/],
  ])('%j', (args, message, code = 64) => {
    const r = run(args as string[]);
    // A version the target's package manager cannot pin is a plan failure (exit 2), as in `plan`.
    expect(r.code, r.stderr).toBe(code);
    expect(r.stderr).toMatch(message as RegExp);
    expect(r.stdout).toBe('');
    expect(r.sshCalled).toBe(false);
  });

  it('positive control: a host target does reach ssh', () => {
    const r = run(['render', '-H', '127.0.0.1:1', '--connect-timeout', '2']);
    expect(r.sshCalled).toBe(true);
    expect(r.code).not.toBe(0);
  });
});

it('writes to stdout, or to -o FILE (a script executable)', () => {
  const out = run(['render', '--os', 'debian', '--os-version', 'bookworm', '--users', 'admin']);
  expect(out.code, out.stderr).toBe(0);
  expect(out.stdout).toMatch(/^#!\/bin\/sh\n/);
  expect(out.stdout).toContain('# options: --os debian --os-version 12 --arch x86_64 --users admin');
  const file = join(dir, 'converge.sh');
  const r = run(['render', '--os', 'debian', '--os-version', '12', '--users', 'admin', '-o', file]);
  expect(r.code, r.stderr).toBe(0);
  expect(readFileSync(file, 'utf8')).toBe(out.stdout);
  expect(statSync(file).mode & 0o777).toBe(0o755);
  expect(r.stderr).toContain(`wrote ${file}`);
});

it('the daemon settings reach the script and its header (a proxy password only the body carries)', () => {
  const r = run(['render', '--os', 'debian', '--os-version', '12', '--log-max-size', '20m', '--live-restore', '--registry-mirror', 'https://m.example.test', '--proxy', 'http://u:s3cret@p.example.test:3128']);
  expect(r.code, r.stderr).toBe(0);
  const header = r.stdout.slice(0, r.stdout.indexOf('# --- body ---'));
  expect(header).toMatch(/^# options: .*--log-max-size 20m --live-restore --registry-mirror https:\/\/m\.example\.test --proxy http:\/\/\*\*\*@p\.example\.test:3128$/m);
  expect(header).not.toContain('s3cret');
  expect(r.stdout).toContain(`dh_w log-opts.max-size '"20m"'`);
  expect(r.stdout).toContain('dh_w live-restore true');
  // The body carries the password the host needs, unmasked, and the user is told; a file is private.
  expect(r.stdout).toContain(`dh_w proxies.http-proxy '"http://u:s3cret@p.example.test:3128"'`);
  expect(r.stderr).toMatch(/carries the credentials .* keep it private/);
  const file = join(dir, 'with-proxy.sh');
  expect(run(['render', '--os', 'debian', '--os-version', '12', '--proxy', 'http://u:s3cret@p.example.test:3128', '-o', file]).code).toBe(0);
  expect(statSync(file).mode & 0o777).toBe(0o700);
});

const GOLDEN = join(fileURLToPath(new URL('../golden/render/', import.meta.url)));

describe('every rendered script (the golden files: every release, default and pinned)', () => {
  const scripts = readdirSync(GOLDEN).filter((f) => f.endsWith('.sh'));
  it('covers every release', () => {
    for (const r of RELEASES) expect(scripts).toContain(`${r}.default.sh`);
  });
  // One file per test: 54 files at once outlast the timeout on a loaded machine.
  it.runIf(has('shellcheck')).each(scripts)('%s passes shellcheck as POSIX sh (style level)', (f) => {
    const sc = spawnSync('shellcheck', ['--shell=sh', '--severity=style', '-f', 'gcc', join(GOLDEN, f)], { encoding: 'utf8' });
    expect(sc.stdout).toBe('');
    expect(sc.status).toBe(0);
  });
  it.each([['dash'], ['busybox', 'sh'], ['bash', '--posix']])('parses under %s', (...shell) => {
    if (!has(shell[0]!)) return;
    for (const f of scripts) {
      const p = spawnSync(shell[0]!, [...shell.slice(1), '-n', join(GOLDEN, f)], { encoding: 'utf8' });
      expect(p.status, `${f}: ${p.stderr}`).toBe(0);
    }
  });
});
