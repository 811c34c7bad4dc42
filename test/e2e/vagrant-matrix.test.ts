/**
 * The real `vagrant/run-matrix.sh`, driven where Vagrant cannot run: a stand-in `vagrant` on PATH
 * (test/fixtures/vagrant) answers `status`, `up` and `ssh-config` for two real Debian hosts of the
 * e2e harness (bookworm, trixie). The driver provisions them through `--ssh-config` with
 * `-- --source distro` (Docker's site is unreachable here), requires a converged second run and a
 * healthy doctor, reports each box, and writes the JSON record a later run is compared with.
 * Host keys stay verified: the stand-in's config names the harness's known_hosts, used under strict.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeHosts } from '../harness/e2e.js';
import { bootHosts, type Fleet, type Suite } from '../harness/hosts.js';
import { runProgram, type RunResult } from '../harness/run.js';

const BOXES: Array<{ name: string; suite: Suite; versionId: string }> = [
  { name: 'deb12', suite: 'bookworm', versionId: '12' },
  { name: 'deb13', suite: 'trixie', versionId: '13' },
];
const driver = fileURLToPath(new URL('../../vagrant/run-matrix.sh', import.meta.url));
const standIn = fileURLToPath(new URL('../fixtures/vagrant', import.meta.url));

interface BoxRecord {
  box: string;
  result: string;
  stage: string;
  reason?: string;
  distribution: { id: string; versionId: string | null; codename: string | null } | null;
  engine: { version: string | null } | null;
  firstRun: { seconds: number; exitCode: number; changes: number } | null;
  secondRun: { seconds: number; exitCode: number; changes: number | null } | null;
  render: { status: string } | null;
  doctor: { exitCode: number; healthy: boolean; problems: number | null } | null;
  knownHosts?: { policy: string; from: string };
}
interface MatrixRecord {
  schema: number;
  options: string[];
  render: string;
  boxes: BoxRecord[];
  summary: { ok: number; failed: number };
  comparedWith: string | null;
}

describeHosts('vagrant/run-matrix.sh against a stand-in vagrant and real Debian hosts', () => {
  let fleet: Fleet;
  let work: string;
  let results: string;
  let calls: string;

  const matrix = (args: string[]): Promise<RunResult> =>
    runProgram(driver, ['--logs', join(work, 'logs'), ...args], {
      PATH: `${standIn}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      // A HOME with no keys and no ssh config: only the stand-in's ssh-config gets dockhand in.
      HOME: join(work, 'home'),
      CI: 'true',
      STANDIN_VAGRANT_BOXES: join(work, 'boxes.json'),
      STANDIN_VAGRANT_LOG: calls,
    });
  const records = (): MatrixRecord[] =>
    readdirSync(results)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => JSON.parse(readFileSync(join(results, f), 'utf8')) as MatrixRecord);

  beforeAll(async () => {
    fleet = await bootHosts(BOXES.map(({ name, suite }) => ({ name, suite })));
    work = mkdtempSync(join(tmpdir(), 'dockhand-matrix-e2e-'));
    results = join(work, 'results');
    calls = join(work, 'vagrant-calls.log');
    const boxes = Object.fromEntries(
      fleet.hosts.map((h) => [h.name, { address: h.address, user: 'deploy', identityFile: h.clientKeyPath, knownHostsFile: h.knownHostsFile }]),
    );
    writeFileSync(join(work, 'boxes.json'), JSON.stringify(boxes));
  });
  afterAll(async () => {
    await fleet?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('provisions every box, checks convergence and the doctor, reports each box and records the run', async () => {
    // No box names: the driver asks `vagrant status` for them, as on a workstation.
    const r = await matrix(['--results', results, '--', '--source', 'distro']);
    const out = `${r.stdout}\n${r.stderr}`;
    expect(r.code, out).toBe(0);
    for (const { name } of BOXES) {
      expect(r.stdout).toContain(`${name}: second up: 0 changes (converged)`);
      expect(r.stdout).toContain(`${name}: rendered script ran; plan then reports 0 changes`);
      expect(r.stdout).toContain(`${name}: ok (converged on second run, doctor healthy)`);
      expect(r.stdout).toMatch(new RegExp(`^${name} +ok +debian \\d+ `, 'm'));
    }
    expect(r.stdout).toContain('2 boxes: 2 ok, 0 failed');
    const vagrantCalls = readFileSync(calls, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as string[]);
    expect(vagrantCalls).toEqual([['status', '--machine-readable'], ['up', 'deb12'], ['ssh-config', 'deb12'], ['up', 'deb13'], ['ssh-config', 'deb13']]);

    const [record] = records();
    expect(record).toMatchObject({ schema: 1, options: ['--source', 'distro'], render: 'available', summary: { ok: 2, failed: 0 }, comparedWith: null });
    for (const { name, suite, versionId } of BOXES) {
      const b = record!.boxes.find((x) => x.box === name)!;
      const h = fleet.host(name);
      // What the record says is what the host has: the engine dockerd reports, the release it runs.
      const dockerd = (await h.sh('dockerd --version')).match(/version (\d+\.\d+\.\d+)/)![1];
      expect(b).toMatchObject({
        result: 'ok',
        stage: 'done',
        distribution: { id: 'debian', versionId, codename: suite },
        engine: { version: dockerd },
        secondRun: { exitCode: 0, changes: 0 },
        render: { status: 'ok', scriptExitCode: 0, planChanges: 0 },
        doctor: { exitCode: 0, healthy: true, problems: 0 },
        knownHosts: { policy: 'strict', from: 'ssh-config' },
      });
      expect(b.firstRun!.exitCode).toBe(0);
      expect(b.firstRun!.changes).toBeGreaterThan(0);
      expect(b.firstRun!.seconds).toBeGreaterThan(0);
      expect((await h.sh('systemctl is-active docker.service')).trim()).toBe('active');
    }
  });

  it('a second run is compared with the first; a box Vagrant does not know fails alone, exit 1', async () => {
    const r = await matrix(['--results', results, 'deb12', 'nosuchbox', '--', '--source', 'distro']);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(1);
    expect(r.stdout).toContain('nosuchbox: FAILED at boot: vagrant up exited 1');
    expect(r.stdout).toContain('deb12: ok (converged on second run, doctor healthy)');
    expect(r.stdout).toContain('2 boxes: 1 ok, 1 failed');
    expect(r.stdout).toMatch(/compared with matrix-[^\n]+\.json:\n {2}deb12: first up [\d.]+ s \(was [\d.]+ s\)\n {2}nosuchbox: not in the last run/);

    const all = records();
    expect(all).toHaveLength(2);
    const latest = all[1]!;
    expect(latest.comparedWith).toMatch(/^matrix-.*\.json$/);
    expect(latest.summary).toEqual({ ok: 1, failed: 1 });
    // Already provisioned: the first up of this run changes nothing either.
    expect(latest.boxes.find((b) => b.box === 'deb12')).toMatchObject({ result: 'ok', firstRun: { changes: 0 }, secondRun: { changes: 0 } });
    expect(latest.boxes.find((b) => b.box === 'nosuchbox')).toMatchObject({ result: 'failed', stage: 'boot', firstRun: null });
  });
});
