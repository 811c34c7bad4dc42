/**
 * Issue 15: walks over /proc in the probes read each process's name with the shell's own `read`, not
 * a `cat` per process (on a busy host the rootless fragment's walk alone was a quarter of the local
 * doctor's script). `cat` is shadowed by a shell function that counts its calls; the walks must find
 * what they found before and call it a fixed number of times, however many processes there are.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rootlessArea } from '../../src/facts/areas/rootless.js';
import { fragmentOf } from '../../src/facts/areas/index.js';
import { storageArea } from '../../src/facts/areas/storage.js';
import { doctorScript, examinationScript } from '../../src/doctor/script.js';
import { factsProbeScript } from '../../src/facts/probe.js';
import { splitProbeOutput } from '../../src/probe/framing.js';
import { probeFile } from '../../src/probe/scripts.js';

const which = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
const NAME = 'dh-forks-test';
let dir: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(os.tmpdir(), 'dockhand-forks-'));
  copyFileSync(which('sleep'), join(dir, NAME));
  // Enough processes that a per-process fork would show.
  for (let i = 0; i < 20; i++) children.push(spawn(join(dir, NAME), ['60'], { stdio: 'ignore' }));
  await Promise.all(children.map((c) => new Promise((r) => c.once('spawn', r))));
});
afterAll(() => {
  children.forEach((c) => c.kill());
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `body` after the framing with `cat` counted (one line per call in $dir/cat.log). */
function counted(body: string, prelude = ''): { stdout: string; cats: number } {
  const log = join(dir, 'cat.log');
  writeFileSync(log, '');
  const shadow = `cat() { echo x >> '${log}'; command cat "$@"; }\n`;
  const r = spawnSync(which('dash') || 'sh', ['-c', `${probeFile('framing.sh')}\n${prelude}${shadow}${body}`], { encoding: 'latin1' });
  expect(r.status, r.stderr).toBe(0);
  return { stdout: r.stdout, cats: readFileSync(log, 'utf8').split('\n').filter(Boolean).length };
}

describe('process walks fork no cat per process', () => {
  const processes = readdirSync('/proc').filter((p) => /^\d+$/.test(p)).length;

  it('pids_of without pidof and pgrep (the /proc walk) finds every process of the name, with no cat', () => {
    const hide = 'has() { case "$1" in pidof|pgrep) return 1;; esac; command -v "$1" >/dev/null 2>&1; }\n';
    const { stdout, cats } = counted(`pids_of '${NAME}'\nprintf '%s\\n' "$dh_pids"\n`, hide);
    expect(stdout.trim().split('\n').map(Number).sort()).toEqual(children.map((c) => c.pid).sort());
    expect(processes).toBeGreaterThan(20);
    expect(cats).toBe(0);
  });

  it('the rootless fragment reads the names of all processes with a fixed number of cat calls', () => {
    const { stdout, cats } = counted(`set --\nDH_RECORD_DIR=${dir}/records\n${fragmentOf(rootlessArea)}\n`);
    expect(stdout).toContain('rootless_daemons');
    // Its fixed reads (three /proc/sys files) at most, not one per process.
    expect(cats).toBeLessThanOrEqual(3);
    expect(processes).toBeGreaterThan(20);
  });
});

/** Runs `body` after the framing with the named tools shadowed by functions that log each call. */
function logged(body: string, tools: string[]): { stdout: string; calls: string[] } {
  const log = join(dir, 'calls.log');
  writeFileSync(log, '');
  const shadows = tools.map((t) => `${t}() { echo "${t} $*" >> '${log}'; command ${t} "$@"; }\n`).join('');
  const r = spawnSync(which('dash') || 'sh', ['-c', `${probeFile('framing.sh')}\n${shadows}${body}`], { encoding: 'latin1' });
  expect(r.status, r.stderr).toBe(0);
  return { stdout: r.stdout, calls: readFileSync(log, 'utf8').split('\n').filter(Boolean) };
}

describe('the storage fragment counts entries without ls | wc', () => {
  it('counts every entry (hidden ones too) by globbing, and forks no ls, wc or head', () => {
    const root = join(dir, 'docker-root');
    const sha = join(root, 'image/overlay2/imagedb/content/sha256');
    mkdirSync(sha, { recursive: true });
    for (const f of ['a', 'b', '.hidden']) writeFileSync(join(sha, f), '');
    mkdirSync(join(root, 'overlay2/l'), { recursive: true });
    mkdirSync(join(root, 'containers/c1'), { recursive: true });
    mkdirSync(join(root, 'containers/c2'), { recursive: true });
    const vars = Object.entries(storageArea.vars ?? {}).map(([k, v]) => `${k}='${Array.isArray(v) ? v.join(' ') : v}'\n`).join('');
    const { stdout, calls } = logged(`${vars}dh_root='${root}'\n${fragmentOf(storageArea)}\n`, ['ls', 'wc', 'head']);
    expect(stdout).toContain('K\0images.overlay2\x003\0');
    expect(stdout).toContain('K\0driver.overlay2\0yes\0');
    expect(stdout).toContain('K\0containers\x002\0');
    expect(calls).toEqual([]);
  });
});

