/**
 * The two plan scripts that guard against damage, run for real under dash on temp files only:
 * the signing-key check (a wrong key is never installed) and the daemon.json replacement (refuses
 * when the file changed since the plan, backs up, keeps other keys, replaces atomically).
 * Nothing outside a temp directory is touched.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DockerRepo } from '../../src/plan/context.js';
import { contentHash, mergeStorageSettings, parseDaemonJson, renderDaemonJson } from '../../src/plan/daemon-json.js';
import { fetchVerifiedKeyLines } from '../../src/plan/steps/repository.js';
import { DAEMON_JSON_BACKUPS_KEPT, daemonJsonCommand } from '../../src/plan/steps/storage.js';
import { packageManagerOps } from '../../src/plan/package-managers.js';
import { script } from '../../src/plan/script.js';

const dash = (text: string, env: Record<string, string> = {}) =>
  spawnSync('dash', ['-c', text], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env } });

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dockhand-plan-scripts-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('signing key verification', () => {
  let fingerprint: string;
  let repo: DockerRepo;

  beforeAll(() => {
    // A throwaway key in a throwaway keyring, published as <base>/linux/test/gpg (a file:// URL).
    const home = join(dir, 'gnupg-maker');
    const env = { GNUPGHOME: home };
    dash(`mkdir -m 700 ${home}`);
    const gen = dash(`gpg --batch --pinentry-mode loopback --passphrase '' --quick-gen-key 'dockhand test <test@example.invalid>' ed25519 sign never`, env);
    expect(gen.status, gen.stderr).toBe(0);
    const colons = dash('gpg --batch --with-colons --list-keys', env).stdout;
    fingerprint = /^fpr:+([0-9A-F]{40}):/m.exec(colons)![1]!;
    dash(`mkdir -p ${dir}/site/linux/test && gpg --batch --armor --export > ${dir}/site/linux/test/gpg`, env);
    repo = { base: `file://${dir}/site`, path: 'linux/test', suite: 'x', channel: 'stable', fingerprint };
  });

  it('installs a key whose fingerprint is the pinned one', () => {
    const dest = join(dir, 'ok', 'keyrings', 'docker.asc');
    const res = dash(script(...fetchVerifiedKeyLines(repo, dest)));
    expect(res.status, res.stderr).toBe(0);
    expect(readFileSync(dest, 'utf8')).toContain('BEGIN PGP PUBLIC KEY BLOCK');
  });

  it('refuses a key with another fingerprint and installs nothing', () => {
    const dest = join(dir, 'bad', 'keyrings', 'docker.asc');
    const wrong = { ...repo, fingerprint: '9DC858229FC7DD38854AE2D88D81803C0EBFCD88' };
    const res = dash(script(...fetchVerifiedKeyLines(wrong, dest)));
    expect(res.status).toBe(1);
    expect(res.stderr).toContain(`expected fingerprint 9DC858229FC7DD38854AE2D88D81803C0EBFCD88, got: ${fingerprint}`);
    expect(existsSync(dest)).toBe(false);
  });
});

describe('daemon.json replacement', () => {
  const original = '{\n  "log-level": "warn",\n  "dns": ["10.0.0.2"]\n}\n';
  const merged = renderDaemonJson(
    mergeStorageSettings(parseDaemonJson({ path: 'x', exists: true, content: original }), { driver: 'overlay2', disableContainerdSnapshotter: true }).merged,
  );

  it('backs up, keeps other keys and replaces the file', () => {
    const file = join(dir, 'ok-docker', 'daemon.json');
    dash(`mkdir -p ${dir}/ok-docker`);
    writeFileSync(file, original);
    const res = dash(daemonJsonCommand(merged, contentHash(original), file).script);
    expect(res.status, res.stderr).toBe(0);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      'log-level': 'warn',
      dns: ['10.0.0.2'],
      'storage-driver': 'overlay2',
      features: { 'containerd-snapshotter': false },
    });
    const backups = readdirSync(join(dir, 'ok-docker')).filter((f) => f.startsWith('daemon.json.bak-'));
    expect(backups).toHaveLength(1);
    expect(readFileSync(join(dir, 'ok-docker', backups[0]!), 'utf8')).toBe(original);
    // No temp file left behind.
    expect(readdirSync(join(dir, 'ok-docker')).sort()).toEqual(['daemon.json', backups[0]].sort());
  });

  it('refuses when the file changed since the plan was made', () => {
    const file = join(dir, 'changed-docker', 'daemon.json');
    dash(`mkdir -p ${dir}/changed-docker`);
    writeFileSync(file, '{"debug": true}\n');
    const res = dash(daemonJsonCommand(merged, contentHash(original), file).script);
    expect(res.status).toBe(1);
    expect(res.stderr).toContain('changed since the plan was made');
    expect(readFileSync(file, 'utf8')).toBe('{"debug": true}\n');
  });

  it('creates the file when the plan saw none', () => {
    const file = join(dir, 'new-docker', 'daemon.json');
    const res = dash(daemonJsonCommand(merged, 'absent', file).script);
    expect(res.status, res.stderr).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(merged);
    expect(statSync(join(dir, 'new-docker')).mode & 0o777).toBe(0o755);
    expect(statSync(file).mode & 0o777).toBe(0o644);
  });

  it("keeps the file's mode and owner and the directory's mode (no re-mode of an existing /etc/docker)", () => {
    const docker = join(dir, 'private-docker');
    const file = join(docker, 'daemon.json');
    mkdirSync(docker, { mode: 0o700 });
    chmodSync(docker, 0o700);
    writeFileSync(file, original, { mode: 0o640 });
    chmodSync(file, 0o640);
    // Root (as on a host) can hand the file to another owner; otherwise the owner is us either way.
    const owner = process.getuid?.() === 0 ? 1234 : process.getuid!();
    if (owner === 1234) chownSync(file, 1234, 1234);
    const res = dash(daemonJsonCommand(merged, contentHash(original), file).script);
    expect(res.status, res.stderr).toBe(0);
    expect(JSON.parse(readFileSync(file, 'utf8'))['storage-driver']).toBe('overlay2');
    expect(statSync(file).mode & 0o777).toBe(0o640);
    expect(statSync(file).uid).toBe(owner);
    expect(statSync(docker).mode & 0o777).toBe(0o700);
  });

  it(`keeps only the newest ${DAEMON_JSON_BACKUPS_KEPT} backups`, () => {
    const docker = join(dir, 'many-backups');
    const file = join(docker, 'daemon.json');
    mkdirSync(docker);
    writeFileSync(file, original);
    const old = ['20240101T000000Z', '20240102T000000Z', '20240103T000000Z', '20240104T000000Z', '20240105T000000Z', '20240106T000000Z', '20240107T000000Z'];
    for (const t of old) writeFileSync(`${file}.bak-${t}`, '{}');
    const res = dash(daemonJsonCommand(merged, contentHash(original), file).script);
    expect(res.status, res.stderr).toBe(0);
    const backups = readdirSync(docker).filter((f) => f.startsWith('daemon.json.bak-')).sort();
    expect(backups).toHaveLength(DAEMON_JSON_BACKUPS_KEPT);
    // The one just made (of the file as it was) is among them; the oldest went first.
    expect(backups.slice(0, -1)).toEqual(old.slice(-(DAEMON_JSON_BACKUPS_KEPT - 1)).map((t) => `daemon.json.bak-${t}`));
    expect(readFileSync(join(docker, backups.at(-1)!), 'utf8')).toBe(original);
  });

  it('flushes the new file to disk before the rename', () => {
    const lines = daemonJsonCommand(merged, 'absent', '/x/daemon.json').script.split('\n');
    const sync = lines.findIndex((l) => l.startsWith('sync "$tmp"'));
    const mv = lines.findIndex((l) => l.startsWith('mv -f "$tmp"'));
    expect(sync).toBeGreaterThan(0);
    expect(sync).toBeLessThan(mv);
  });
});

describe('directories that already exist keep their mode', () => {
  it('the key install leaves an existing 0700 keyrings directory as it is', () => {
    const keyrings = join(dir, 'keep-mode', 'keyrings');
    mkdirSync(keyrings, { recursive: true, mode: 0o700 });
    chmodSync(keyrings, 0o700);
    const lines = fetchVerifiedKeyLines({ base: 'file:///nonexistent', path: 'linux/x', suite: 'x', channel: 'stable', fingerprint: 'A'.repeat(40) }, join(keyrings, 'docker.asc'));
    const mkdirLine = lines.find((l) => l.includes('install -d'))!;
    const res = dash(mkdirLine);
    expect(res.status, res.stderr).toBe(0);
    expect(statSync(keyrings).mode & 0o777).toBe(0o700);
  });
});

describe('apt list refresh while another apt holds the lists lock', () => {
  /** A PATH where `apt-get update` fails with `first` for its first `times` calls, then succeeds; `sleep` is instant. */
  function fakeApt(name: string, times: number, first: string): { env: Record<string, string>; calls: () => number } {
    const bin = join(dir, name);
    const count = join(bin, 'count');
    dash(`mkdir -p ${bin}`);
    writeFileSync(
      join(bin, 'apt-get'),
      `#!/bin/sh\nn=$(($(cat ${count} 2>/dev/null || echo 0) + 1)); echo $n > ${count}\n` +
        `if [ $n -le ${times} ]; then echo ${JSON.stringify(first)} >&2; exit 100; fi\necho 'Reading package lists... Done'\n`,
      { mode: 0o755 },
    );
    writeFileSync(join(bin, 'sleep'), '#!/bin/sh\n:\n', { mode: 0o755 });
    return { env: { PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}` }, calls: () => Number(readFileSync(count, 'utf8')) };
  }
  const refresh = (timeout: number) => script(packageManagerOps('apt', timeout).refresh);
  const LOCKED = 'E: Could not get lock /var/lib/apt/lists/lock. It is held by process 77 (apt-get)';

  it('waits while the lock is held, saying so, then succeeds', () => {
    const apt = fakeApt('locked-twice', 2, LOCKED);
    const res = dash(refresh(600), apt.env);
    expect(res.status, res.stderr).toBe(0);
    expect(apt.calls()).toBe(3);
    expect(res.stdout).toContain('dockhand-progress: waiting for another package manager to release the package lists (0s)');
    expect(res.stdout).toContain('Reading package lists... Done');
  });

  it('fails at once, with apt\'s message, on any other error', () => {
    const apt = fakeApt('broken', 1, 'E: Conflicting values set for option Signed-By regarding source https://example.invalid/');
    const res = dash(refresh(600), apt.env);
    expect(res.status).toBe(1);
    expect(apt.calls()).toBe(1);
    expect(res.stderr).toContain('Conflicting values set for option Signed-By');
  });

  it('gives up after the lock timeout with the last message', () => {
    const apt = fakeApt('locked-forever', 1000, LOCKED);
    const res = dash(refresh(10), apt.env);
    expect(res.status).toBe(1);
    expect(apt.calls()).toBe(3); // at 0 s, 5 s, 10 s
    expect(res.stderr).toContain(LOCKED);
  });
});
