/**
 * Issue 9's hanging daemon on a REAL systemd Debian host: containerd masked, docker.socket active,
 * a connection starts docker.service, whose dockerd waits for a containerd that never comes. The
 * socket accepts, nothing answers — `docker ps` hangs there. The doctor over real SSH must end
 * within its bound and name the hang and containerd.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeHosts } from '../harness/e2e.js';
import { bootHosts, type Fleet, type TestHost } from '../harness/hosts.js';
import { runDoctor } from '../../src/doctor/run.js';
import { DOCTOR_BOUND_S } from '../../src/doctor/gather.js';
import { sshRun } from '../fixtures/doctor/runs.js';

interface JsonFinding { id: string; status: string; summary: string; evidence: string[] }
interface JsonReport { error?: string; findings: JsonFinding[] }

describeHosts('doctor on a host whose daemon hangs while starting (containerd masked)', () => {
  let fleet: Fleet;
  let h: TestHost;

  beforeAll(async () => {
    fleet = await bootHosts([{ name: 'hang', suite: 'bookworm' }], { image: 'docker' });
    h = fleet.host('hang');
    await h.sh('systemctl stop docker.service docker.socket containerd.service && systemctl mask containerd.service && systemctl start docker.socket');
    // A client connecting starts docker.service through the socket; it never answers.
    await h.exec('timeout 3 curl -s --unix-socket /var/run/docker.sock http://d/_ping || true');
  }, 300_000);
  afterAll(() => fleet?.stop());

  it('ends within its bound, names the hang and containerd', async () => {
    let out = '';
    const t0 = Date.now();
    await runDoctor(sshRun(h, ['root'], (t) => (out += t)));
    const seconds = (Date.now() - t0) / 1000;
    const report = (JSON.parse(out) as JsonReport[])[0]!;
    expect(report.error).toBeUndefined();
    expect(seconds).toBeLessThan(DOCTOR_BOUND_S);
    const all = report.findings.filter((f) => f.status === 'fail').map((f) => `${f.id}: ${f.summary}\n  ${f.evidence.join('\n  ')}`).join('\n');
    expect(all).toMatch(/the socket accepts connections but the daemon has not answered in \d+ s/);
    expect(all).toMatch(/containerd\.service: masked/);
    expect(report.findings.find((f) => f.id === 'daemon.containerd')?.status, all).toBe('fail');
  }, 300_000);
});
