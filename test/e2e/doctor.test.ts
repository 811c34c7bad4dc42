/**
 * The doctor against a REAL systemd Debian host (booted by the harness), over real SSH, one broken
 * state at a time: each scenario breaks the host, asserts the exact finding id, and for fixable
 * ones runs --fix --yes and asserts the re-check passes; then restores the host.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeHosts } from '../harness/e2e.js';
import { bootHosts, type Fleet, type TestHost } from '../harness/hosts.js';
import { ExitCode } from '../../src/core/errors.js';
import { runDoctor } from '../../src/doctor/run.js';
import { sshRun } from '../fixtures/doctor/runs.js';

interface JsonFinding { id: string; status: string; summary: string; evidence: string[]; fix?: { class: string; commands: string[] } }
interface JsonReport { host: string; user: string; error?: string; findings: JsonFinding[]; applied?: string[]; summary: { problems: number; warnings: number } }

describeHosts('doctor on a real systemd Debian host', () => {
  let fleet: Fleet;
  let h: TestHost;

  beforeAll(async () => {
    fleet = await bootHosts([{ name: 'doc', suite: 'bookworm' }], { image: 'docker' });
    h = fleet.host('doc');
  });
  afterAll(() => fleet?.stop());

  async function doctor(login: string, opts: { fix?: boolean; allowRootEquivalent?: boolean; user?: string } = {}) {
    let out = '';
    const code = await runDoctor({ ...sshRun(h, [login], (t) => (out += t)), yes: true, ...opts });
    const report = (JSON.parse(out) as JsonReport[])[0]!;
    expect(report.error).toBeUndefined();
    const status = (id: string) => {
      const f = report.findings.find((x) => x.id === id);
      if (!f) throw new Error(`no finding ${id}`);
      return f.status;
    };
    const find = (id: string) => report.findings.find((x) => x.id === id)!;
    return { code, report, status, find };
  }

  const resetDocker = async () => {
    await h.exec('systemctl reset-failed docker.service docker.socket; systemctl start docker.socket docker.service');
    await h.sh('systemctl is-active docker.service');
  };

  it('a healthy host: no problems, exit 0 (as root)', async () => {
    const r = await doctor('root');
    expect(r.report.findings.filter((f) => f.status === 'fail').map((f) => f.id)).toEqual([]);
    expect(r.code).toBe(ExitCode.ok);
  });

  it('user not in the docker group → user.in-group; --fix needs --allow-root-equivalent; a fresh session then works', async () => {
    await h.exec('gpasswd -d deploy docker');
    const before = await doctor('deploy');
    expect(before.status('user.in-group')).toBe('fail');
    expect(before.status('socket.permission')).toBe('skip');
    expect(before.code).toBe(ExitCode.problemsFound);

    const refused = await doctor('deploy', { fix: true });
    expect(refused.status('user.in-group')).toBe('fail');
    expect(refused.report.applied?.join('\n')).toContain('needs --allow-root-equivalent');

    const fixed = await doctor('deploy', { fix: true, allowRootEquivalent: true });
    expect(fixed.status('user.in-group')).toBe('pass');
    expect(fixed.status('user.session')).toBe('pass'); // the re-check ran in a new SSH session
    expect((await h.sh('id -nG deploy')).split(/\s+/)).toContain('docker');
  });

  it('daemon stopped → daemon.running; --fix starts and enables it', async () => {
    await h.sh('systemctl stop docker.socket docker.service');
    const r = await doctor('deploy');
    const blockers = r.report.findings.filter((f) => f.status === 'fail').map((f) => `${f.id}: ${f.summary} ${f.evidence.join(' | ')}`);
    expect(r.status('daemon.running'), blockers.join('\n')).toBe('fail');
    const fixed = await doctor('deploy', { fix: true });
    expect(fixed.status('daemon.running')).toBe('pass');
    expect((await h.sh('systemctl is-active docker.service')).trim()).toBe('active');
  });

  it('broken daemon.json → daemon.start-failure names it from the journal; --fix does not touch the file', async () => {
    await h.sh(`printf '{ "debug": true, }\\n' > /etc/docker/daemon.json`);
    await h.exec('systemctl restart docker.service');
    const r = await doctor('deploy', { fix: true });
    expect(r.status('daemon.start-failure')).toBe('fail');
    expect(r.find('daemon.start-failure').summary).toContain('refuses its configuration');
    expect(r.find('daemon.start-failure').evidence.join('\n')).toMatch(/daemon\.json/);
    expect(r.status('daemon.running')).toBe('skip');
    expect(await h.sh('cat /etc/docker/daemon.json')).toContain('"debug": true, }');
    await h.sh('rm /etc/docker/daemon.json');
    await resetDocker();
  });

  it('"hosts" in daemon.json while the unit passes -H fd:// → daemon.start-failure names the conflict', async () => {
    await h.sh(`printf '{"hosts": ["unix:///var/run/docker.sock"]}\\n' > /etc/docker/daemon.json`);
    await h.exec('systemctl restart docker.service');
    try {
      const r = await doctor('deploy');
      expect(r.status('daemon.start-failure')).toBe('fail');
      expect(r.find('daemon.start-failure').summary).toContain('"hosts" is set in daemon.json AND as -H');
    } finally {
      await h.sh('rm /etc/docker/daemon.json');
      await resetDocker();
    }
  });

  it('socket root:root → socket.ownership; --fix restores root:docker 0660', async () => {
    await h.sh('chgrp root /run/docker.sock');
    expect((await doctor('deploy')).status('socket.ownership')).toBe('fail');
    const fixed = await doctor('deploy', { fix: true });
    expect(fixed.status('socket.ownership')).toBe('pass');
    expect((await h.sh('stat -c %G:%a /run/docker.sock')).trim()).toBe('docker:660');
  });

  it('world-writable socket → socket.world-writable (security); --fix restores 0660', async () => {
    await h.sh('chmod 666 /run/docker.sock');
    const r = await doctor('deploy');
    expect(r.status('socket.world-writable')).toBe('fail');
    const fixed = await doctor('deploy', { fix: true });
    expect(fixed.status('socket.world-writable')).toBe('pass');
    expect((await h.sh('stat -c %a /run/docker.sock')).trim()).toBe('660');
  });

  it('docker group missing → daemon.group; --fix creates it and restarts the socket', async () => {
    await h.sh('systemctl stop docker.socket docker.service && groupdel docker');
    await h.exec('systemctl start docker.socket');
    const r = await doctor('root');
    expect(r.status('daemon.group')).toBe('fail');
    const fixed = await doctor('root', { fix: true });
    expect(fixed.status('daemon.group')).toBe('pass');
    expect(fixed.status('daemon.running')).toBe('pass');
    await h.sh('usermod -aG docker deploy');
  });

  it('DOCKER_HOST pointing to a dead socket (from /etc/environment) → endpoint.docker-host', async () => {
    await h.sh('cp /etc/environment /etc/environment.orig; echo DOCKER_HOST=unix:///run/nothing.sock >> /etc/environment');
    try {
      const r = await doctor('deploy');
      expect(r.find('endpoint.resolved').evidence).toContain('endpoint: unix:///run/nothing.sock');
      expect(r.status('endpoint.docker-host')).toBe('fail');
    } finally {
      await h.sh('mv /etc/environment.orig /etc/environment');
    }
  });

  it('context pointing to a dead endpoint → endpoint.context', async () => {
    const hash = 'fe9c6bd7a66301f49ca9b6a70b217107cd1284598bfc254700c989b916da791e'; // sha256("desktop-linux")
    await h.sh(
      `mkdir -p /home/deploy/.docker/contexts/meta/${hash} && ` +
        `printf '%s' '{"Name":"desktop-linux","Metadata":{},"Endpoints":{"docker":{"Host":"unix:///home/deploy/.docker/desktop/docker.sock"}}}' > /home/deploy/.docker/contexts/meta/${hash}/meta.json && ` +
        `printf '%s' '{"currentContext":"desktop-linux"}' > /home/deploy/.docker/config.json && chown -R deploy: /home/deploy/.docker`,
    );
    try {
      const r = await doctor('deploy');
      expect(r.status('endpoint.context')).toBe('fail');
      expect(r.find('endpoint.context').summary).toContain('desktop-linux');
    } finally {
      await h.sh('rm -rf /home/deploy/.docker');
    }
  });

  it('~/.docker owned by root → client.config-dir; --fix chowns it back', async () => {
    await h.sh('mkdir -p /home/deploy/.docker && echo "{}" > /home/deploy/.docker/config.json && chown -R root:root /home/deploy/.docker');
    expect((await doctor('deploy')).status('client.config-dir')).toBe('fail');
    const fixed = await doctor('deploy', { fix: true });
    expect(fixed.status('client.config-dir')).toBe('pass');
    expect((await h.sh('stat -c %U /home/deploy/.docker')).trim()).toBe('deploy');
    await h.sh('rm -rf /home/deploy/.docker');
  });

  it('TCP listener without TLS → security.tcp-without-tls; --fix never touches it', async () => {
    await h.sh(
      'mkdir -p /etc/systemd/system/docker.service.d && ' +
        `printf '[Service]\\nExecStart=\\nExecStart=/usr/sbin/dockerd -H fd:// -H tcp://127.0.0.1:2375 --containerd=/run/containerd/containerd.sock\\n' > /etc/systemd/system/docker.service.d/tcp.conf && ` +
        'systemctl daemon-reload && systemctl restart docker.service',
    );
    try {
      const r = await doctor('deploy', { fix: true });
      expect(r.status('security.tcp-without-tls')).toBe('fail');
      expect(r.find('security.tcp-without-tls').evidence.join('\n')).toContain('tcp://127.0.0.1:2375');
      expect(await h.sh('cat /etc/systemd/system/docker.service.d/tcp.conf')).toContain('tcp://127.0.0.1:2375');
    } finally {
      await h.sh('rm -rf /etc/systemd/system/docker.service.d && systemctl daemon-reload');
      await resetDocker();
      await h.exec('systemctl restart docker.service');
    }
  });

  it('fleet output: one row per target, worst first', async () => {
    await h.sh('gpasswd -d plain docker || true');
    let out = '';
    const code = await runDoctor({ ...sshRun(h, ['deploy', 'plain'], (t) => (out += t)), yes: true, json: false });
    const rows = out.trim().split('\n');
    expect(rows).toHaveLength(3);
    expect(rows[1]).toMatch(new RegExp(`^plain@${h.address.replace(/\./g, '\\.')}\\s+1 problem\\s+✗ user\\.in-group`));
    expect(rows[2]).toMatch(/^deploy@\S+\s+ok/);
    expect(code).toBe(ExitCode.problemsFound);
  });

  it('after all that, the host is healthy again for deploy (exit 0)', async () => {
    const r = await doctor('deploy');
    expect(r.report.findings.filter((f) => f.status === 'fail').map((f) => `${f.id}: ${f.summary}`)).toEqual([]);
    expect(r.code).toBe(ExitCode.ok);
  });
});
