/**
 * A whole fleet in ONE dockhand run, on throwaway systemd Debian hosts (bullseye, bookworm, trixie) over
 * real SSH as the non-root sudoer `deploy`, from a native YAML inventory.
 *
 * Checks: the hosts are provisioned in parallel (wall time well under the sum of the per-host times the
 * JSON events report); per-host inventory variables reach that host's plan; a second run is converged
 * (zero changed, exit 0) and `--contexts` makes working docker contexts without switching the current
 * one; with one host unreachable and one without sudo the others still succeed, the summary names both
 * with a one-line reason, and the exit code is 4 (unreachable wins); Ansible INI and YAML inventories
 * of the same hosts give the same hosts and facts as the native one.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeHosts } from '../harness/e2e.js';
import { bootHosts, type Fleet, type Suite } from '../harness/hosts.js';
import { CLI, runProgram, type RunResult } from '../harness/run.js';

const SUITES: Array<{ name: string; suite: Suite }> = [
  { name: 'deb11', suite: 'bullseye' },
  { name: 'deb12', suite: 'bookworm' },
  { name: 'deb13', suite: 'trixie' },
];

interface HostEvent {
  event: 'host';
  host: string;
  outcome: string;
  os?: string;
  error?: string;
  steps: { ok: number; changed: number; failed: number; skipped: number };
  durationMs: number;
  data?: { os?: { id: string; versionId?: string }; host?: string };
}
interface SummaryEvent {
  event: 'summary';
  exitCode: number;
  durationMs: number;
  hosts: Array<Omit<HostEvent, 'event' | 'data'>>;
}

/** --json output: one JSON object per line, the summary last. */
function events(stdout: string): { hosts: HostEvent[]; summary: SummaryEvent; all: Array<Record<string, unknown>> } {
  const all = stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
  const summary = all.at(-1) as unknown as SummaryEvent;
  expect(summary.event).toBe('summary');
  return { hosts: all.filter((e) => e.event === 'host') as unknown as HostEvent[], summary, all };
}

