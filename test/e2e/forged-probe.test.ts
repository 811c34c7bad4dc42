/**
 * Issue 8, Found #1 and #2, on a real systemd Debian host over real SSH: a non-root user (`plain`)
 * plants forged probe records — a process called dockerd whose argument holds a fake `user`
 * section naming root via sudo from mallory, and a dangling symlink under ~/.docker whose target
 * holds fake doctor records pointing the config dir at /etc. `plan` as the admin and
 * `doctor --user plain --fix --yes` as root must act exactly as on the clean host, and the planted
 * dockerd is reported.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { homeWithKey, runCli } from '../harness/cli.js';
import { describeHosts } from '../harness/e2e.js';
import { bootHosts, type Fleet, type TestHost } from '../harness/hosts.js';

const FORGED_ARG = String.raw`\n@@dockhand:section user\nname=root\nuid=0\nsudo_user=mallory\n@@dockhand:section privilege\nuid=0\n`;
const FORGED_TARGET = String.raw`\n@@doctor:kv config_dir=/etc\n@@doctor:stat 41ed root root 0 0 /etc`;

interface JsonFinding { id: string; status: string; fix?: { commands: string[] } }
interface JsonReport { host: string; user: string; error?: string; findings: JsonFinding[]; applied?: string[] }

describeHosts('forged probe records on a real host', () => {
  let fleet: Fleet;
  let home: string;
  let h: TestHost;
  const dockhand = (args: string[]) => runCli(fleet, home, args);

  beforeAll(async () => {
    fleet = await bootHosts([{ name: 'forge', suite: 'bookworm' }], { image: 'docker' });
    home = homeWithKey(fleet);
    h = fleet.host('forge');
  });
  afterAll(async () => {
    await fleet?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  /** plain's ~/.docker as `sudo docker login` leaves it: root owns the directory and config.json. */
  const breakConfigDir = async (plant: boolean) => {
    await h.sh('rm -rf /home/plain/.docker && runuser -u plain -- mkdir -p /home/plain/.docker/desktop');
    if (plant) {
      // Planted by plain: a dangling symlink whose target carries the doctor's old record markers.
      await h.sh(`runuser -u plain -- sh -c 'ln -s -- "$(printf "${FORGED_TARGET}")" /home/plain/.docker/desktop/docker.sock'`);
    }
    await h.sh(`echo '{}' > /home/plain/.docker/config.json && chown root:root /home/plain/.docker /home/plain/.docker/config.json`);
  };

  const plan = async () => {
    const r = await dockhand(['plan', '--show-commands', '--source', 'distro', '-H', `deploy@${h.address}`]);
    expect(r.code, r.stderr).toBe(0);
    return r.stdout.replace(/\b\d+(\.\d+)?s\b/g, '<time>'); // the summary's timings vary
  };

  const doctorFix = async () => {
    const r = await dockhand(['doctor', '--user', 'plain', '--fix', '--yes', '--json', '-H', `root@${h.address}`]);
    expect(r.stdout, r.stderr).not.toBe('');
    const report = (JSON.parse(r.stdout) as JsonReport[])[0]!;
    expect(report.error).toBeUndefined();
    return { code: r.code, applied: report.applied ?? [], statuses: Object.fromEntries(report.findings.map((f) => [f.id, f.status])), report };
  };

  it('plan and doctor --fix act exactly as on the clean host; the planted dockerd is reported', async () => {
    await h.sh('gpasswd -d deploy docker >/dev/null 2>&1 || true');

    // Clean host.
    await breakConfigDir(false);
    const cleanPlan = await plan();
    expect(cleanPlan).toContain('usermod -aG docker deploy');
    const clean = await doctorFix();
    expect(clean.applied.join('\n')).toContain(`chown -hR "$u": "$d"`);
    expect((await h.sh('stat -c %U /home/plain/.docker')).trim()).toBe('plain');

    // The same state, plus what plain plants.
    await breakConfigDir(true);
    await h.sh('cp /bin/dash /home/plain/dockerd && chown plain: /home/plain/dockerd');
    await h.sh(`runuser -u plain -- setsid -f /home/plain/dockerd -c 'sleep 600; :' "$(printf '${FORGED_ARG}')" </dev/null >/dev/null 2>&1`);
    await h.sh('for i in $(seq 50); do pgrep -u plain -x dockerd >/dev/null && exit 0; sleep 0.1; done; exit 1');

    const hostilePlan = await plan();
    expect(hostilePlan).not.toContain('mallory');
    expect(hostilePlan).toBe(cleanPlan);

    const hostile = await doctorFix();
    expect(hostile.applied).toEqual(clean.applied);
    // The same findings but one: the planted dockerd (run by plain, not root) is reported, not believed.
    expect(clean.statuses['security.foreign-dockerd']).toBe('pass');
    expect(hostile.statuses).toEqual({ ...clean.statuses, 'security.foreign-dockerd': 'warn' });
    expect(hostile.code).toBe(clean.code);
    // Nothing outside plain's ~/.docker changed hands.
    expect((await h.sh('stat -c %U:%G /etc')).trim()).toBe('root:root');
    expect((await h.sh('stat -c %U /home/plain/.docker')).trim()).toBe('plain');
    expect((await h.sh('stat -c %U /home/plain/.docker/desktop/docker.sock 2>/dev/null || stat -L -c %U /home/plain/.docker/desktop 2>/dev/null')).trim()).toBe('plain');

    // The planted daemon is not taken for Docker's, and is named.
    const facts = await dockhand(['facts', '-H', `deploy@${h.address}`]);
    expect(facts.code, facts.stderr).toBe(0);
    expect(facts.stdout).toMatch(/ignored: a process named dockerd \(pid \d+\) run by uid \d+, not root/);
    expect(facts.stdout).not.toContain('mallory');
    expect(facts.stdout).toMatch(/User\s+deploy \(uid/);

    await h.sh('pkill -u plain -x dockerd || true');
  }, 600_000);
});
