/**
 * `dockhand render --format cloud-init` for real: a test host with the distribution's own cloud-init
 * package, a NoCloud seed holding the user-data the CLI rendered, powered off and booted again (a
 * first boot, as an EC2 instance's), installing from the signed Docker-like mirror (render-mirror.ts).
 *
 * Shown: `cloud-init status --wait --long` reports done (no module failed); Docker runs with overlay2;
 * the user is in the docker group and reaches the API from a fresh login; `dockhand plan` with the same
 * options then reports zero changes, on Debian 12 and 13. The MIME variant (`--with FILE`): the user's own cloud-config
 * part ran too (its write_files and its runcmd, beside ours).
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { homeWithKey, runCli } from '../harness/cli.js';
import { describeHosts } from '../harness/e2e.js';
import { bootHosts, type Fleet, type Suite, type TestHost } from '../harness/hosts.js';
import { dockerLikeMirror, type DockerLikeMirror } from './render-mirror.js';

const VERSIONS: Record<Suite, string> = { bullseye: '11', bookworm: '12', trixie: '13' };
const HOSTS: Array<{ name: string; suite: Suite }> = [
  { name: 'ci12', suite: 'bookworm' },
  { name: 'mime12', suite: 'bookworm' },
  { name: 'ci13', suite: 'trixie' },
];

/**
 * The test host's own cloud-init configuration (what an image would ship): the NoCloud seed only,
 * and nothing that would cut the harness off (host keys kept, /etc/hosts and apt sources as they are,
 * no network configuration). A minbase root has no `locales`, so the locale module is off.
 */
const SYSTEM_CFG = `datasource_list: [ NoCloud, None ]
locale: false
network: {config: disabled}
ssh_deletekeys: false
manage_etc_hosts: false
preserve_hostname: true
apt: {preserve_sources_list: true}
`;

describeHosts('dockhand render --format cloud-init: user-data run by cloud-init at boot', () => {
  let fleet: Fleet;
  let home: string;
  let mirror: DockerLikeMirror;
  const dockhand = (args: string[]) => runCli(fleet, home, args);

  beforeAll(async () => {
    fleet = await bootHosts(HOSTS);
    home = homeWithKey(fleet);
    mirror = await dockerLikeMirror(fleet, [fleet.host('ci12'), fleet.host('ci13')]);
    await Promise.all(
      fleet.hosts.map((h) => h.sh('apt-get update -qq && apt-get install -y -qq --no-install-recommends cloud-init >/dev/null', { timeoutMs: 600_000 })),
    );
  });
  afterAll(async () => {
    await mirror?.close();
    await fleet?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  /** Renders the user-data with the real CLI (extra args: e.g. --with FILE). */
  async function render(h: TestHost, extra: string[] = []): Promise<string> {
    const out = join(mirror.dir, `${h.name}.user-data`);
    const r = await dockhand(['render', '--format', 'cloud-init', '--os', 'debian', '--os-version', VERSIONS[h.suite], ...mirror.args(), ...extra, '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    return readFileSync(out, 'utf8');
  }

  /** Seeds NoCloud with the user-data, powers the host off and boots it again; cloud-init runs at that boot. */
  async function bootWithUserData(h: TestHost, userData: string) {
    await h.sh('mkdir -p /var/lib/cloud/seed/nocloud /etc/cloud/cloud.cfg.d && cat > /etc/cloud/cloud.cfg.d/90-dockhand-test.cfg', { input: SYSTEM_CFG });
    await h.sh(`printf 'instance-id: iid-dockhand-${h.name}\\nlocal-hostname: ${h.name}\\n' > /var/lib/cloud/seed/nocloud/meta-data`);
    await h.sh('cat > /var/lib/cloud/seed/nocloud/user-data', { input: userData });
    // Nothing of cloud-init has run yet: this is the instance's first boot.
    expect(await h.exec('test -e /var/lib/cloud/instance')).toMatchObject({ code: 1 });
    await h.reboot({ bootTimeoutMs: 900_000 });
    const status = await h.exec('cloud-init status --wait --long', { timeoutMs: 900_000 });
    const log = await h.exec('tail -n 60 /var/log/cloud-init-output.log');
    expect(status.stdout, `${status.stdout}\n${status.stderr}\n--- cloud-init-output.log:\n${log.stdout}`).toMatch(/^status: done$/m);
    expect(status.code, status.stdout).toBe(0);
    expect(status.stdout).toMatch(/DataSourceNoCloud \[seed=\/var\/lib\/cloud\/seed\/nocloud\]/);
    // Newer cloud-init (Debian 13) lists recoverable problems (deprecated keys, warnings): none here.
    expect(status.stdout).not.toMatch(/^(errors:(?! \[\]$)|recoverable_errors:(?! \{\}$))/m);
    return log.stdout;
  }

  async function converged(h: TestHost) {
    expect((await h.sh('systemctl is-active docker')).trim()).toBe('active');
    expect((await h.sh(`docker info --format '{{.Driver}}'`)).trim()).toBe('overlay2');
    expect((await h.sh('id -Gn plain')).split(/\s+/)).toContain('docker');
    // A fresh SSH login: the group comes from the group database, as for the user's next session.
    const login = await h.ssh('plain', `docker info --format '{{.Driver}}'`);
    expect(login.code, login.stderr).toBe(0);
    expect(login.stdout.trim()).toBe('overlay2');
    // The docker group was made a system group by bootcmd, before the packages created it.
    const gid = Number((await h.sh('getent group docker | cut -d: -f3')).trim());
    expect(gid).toBeLessThan(1000);
    const plan = await dockhand(['plan', `deploy@${h.address}`, '--source', 'docker', ...mirror.args()]);
    expect(plan.code, `${plan.stdout}\n${plan.stderr}`).toBe(0);
    expect(plan.stdout, plan.stdout).toContain('converged: nothing to do');
  }

  it.each(['ci12', 'ci13'])('%s: the #cloud-config user-data: cloud-init reports done; Docker with overlay2; the user reaches it; plan agrees', async (name) => {
    const h = fleet.host(name);
    const userData = await render(h);
    expect(userData.startsWith('#cloud-config\n')).toBe(true);
    const log = await bootWithUserData(h, userData);
    expect(log).toMatch(/dockhand: done: \d+ change\(s\) made and verified/);
    await converged(h);
  });

  it('the MIME multi-part (--with FILE): the user\'s own part ran too, beside ours', async () => {
    const h = fleet.host('mime12');
    const own = join(mirror.dir, 'own.yaml');
    writeFileSync(own, '#cloud-config\nwrite_files:\n  - path: /etc/own-marker\n    content: "mine\\n"\nruncmd:\n  - [sh, -c, "echo own-ran > /var/tmp/own-ran"]\n');
    const userData = await render(h, ['--with', own]);
    expect(userData).toMatch(/^Content-Type: multipart\/mixed/);
    const log = await bootWithUserData(h, userData);
    expect(log).toMatch(/dockhand: done: \d+ change\(s\) made and verified/);
    expect(await h.sh('cat /etc/own-marker')).toBe('mine\n');
    expect(await h.sh('cat /var/tmp/own-ran')).toBe('own-ran\n');
    await converged(h);
  });
});