describeHosts('dockhand on a fleet: one run, many hosts', () => {
  let fleet: Fleet;
  let dir: string;
  let home: string;
  let dockerConfig: string;
  let dockerPath: string;

  /** The built CLI, no agent, no ssh config: the key comes from the inventory, host keys from the fleet. */
  const dockhand = (args: string[]): Promise<RunResult> =>
    runProgram(process.execPath, [CLI, ...args, '--known-hosts', fleet.knownHostsFile], {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: home,
      CI: 'true',
      // `--contexts` writes docker contexts into the test's own directory, not this machine's.
      DOCKER_CONFIG: dockerConfig,
    });

  const inventory = (name: string, text: string) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };

  /** The native inventory: `deploy` everywhere; deb11 also adds `plain` to docker; deb12 is told its os. */
  const nativeInventory = (extra = '') =>
    inventory(
      'inv.yaml',
      [
        'defaults:',
        '  user: deploy',
        `  key: ${fleet.clientKeyPath}`,
        'groups:',
        '  debian:',
        `    hosts: [${SUITES.map((s) => s.name).join(', ')}]`,
        'hosts:',
        `  deb11: { address: ${fleet.host('deb11').address}, users: [deploy, plain] }`,
        `  deb12: { address: ${fleet.host('deb12').address}, os: debian }`,
        `  deb13: { address: ${fleet.host('deb13').address} }`,
        extra,
      ].join('\n'),
    );

  beforeAll(async () => {
    fleet = await bootHosts(SUITES);
    dir = mkdtempSync(join(tmpdir(), 'dockhand-e2e-fleet-'));
    home = join(dir, 'home');
    dockerConfig = join(dir, 'docker-config');
    mkdirSync(join(home, '.ssh'), { recursive: true, mode: 0o700 });
    mkdirSync(dockerConfig, { mode: 0o700 });
    // docker's own ssh (the contexts check) reads ~/.ssh of root's passwd entry, not $HOME: an `ssh`
    // first on its PATH adds a config with the harness key and the fleet's host keys instead.
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    writeFileSync(
      join(home, '.ssh', 'config'),
      `Host *\n  IdentityFile ${fleet.clientKeyPath}\n  IdentitiesOnly yes\n  UserKnownHostsFile ${fleet.knownHostsFile}\n  StrictHostKeyChecking yes\n  BatchMode yes\n`,
    );
    writeFileSync(join(bin, 'ssh'), `#!/bin/sh\nexec /usr/bin/ssh -F '${join(home, '.ssh', 'config')}' "$@"\n`, { mode: 0o755 });
    dockerPath = `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`;
  });
  afterAll(async () => {
    await fleet?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('provisions every host in one parallel run, then the second run is converged', async () => {
    const inv = nativeInventory();
    const up = await dockhand(['up', '-i', inv, '--source', 'distro', '--json']);
    expect(up.code, up.stderr).toBe(0);
    const first = events(up.stdout);
    expect(first.summary.hosts.map((h) => [h.host, h.outcome])).toEqual(SUITES.map((s) => [s.name, 'changed']));
    // Step events carry host, step, status and duration.
    expect(first.all).toContainEqual(expect.objectContaining({ event: 'step', host: 'deb13', step: 'packages', status: 'changed', durationMs: expect.any(Number) }));

    // Parallel: the run takes far less than the hosts one after another would.
    const perHost = Object.fromEntries(first.hosts.map((h) => [h.host, h.durationMs]));
    const sum = Object.values(perHost).reduce((a, b) => a + b, 0);
    const longest = Math.max(...Object.values(perHost));
    process.stderr.write(`[fleet e2e] wall ${up.wallMs} ms (runner ${first.summary.durationMs} ms); per host ${JSON.stringify(perHost)}; sum ${sum} ms; longest ${longest} ms\n`);
    expect(first.summary.durationMs).toBeLessThan(sum * 0.75);

    // Per-host inventory variables reached their host's plan only.
    expect(first.hosts.find((h) => h.host === 'deb12')!.os).toBe('debian 12 (as debian)');
    expect((await fleet.host('deb11').sh('id -nG plain')).split(/\s+/)).toContain('docker');
    expect((await fleet.host('deb13').sh('id -nG plain')).split(/\s+/)).not.toContain('docker');
    for (const { name } of SUITES) {
      const login = await fleet.host(name).ssh('deploy', `docker info --format '{{.Driver}}'`);
      expect(login.stdout.trim(), `${name}: ${login.stderr}`).toBe('overlay2');
    }

    // Second run, with --contexts: nothing changes; every host gets a docker context that works.
    const again = await dockhand(['up', '-i', inv, '--source', 'distro', '--json', '--contexts']);
    expect(again.code, again.stderr).toBe(0);
    const second = events(again.stdout);
    expect(second.summary.hosts.map((h) => [h.host, h.outcome, h.steps.changed])).toEqual(SUITES.map((s) => [s.name, 'ok', 0]));
    expect(again.stderr).toContain('docker context: created');
    const docker = async (args: string[]) => {
      const res = await runProgram('docker', args, { PATH: dockerPath, HOME: home, DOCKER_CONFIG: dockerConfig });
      expect(res.code, `docker ${args.join(' ')}: ${res.stderr}`).toBe(0);
      return res.stdout;
    };
    expect((await docker(['context', 'show'])).trim()).toBe('default');
    expect((await docker(['--context', 'deb13', 'info', '--format', '{{.Driver}}'])).trim()).toBe('overlay2');
  });

  it('one host unreachable, one without sudo: the others succeed, both are named, exit 4', async () => {
    // Nothing answers at .250 of the fleet's subnet; `plain` on deb12 may not sudo.
    const nowhere = fleet.host('deb11').address.replace(/\.\d+$/, '.250');
    const inv = nativeInventory([`  gone: { address: ${nowhere} }`, `  deb12-nosudo: { address: ${fleet.host('deb12').address}, user: plain }`].join('\n'));
    const res = await dockhand(['up', '-i', inv, '--source', 'distro', '--connect-timeout', '5']);
    expect(res.code, res.stderr).toBe(4);
    const rows = new Map(
      res.stdout
        .split('\n')
        .filter((l) => /^(deb|gone)/.test(l))
        .map((l) => [l.split(/\s+/)[0]!, l] as const),
    );
    for (const { name } of SUITES) expect(rows.get(name)).toMatch(new RegExp(`^${name}\\s+debian [\\d.]+.*\\s+ok\\s+0\\s+`));
    expect(rows.get('gone')).toMatch(/^gone\s+-\s+unreachable\s+.*gone: /);
    expect(rows.get('deb12-nosudo')).toMatch(/^deb12-nosudo\s+debian 12\s+failed\s+.*sudo/);
    for (const row of rows.values()) expect(row).not.toContain('\n');
    expect(res.stdout).toMatch(/5 hosts: 3 ok, 1 failed, 1 unreachable in .* \(exit 4\)/);
  });

  it('Ansible INI and YAML inventories of the same hosts reach the same hosts as the native one', async () => {
    const native = nativeInventory();
    const ini = inventory(
      'inventory.ini',
      [
        '[debian]',
        ...SUITES.map((s) => `${s.name} ansible_host=${fleet.host(s.name).address}`),
        '',
        '[all:vars]',
        'ansible_user=deploy',
        `ansible_ssh_private_key_file=${fleet.clientKeyPath}`,
      ].join('\n'),
    );
    const yaml = inventory(
      'ansible.yaml',
      [
        'all:',
        '  vars:',
        '    ansible_user: deploy',
        `    ansible_ssh_private_key_file: ${fleet.clientKeyPath}`,
        '  children:',
        '    debian:',
        '      hosts:',
        ...SUITES.map((s) => `        ${s.name}: { ansible_host: ${fleet.host(s.name).address} }`),
      ].join('\n'),
    );
    const seen = async (file: string) => {
      const res = await dockhand(['facts', '-i', file, '--json']);
      expect(res.code, res.stderr).toBe(0);
      // Who answered, as what: the name, the OS, and the login user the facts report.
      return events(res.stdout)
        .hosts.map((h) => [h.host, h.outcome, `${h.data?.os?.id} ${h.data?.os?.versionId}`])
        .sort((a, b) => a[0]!.localeCompare(b[0]!));
    };
    const fromNative = await seen(native);
    expect(fromNative).toEqual([
      ['deb11', 'ok', 'debian 11'],
      ['deb12', 'ok', 'debian 12'],
      ['deb13', 'ok', 'debian 13'],
    ]);
    expect(await seen(ini)).toEqual(fromNative);
    expect(await seen(yaml)).toEqual(fromNative);
    expect(readFileSync(ini, 'utf8')).toContain('ansible_host');
  });
});
