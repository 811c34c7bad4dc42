/**
 * The rendered script with daemon settings (issue 11's options), for real: log rotation, a registry
 * mirror, live-restore and the daemon's proxy, on a fresh Debian 12 host run with plain `ssh … sudo sh`
 * against the signed Docker-like mirror (render-mirror.ts; its engine is Debian's 20.10, older than
 * daemon.json "proxies", so the proxy goes into a systemd drop-in, as `up` does it).
 *
 * Shown: an admin's own daemon.json keys survive; the running daemon shows every setting (docker info,
 * the unit's environment); `dockhand plan` with the same options reports zero changes; a second run
 * changes nothing and keeps dockerd's PID; a reloadable change (another mirror) is applied by a
 * reload — dockerd's PID unchanged — and plan agrees again.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { homeWithKey, runCli } from '../harness/cli.js';
import { describeHosts } from '../harness/e2e.js';
import { bootHosts, type Fleet, type TestHost } from '../harness/hosts.js';
import { dockerLikeMirror, type DockerLikeMirror } from './render-mirror.js';

describeHosts('dockhand render: the script carries the daemon settings', () => {
  let fleet: Fleet;
  let home: string;
  let mirror: DockerLikeMirror;
  const dockhand = (args: string[]) => runCli(fleet, home, args);
  /** The daemon.json settings; a registry mirror at the gateway's address (never contacted: nothing is pulled). */
  const settings = (mirrors: string[]) => ['--log-max-size', '20m', '--log-max-file', '4', '--live-restore', ...mirrors.flatMap((m) => ['--registry-mirror', m])];
  /**
   * The daemon's proxy. `plan` is asked without it: facts are gathered without sudo, and the drop-in
   * is root's 0600 file (as `up` writes it, a proxy may carry a password), so `plan --proxy` cannot
   * read it and always wants to write it, after `up` as after the script. Its content is checked here.
   */
  const proxy = () => ['--proxy', `http://${fleet.network.gateway}:3128`, '--no-proxy', 'localhost,127.0.0.1'];
  const mirrorUrl = (port: number) => `http://${fleet.network.gateway}:${port}`;

  beforeAll(async () => {
    fleet = await bootHosts([{ name: 'set12', suite: 'bookworm' }]);
    home = homeWithKey(fleet);
    mirror = await dockerLikeMirror(fleet, fleet.hosts);
  });
  afterAll(async () => {
    await mirror?.close();
    await fleet?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  async function runRendered(h: TestHost, extra: string[]) {
    const out = join(mirror.dir, 'converge.sh');
    const r = await dockhand(['render', '--os', 'debian', '--os-version', '12', ...mirror.args(), ...extra, '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    const copy = await h.ssh('deploy', 'cat > /tmp/converge.sh', { input: readFileSync(out, 'utf8') });
    expect(copy.code, copy.stderr).toBe(0);
    return h.ssh('deploy', 'sudo sh /tmp/converge.sh', { timeoutMs: 600_000 });
  }
  const dockerdPid = async (h: TestHost) => (await h.sh('systemctl show -p MainPID --value docker')).trim();
  const info = async (h: TestHost, format: string) => (await h.sh(`docker info --format '${format}'`)).trim();

  async function planIsConverged(h: TestHost, extra: string[]) {
    const plan = await dockhand(['plan', `deploy@${h.address}`, '--source', 'docker', ...mirror.args(), ...extra]);
    expect(plan.code, `${plan.stdout}\n${plan.stderr}`).toBe(0);
    expect(plan.stdout, plan.stdout).toContain('converged: nothing to do');
  }

  it('converges a fresh host with log rotation, a mirror, live-restore and a proxy; plan agrees; a second run keeps dockerd', async () => {
    const h = fleet.host('set12');
    await h.sh(`mkdir -p /etc/docker && printf '%s\\n' '{ "debug": false,' '  "log-opts": {"compress": "true"} }' > /etc/docker/daemon.json`);
    const opts = settings([mirrorUrl(5000)]);
    const first = await runRendered(h, [...opts, ...proxy()]);
    expect(first.code, `${first.stdout}\n${first.stderr}`).toBe(0);
    expect(first.stdout).toMatch(/dockhand: done: \d+ change\(s\) made and verified/);

    const json = JSON.parse(await h.sh('cat /etc/docker/daemon.json'));
    expect(json).toEqual({
      debug: false,
      'log-opts': { compress: 'true', 'max-size': '20m', 'max-file': '4' },
      'storage-driver': 'overlay2',
      'live-restore': true,
      'registry-mirrors': [`${mirrorUrl(5000)}/`],
    });
    expect(await info(h, '{{.Driver}}')).toBe('overlay2');
    expect(await info(h, '{{.LiveRestoreEnabled}}')).toBe('true');
    expect(await info(h, '{{range .RegistryConfig.Mirrors}}{{.}} {{end}}')).toBe(`${mirrorUrl(5000)}/`);
    expect(await info(h, '{{.LoggingDriver}}')).toBe('json-file');
    // Engine 20.10 predates daemon.json "proxies": the daemon's proxy is the unit's environment.
    expect(await h.sh('cat /etc/systemd/system/docker.service.d/dockhand-proxy.conf')).toBe(
      `# Written by dockhand (--proxy/--no-proxy): the Docker daemon's own proxy.\n[Service]\nEnvironment="HTTP_PROXY=http://${fleet.network.gateway}:3128"\n` +
        `Environment="HTTPS_PROXY=http://${fleet.network.gateway}:3128"\nEnvironment="NO_PROXY=localhost,127.0.0.1"\n`,
    );
    expect(await h.sh('systemctl show -p Environment --value docker')).toContain(`HTTP_PROXY=http://${fleet.network.gateway}:3128`);
    expect(await info(h, '{{.HTTPProxy}}')).toBe(`http://${fleet.network.gateway}:3128`);
    const login = await h.ssh('plain', `docker info --format '{{.Driver}}'`);
    expect(login.stdout.trim(), login.stderr).toBe('overlay2');
    await planIsConverged(h, opts);

    const pid = await dockerdPid(h);
    const again = await runRendered(h, [...opts, ...proxy()]);
    expect(again.code, `${again.stdout}\n${again.stderr}`).toBe(0);
    expect(again.stdout).toContain('dockhand: converged: nothing changed');
    expect(await dockerdPid(h)).toBe(pid);
  });

  it('a reloadable change (another mirror) is a reload: same dockerd PID; plan agrees', async () => {
    const h = fleet.host('set12');
    const pid = await dockerdPid(h);
    const opts = settings([mirrorUrl(5000), mirrorUrl(5001)]);
    const run = await runRendered(h, [...opts, ...proxy()]);
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toMatch(/reload docker: registry-mirrors apply on SIGHUP/);
    expect(await dockerdPid(h)).toBe(pid);
    expect(await info(h, '{{range .RegistryConfig.Mirrors}}{{.}} {{end}}')).toBe(`${mirrorUrl(5000)}/ ${mirrorUrl(5001)}/`);
    await planIsConverged(h, opts);
  });
});
