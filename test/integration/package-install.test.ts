/**
 * Installable as people install CLIs: `npm pack` of a copy of this checkout (its own prepack build,
 * so the suite's dist/ is never rebuilt under the other tests) gives a package holding only what
 * runs; `npm install -g` of it into a temporary prefix is silent (no install scripts, no
 * dependencies to fetch: everything is bundled) and the installed `dockhand` works for a user who
 * cannot write the install directory (`nobody`, via runuser). Root only (runuser); offline: npm is
 * told not to reach any registry.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProgram, type RunResult } from '../harness/run.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const isRoot = process.getuid?.() === 0;
const hasRunuser = (() => {
  try {
    execFileSync('runuser', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const skipReason = !isRoot ? 'needs root (to run the installed CLI as nobody)' : !hasRunuser ? 'needs runuser (util-linux)' : '';
if (skipReason) console.warn(`package-install: skipped: ${skipReason}`);

const env = { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };

describe.skipIf(skipReason !== '')('npm pack → npm install -g → dockhand as an unprivileged user', () => {
  let dir = '';
  let prefix = '';
  let files: string[] = [];
  let install: RunResult;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dockhand-pack-'));
    chmodSync(dir, 0o755); // nobody must reach the prefix (read and run, never write)
    const src = join(dir, 'src');
    for (const f of ['package.json', 'package-lock.json', 'tsconfig.json', 'README.md', 'src', 'scripts', 'playbooks', 'checks', 'probes', 'schemas']) {
      cpSync(join(repo, f), join(src, f), { recursive: true });
    }
    symlinkSync(join(repo, 'node_modules'), join(src, 'node_modules'));
    const pack = await runProgram('npm', ['pack', '--json', '--pack-destination', dir], env, undefined, src);
    expect(pack.code, pack.stderr).toBe(0);
    // npm prints the prepack build's output first; the JSON report is the last thing on stdout.
    files = JSON.parse(pack.stdout.slice(pack.stdout.lastIndexOf('\n[\n') + 1))[0].files.map((f: { path: string }) => f.path);
    const tgz = readdirSync(dir).find((f) => /^dockhand-.*\.tgz$/.test(f))!;
    prefix = join(dir, 'prefix');
    install = await runProgram('npm', ['install', '-g', join(dir, tgz), '--prefix', prefix, '--offline'], env);
  }, 300_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('packs only what runs: the bundle, the compiled playbooks, probes, playbooks and checks', () => {
    expect(files).toContain('dist/src/cli.js');
    expect(files).toContain('dist/playbooks.json');
    expect(files).toContain('dist/checks.json');
    expect(files).toContain('dist/early-examination.json');
    expect(files).toContain('dist/src/chunks/api-main.js');
    expect(files.filter((f) => f.startsWith('probes/')).sort()).toEqual(readdirSync(join(repo, 'probes')).filter((f) => f.endsWith('.sh')).map((f) => `probes/${f}`).sort());
    expect(files.some((f) => f.startsWith('playbooks/') && f.endsWith('.yaml'))).toBe(true);
    expect(files.some((f) => f.startsWith('checks/') && f.endsWith('.yaml'))).toBe(true);
    const unexpected = files.filter((f) => !/^(dist\/src\/cli\.js|dist\/src\/chunks\/[^/]+\.js|dist\/(playbooks|checks|early-examination)\.json|(playbooks|checks|probes|schemas)\/.+|src\/facts\/areas\/[^/]+\.sh|package\.json|README\.md)$/.test(f));
    expect(unexpected).toEqual([]);
  });

  it('installs silently: no dependencies to fetch, no install scripts to approve', () => {
    expect(install.code, install.stderr).toBe(0);
    expect(install.stdout).toMatch(/added 1 package/);
    expect(install.stderr).not.toMatch(/install.?scripts|gyp|warn/i);
    expect(existsSync(join(prefix, 'lib/node_modules/dockhand/node_modules'))).toBe(false);
  });

  it('runs as nobody, who cannot write the install directory', async () => {
    const pkgDir = join(prefix, 'lib/node_modules/dockhand');
    expect(statSync(pkgDir).uid).toBe(0);
    expect(statSync(pkgDir).mode & 0o022).toBe(0);
    const asNobody = (...args: string[]) =>
      runProgram('runuser', ['-u', 'nobody', '--', join(prefix, 'bin/dockhand'), ...args], { PATH: process.env.PATH, HOME: '/nonexistent', LANG: 'C.UTF-8' });
    const touch = await runProgram('runuser', ['-u', 'nobody', '--', 'touch', join(pkgDir, 'probe-write')], { PATH: process.env.PATH });
    expect(touch.code).not.toBe(0);

    const version = await asNobody('--version');
    expect(version.code, version.stderr).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);

    const help = await asNobody('--help');
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/dockhand doctor/);

    const init = await asNobody('init', '-H', 'admin@web-1', '-o', '-');
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toMatch(/^hosts:\n {2}web-1: \{ user: admin \}$/m);

    // The local doctor as nobody: findings (nobody is not in the docker group), never a crash.
    const doctor = await asNobody('doctor', '--json');
    expect([0, 1, 3], doctor.stderr).toContain(doctor.code);
    expect(doctor.stderr).not.toMatch(/internal error|ENOENT|EACCES/);
    const report = JSON.parse(doctor.stdout);
    expect(report[0].user).toBe('nobody');
    expect(report[0].findings.length).toBeGreaterThan(10);
  }, 120_000);

  // The installed doctor checks another user by running its api-main chunk as them (setpriv): the
  // chunk must be where the bundled gather code looks. Without it the socket check only says
  // "API not probed"; with it, nobody's own connect() answers (EACCES: nobody is not in docker).
  it.skipIf(!existsSync('/var/run/docker.sock'))('doctor --user nobody (as root) probes the socket as nobody', async () => {
    const doctor = await runProgram(join(prefix, 'bin/dockhand'), ['doctor', '--user', 'nobody', '--json'], { PATH: process.env.PATH, HOME: '/root', LANG: 'C.UTF-8' });
    expect([0, 1, 3], doctor.stderr).toContain(doctor.code);
    const socket = JSON.parse(doctor.stdout)[0].findings.find((f: { id: string }) => f.id === 'socket.exists');
    expect(socket.evidence.join('\n')).not.toMatch(/API not probed/);
    expect(socket.evidence.join('\n')).toMatch(/unix:\/\/\/var\/run\/docker\.sock: (EACCES|\/_ping)/);
  }, 60_000);
});
