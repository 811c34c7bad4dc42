/**
 * The LOCAL doctor on a Debian root with Docker installed but NO init system (like WSL without
 * systemd, or a container): it must say "no systemd", name the stopped daemon, fix it with
 * `service docker start` under --fix --yes, and see it running on the re-check.
 */
import { expect, it } from 'vitest';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeHosts } from '../harness/e2e.js';
import { prepareRoot, runUnbooted } from '../harness/hosts.js';

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Runs the built doctor inside the root as root; returns its JSON report and exit code. */
const doctorScript = (fix: boolean) => `
cd /tmp && node --input-type=module -e '
const { runDoctor } = await import("/project/dist/src/doctor/run.js");
const { silentLogger } = await import("/project/dist/src/core/log.js");
process.exitCode = await runDoctor({
  hosts: [{ name: "local", spec: { name: "local", kind: "local" }, groups: [], vars: {} }], fleet: {},
  connect: { hostKeyPolicy: "strict", connectTimeoutMs: 10000, commandTimeoutMs: 120000 },
  logger: silentLogger, json: true, verbose: false, fix: ${fix}, yes: true, allowRootEquivalent: false,
});'; echo "exit=$?"`;

interface JsonFinding { id: string; status: string; fix?: { commands: string[] } }

describeHosts('local doctor without an init system', () => {
  it('names no-systemd and the stopped daemon, and --fix starts it with `service docker start`', async () => {
    const root = await prepareRoot('bookworm', 'docker');
    try {
      const bind = [
        { source: projectRoot, target: '/project', readOnly: true },
        { source: process.execPath, target: '/usr/local/bin/node', readOnly: true },
      ];
      const run = async (fix: boolean) => {
        const res = await runUnbooted(root.path, doctorScript(fix), { bind });
        const exit = Number(/exit=(\d+)/.exec(res.stdout)?.[1]);
        const json = res.stdout.slice(0, res.stdout.lastIndexOf('exit='));
        const report = JSON.parse(json)[0] as { findings: JsonFinding[]; applied?: string[] };
        const f = (id: string) => report.findings.find((x) => x.id === id)!;
        return { exit, report, f, stderr: res.stderr };
      };
      const before = await run(false);
      expect(before.f('host.init').status, before.stderr).toBe('warn');
      expect(before.f('daemon.running').status).toBe('fail');
      expect(before.f('daemon.running').fix?.commands).toEqual(['service docker start']);
      expect(before.exit).toBe(1);

      const after = await run(true);
      const applied = after.report.applied?.join('\n') ?? '';
      expect(applied).toMatch(/[✓✗] daemon\.running: service docker start/);
      if (applied.includes('✓ daemon.running')) {
        expect(after.f('daemon.running').status, applied).toBe('pass');
        expect(after.f('api.ping').status).toBe('pass');
      } else {
        // Some container setups refuse the init script (e.g. a read-only /sys/fs/cgroup): the doctor
        // must then show the script's own error and say the problem remains — never claim success.
        expect(applied, applied).toMatch(/✗ daemon\.running: service docker start \(exit \d+\): \S/);
        expect(after.f('daemon.running').status).toBe('fail');
        expect(applied).toContain('daemon.running: the Docker daemon is not running (still failing)');
        expect(after.exit).toBe(1);
      }
    } finally {
      root.remove();
    }
  });
});
