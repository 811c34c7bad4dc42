/** The removal plan (`down`, `plan --down`): facts in, exactly the commands out; nothing left → nothing to do. */
import { describe, expect, it } from 'vitest';
import { buildDownPlan } from '../../src/plan/down/index.js';
import type { DownPlan } from '../../src/plan/down/model.js';
import { renderDownPlan } from '../../src/plan/down/render.js';
import { factsFor, playbooks } from '../fixtures/facts/build.js';

const scripts = (plan: DownPlan, id: string) => plan.steps.find((s) => s.id === id)!.commands.map((c) => c.script).join('\n');
const changed = (plan: DownPlan) => plan.steps.filter((s) => s.commands.length).map((s) => s.id);

describe('buildDownPlan', () => {
  const converged = () =>
    factsFor('debian-12', 'converged', (f) => {
      f.held = ['docker-ce', 'docker-ce-cli'];
      f.dockerGroup = { exists: true, gid: 999, members: ['admin', 'other'] };
    });

  it('a converged host: services stopped and disabled, hold released, packages, repository and key removed; members and data kept', () => {
    const plan = buildDownPlan(converged(), playbooks, { loginUser: 'admin' });
    expect(changed(plan)).toEqual(['stop-services', 'release-hold', 'remove-packages', 'remove-repository']);
    expect(scripts(plan, 'stop-services')).toContain('systemctl disable --now');
    expect(scripts(plan, 'stop-services')).toContain('docker.socket');
    expect(scripts(plan, 'release-hold')).toContain('apt-mark unhold docker-ce docker-ce-cli');
    expect(scripts(plan, 'remove-packages')).toMatch(/apt-get .* remove -y docker-ce docker-ce-cli containerd\.io docker-buildx-plugin docker-compose-plugin/);
    expect(scripts(plan, 'remove-repository')).toBe("set -eu\nrm -f /etc/apt/sources.list.d/docker.sources /etc/apt/keyrings/docker.asc");
    expect(plan.steps.find((s) => s.id === 'group-members')!.reason).toBe('ok: kept: admin in group docker (--remove-group-members takes them out)');
    expect(plan.steps.find((s) => s.id === 'purge-data')!.reason).toBe('ok: kept: /var/lib/docker and /var/lib/containerd (--purge-data deletes them)');
  });

  it('a host with nothing of Docker left: every step ok (a second down changes nothing)', () => {
    const plan = buildDownPlan(factsFor('debian-12', 'fresh'), playbooks, { loginUser: 'admin', removeGroupMembers: true, purgeData: true, dataSizes: {} });
    expect(changed(plan)).toEqual([]);
    expect(renderDownPlan(plan)).toContain('nothing to remove');
  });

  it('--remove-group-members takes only the asked users that are members out', () => {
    const plan = buildDownPlan(converged(), playbooks, { users: ['admin', 'nobody2'], removeGroupMembers: true });
    expect(scripts(plan, 'group-members')).toBe("set -eu\ngpasswd -d admin docker");
  });

  it('--purge-data deletes the data directories that exist, naming their sizes', () => {
    const plan = buildDownPlan(converged(), playbooks, { purgeData: true, dataSizes: { '/var/lib/docker': 3 * 1024 ** 3, '/var/lib/containerd': 512 * 1024 } });
    const step = plan.steps.find((s) => s.id === 'purge-data')!;
    expect(step.commands[0]!.script).toBe('set -eu\nrm -rf --one-file-system -- /var/lib/docker /var/lib/containerd');
    expect(step.notes).toEqual(['deletes every image, container and volume: /var/lib/docker (3.0 GiB), /var/lib/containerd (512.0 KiB)']);
  });

  it('a removed package that is still marked hold is released (dpkg keeps the mark)', () => {
    const plan = buildDownPlan(factsFor('debian-12', 'fresh', (f) => void (f.held = ['docker-ce'])), playbooks, {});
    expect(changed(plan)).toEqual(['release-hold']);
  });

  it('the distro source packages go too (docker.io, containerd)', () => {
    const facts = factsFor('debian-12', 'fresh', (f) => void Object.assign(f.packages, { 'docker.io': '20.10.24', containerd: '1.6.20' }));
    expect(scripts(buildDownPlan(facts, playbooks, {}), 'remove-packages')).toMatch(/remove -y docker\.io containerd$/);
  });

  it('an rpm host: the .repo file and key; version locks released with the packages', () => {
    const plan = buildDownPlan(factsFor('rocky-9', 'converged'), playbooks, {});
    expect(scripts(plan, 'remove-repository')).toBe('set -eu\nrm -f /etc/yum.repos.d/docker-ce.repo /etc/pki/rpm-gpg/docker-ce.asc');
    expect(scripts(plan, 'release-hold')).toContain('dnf versionlock delete docker-ce docker-ce-cli');
    expect(scripts(plan, 'remove-packages')).toMatch(/^set -eu\ndnf remove -y docker-ce /m);
  });
});

describe('parseDpkgHolds', () => {
  it('the Docker packages whose selection is hold, installed or not', async () => {
    const { parseDpkgHolds } = await import('../../src/facts/areas/packages.js');
    const text = ['docker-ce\t5:27.5.1-1\thi ', 'docker-ce-cli\t5:27.5.1-1\tii ', 'containerd.io\t\thn ', 'vim\t9\thi ', 'garbage'].join('\n');
    expect(parseDpkgHolds(text)).toEqual(['docker-ce', 'containerd.io']);
  });
});