describe('the doctor probe', () => {
  it('reads the home directory without cut and greps the rc files once', () => {
    const { stdout, calls } = logged(doctorScript(), ['cut', 'grep', 'head']);
    expect(stdout).toContain(`K\0home\0${os.userInfo().homedir}\0`);
    expect(calls.filter((c) => c.startsWith('cut') || c.startsWith('head -n 1'))).toEqual([]);
    expect(calls.filter((c) => c.includes('DOCKER_HOST')).length).toBeLessThanOrEqual(1);
  });
});

// Issue 15: the doctor's examination starts the docker CLI for nothing no check reads. A stand-in
// docker (no package owns it) logs how it is called: the facts probe asks its version; the local
// doctor's examination (the API gives /info) asks neither its version nor docker info.
describe('the docker CLI in the examination', () => {
  it('the facts probe asks an unpackaged CLI its version; the examination does not, and leaves docker info to the API', () => {
    const bin = join(dir, 'cli-bin');
    mkdirSync(bin, { recursive: true });
    const log = join(dir, 'cli.log');
    writeFileSync(log, '');
    writeFileSync(join(bin, 'docker'), `#!/bin/sh\necho "docker $*" >> '${log}'\n[ "$1" = --version ] && echo 'Docker version 99.0.0, build x'\nexit 0\n`, { mode: 0o755 });
    const run = (script: string) => {
      writeFileSync(log, '');
      const r = spawnSync(which('dash') || 'sh', ['-c', script], { encoding: 'latin1', env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
      expect(r.status, r.stderr).toBe(0);
      return { out: splitProbeOutput(r.stdout, 'local', 3), calls: readFileSync(log, 'utf8').split('\n').filter(Boolean) };
    };
    const facts = run(factsProbeScript());
    expect(facts.calls).toContain('docker --version');
    expect(facts.out.sections.binaries?.commands.docker_version?.stdout).toContain('99.0.0');
    const exam = run(examinationScript(undefined, { daemonInfoViaApi: true }));
    expect(exam.out.complete).toBe(true);
    expect(exam.calls).toEqual([]);
    expect(exam.out.sections.binaries?.kv.docker).toBe(join(bin, 'docker'));
    expect(exam.out.sections.binaries?.commands.docker_version).toBeUndefined();
  });
});

// Issue 15: `docker info` (the probe's slowest command) runs beside the fragments after the daemon
// area, not before them. Stand-ins for docker and findmnt (the storage fragment, after it) log when
// they start and end; docker info takes 600 ms, findmnt 300 ms: run one after the other, each would
// end before the other starts. Needs a running dockerd (the probe asks only then).
const dockerdRuns = spawnSync('sh', ['-c', 'pidof dockerd'], { encoding: 'utf8' }).stdout.trim() !== '';
describe.skipIf(!dockerdRuns)('the facts probe with docker info beside the rest', () => {
  it('starts the later fragments while docker info runs, and still prints every section whole, then the end marker', () => {
    const bin = join(dir, 'bin');
    mkdirSync(bin, { recursive: true });
    const log = join(dir, 'order.log');
    writeFileSync(log, '');
    const stand = (name: string, body: string) => {
      writeFileSync(join(bin, name), `#!/bin/sh\necho "${name} start" >> '${log}'\n${body}\necho "${name} end" >> '${log}'\n`, { mode: 0o755 });
    };
    stand('docker', `[ "$1" = info ] && echo "docker info" >> '${log}' && sleep 0.6; echo '{"running":0}'`);
    stand('findmnt', 'sleep 0.3; echo ext4');
    const r = spawnSync(which('dash') || 'sh', ['-c', factsProbeScript()], { encoding: 'latin1', env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
    expect(r.status, r.stderr).toBe(0);
    const order = readFileSync(log, 'utf8').split('\n').filter((l) => /^(docker|findmnt) /.test(l));
    // docker --version (binaries, before) may come first; `docker info` marks docker info's start.
    const infoStart = order.indexOf('docker info');
    expect(infoStart).toBeGreaterThanOrEqual(0);
    expect(infoStart).toBeLessThan(order.indexOf('findmnt end'));
    expect(order.indexOf('findmnt start')).toBeLessThan(order.lastIndexOf('docker end'));
    const out = splitProbeOutput(r.stdout, 'local', 3);
    expect(out.complete).toBe(true);
    expect(r.stdout.endsWith('D\0')).toBe(true);
    expect(r.stdout).toContain('S\0daemon_info\0C\0info\0');
    expect(r.stdout).toContain('S\0storage\0');
  });

  it('a fragment after it that exits still ends the probe without the end marker (output known cut short)', () => {
    const script = factsProbeScript().replace('sec storage\n', 'sec storage\nexit 3\n');
    const r = spawnSync(which('dash') || 'sh', ['-c', script], { encoding: 'latin1' });
    expect(r.status).toBe(3);
    expect(r.stdout.endsWith('D\0')).toBe(false);
  });
});

// Issue 15: the probe's parts run at the same time (probe.ts `together`): the host part, the
// doctor's part and the engine part. Stand-ins log when they start and end: systemd-detect-virt
// (init.sh, host part), findmnt (storage.sh, engine part) and, in the doctor's part, ss. Each
// sleeps 0.3 s; run one after another, each would end before the next starts.
describe('the probe parts run at the same time', () => {
  const standIns = (names: string[]) => {
    const bin = join(dir, 'bin-parts');
    mkdirSync(bin, { recursive: true });
    const log = join(dir, 'parts.log');
    writeFileSync(log, '');
    for (const name of names) {
      writeFileSync(join(bin, name), `#!/bin/sh\necho "${name} start" >> '${log}'\nsleep 0.3\necho "${name} end" >> '${log}'\n`, { mode: 0o755 });
    }
    return { env: { ...process.env, PATH: `${bin}:${process.env.PATH}` }, order: () => readFileSync(log, 'utf8').split('\n').filter(Boolean) };
  };

  it('starts every part before any of the stand-ins ends, and prints each section once, whole, then the end marker', () => {
    const { env, order } = standIns(['systemd-detect-virt', 'findmnt', 'ss']);
    const shell = which('dash') || 'sh';
    const r = spawnSync(shell, ['-c', factsProbeScript(doctorScript())], { encoding: 'latin1', env });
    expect(r.status, r.stderr).toBe(0);
    const lines = order();
    const firstEnd = lines.findIndex((l) => l.endsWith(' end'));
    for (const name of ['systemd-detect-virt', 'findmnt', 'ss']) {
      expect(lines.indexOf(`${name} start`), `${name} in ${lines.join(', ')}`).toBeGreaterThanOrEqual(0);
      expect(lines.indexOf(`${name} start`), `${name} in ${lines.join(', ')}`).toBeLessThan(firstEnd);
    }
    const out = splitProbeOutput(r.stdout, 'local', 3);
    expect(out.complete).toBe(true);
    const names = [...r.stdout.matchAll(/S\0([a-z_]+)\0/g)].map((m) => m[1]);
    expect(names.length).toBe(new Set(names).size);
    for (const name of ['os', 'init', 'user', 'docker_config', 'storage', 'daemon_info', 'locks', 'apt_sources', 'doctor', 'doctor_rootless']) expect(names).toContain(name);
  });

  it.each([
    ['the host part (the first)', 'sec os\n', 3],
    ["the doctor's part (in the middle)", 'sec doctor\n', 4],
    ['the engine part (the last)', 'sec socket\n', 5],
    ["the engine part's fragments beside docker info", 'sec locks\n', 6],
  ])('a fragment of %s that exits ends the probe with its status, without the end marker', (_part, marker, status) => {
    const script = factsProbeScript(doctorScript()).replace(marker, `${marker}exit ${status}\n`);
    expect(script).toContain(`exit ${status}`);
    const r = spawnSync(which('dash') || 'sh', ['-c', script], { encoding: 'latin1' });
    expect(r.status).toBe(status);
    expect(r.stdout.endsWith('D\0')).toBe(false);
  });

  it('a part whose last command is false is not a failure, and a command cannot write a status on fd 3', () => {
    for (const more of ['false', 'echo 7 >&3', 'echo 7 >&3; false']) {
      const r = spawnSync(which('dash') || 'sh', ['-c', factsProbeScript(more)], { encoding: 'latin1' });
      expect(r.status, more).toBe(0);
      expect(r.stdout.endsWith('D\0'), more).toBe(true);
    }
  });
});
