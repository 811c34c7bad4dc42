/**
 * --move-data-root's pure parts: the root measurement's parser (as the script prints it, and what a
 * hostile host may print instead), the refusals (target not empty, filesystem, space, GNU cp,
 * nested paths, no systemd), when the measurement is asked for, and the order of the move script:
 * daemon.json is switched only after the copy compared equal, the old root renamed only after
 * docker info showed the new root with the same counts.
 */
import { describe, expect, it } from 'vitest';
import { PreconditionError } from '../../src/core/errors.js';
import { parseDataRootTarget, type DataRootTargetFacts } from '../../src/facts/data-root-target.js';
import type { Facts } from '../../src/facts/types.js';
import { dataRootMoveCommand, moveNotes, planDataRootMove } from '../../src/plan/daemon-data-root.js';
import { moveFactsWanted } from '../../src/plan/daemon-settings.js';
import { factsFor } from '../fixtures/facts/build.js';

/** What dataRootTargetScript printed on a Debian 12 host (/var/lib/docker on ext4, /srv/docker not there yet). */
const PRINTED = [
  'old.by\tdu',
  'old.kib\t3250112',
  'target.exists\tno',
  'target.probe_dir\t/srv',
  'target.fstype\text4',
  'target.avail_kib\t41943040',
  'target.same_fs\tyes',
  'gnu_cp\tyes',
  '',
].join('\n');

const measured = (patch: Partial<DataRootTargetFacts['target']> = {}, more: Partial<DataRootTargetFacts> = {}): DataRootTargetFacts => ({
  ...parseDataRootTarget(PRINTED),
  ...more,
  target: { ...parseDataRootTarget(PRINTED).target, ...patch },
});

function host(t: DataRootTargetFacts | undefined, running = 2): Facts {
  return factsFor('debian-12', 'converged', (f) => {
    f.daemonInfo = { containersRunning: running, containers: 3, images: 4, driver: 'overlay2', rootDir: '/var/lib/docker' };
    f.dataRootTarget = t;
  });
}

const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(PreconditionError);
    return (err as Error).message;
  }
  throw new Error('not refused');
};

describe('the root measurement (parseDataRootTarget)', () => {
  it('reads what the script prints', () => {
    expect(parseDataRootTarget(PRINTED)).toEqual({
      usedKiB: 3250112,
      measuredBy: 'du',
      containerdUsedKiB: undefined,
      target: { exists: false, isDir: false, entries: undefined, marker: false, probeDir: '/srv', fsType: 'ext4', xfsFtype: undefined, availKiB: 41943040, sameFilesystem: true },
      gnuCp: true,
    });
  });

  it('reads an existing target with an interrupted copy, xfs ftype and df-measured roots', () => {
    const t = parseDataRootTarget('old.by\tdf\nold.kib\t10\ntarget.exists\tyes\ntarget.dir\tyes\ntarget.entries\t3\ntarget.marker\tyes\ntarget.fstype\txfs\ntarget.xfs_ftype\t0\ncontainerd.kib\t77\n');
    expect(t).toMatchObject({ usedKiB: 10, measuredBy: 'df', containerdUsedKiB: 77, target: { exists: true, isDir: true, entries: 3, marker: true, fsType: 'xfs', xfsFtype: false } });
  });

  it('drops values that are not what the script prints (a host may print anything)', () => {
    const t = parseDataRootTarget('old.kib\t12abc\ntarget.fstype\text4; rm -rf /\ntarget.avail_kib\t-5\ntarget.probe_dir\trelative\ngnu_cp\tmaybe\nold.by\tfind\n');
    expect(t).toMatchObject({ usedKiB: undefined, measuredBy: undefined, gnuCp: false, target: { fsType: undefined, availKiB: undefined, probeDir: undefined } });
  });
});

describe('planDataRootMove', () => {
  it('plans the move on a measured host, saying how many containers stop and where the old root goes', () => {
    const move = planDataRootMove(host(measured()), '/srv/docker', { hasSystemd: true });
    expect(move).toMatchObject({ from: '/var/lib/docker', to: '/srv/docker', usedKiB: 3250112, running: 2, redo: false, keepAs: '/var/lib/docker.dockhand-moved-<UTC time>' });
    const notes = moveNotes(move).join('\n');
    expect(notes).toContain('stops 2 running containers');
    expect(notes).toContain('live-restore cannot keep containers across a data-root change');
    expect(notes).toContain('kept as /var/lib/docker.dockhand-moved-<UTC time>');
    expect(moveNotes({ ...move, running: 0 }).join('\n')).toContain('no container is running');
  });

  it('redoes its own interrupted copy, but refuses any other non-empty target', () => {
    expect(planDataRootMove(host(measured({ exists: true, isDir: true, entries: 5, marker: true })), '/srv/docker', { hasSystemd: true }).redo).toBe(true);
    expect(refusal(() => planDataRootMove(host(measured({ exists: true, isDir: true, entries: 1 })), '/srv/docker', { hasSystemd: true }))).toContain('/srv/docker is not empty (1 entries)');
    expect(() => planDataRootMove(host(measured({ exists: true, isDir: true, entries: 0 })), '/srv/docker', { hasSystemd: true })).not.toThrow();
    expect(refusal(() => planDataRootMove(host(measured({ exists: true, isDir: false })), '/srv/docker', { hasSystemd: true }))).toContain('is not a directory');
  });

  it.each([
    [{ fsType: 'btrfs' }, 'is on btrfs'],
    [{ fsType: 'xfs', xfsFtype: false }, 'without d_type'],
    [{ fsType: 'overlay' }, 'is on overlay'],
    [{ fsType: undefined }, 'could not be read'],
    [{ availKiB: 3_300_000 }, 'the copy needs 3.3 GiB'],
    [{ availKiB: undefined }, 'free space'],
  ] as Array<[Partial<DataRootTargetFacts['target']>, string]>)('refuses a target with %j', (patch, message) => {
    expect(refusal(() => planDataRootMove(host(measured(patch)), '/srv/docker', { hasSystemd: true }))).toContain(message);
  });

  it('accepts xfs with ftype=1 and exactly enough space (+5%)', () => {
    expect(() => planDataRootMove(host(measured({ fsType: 'xfs', xfsFtype: true, availKiB: Math.ceil(3250112 * 1.05) })), '/srv/docker', { hasSystemd: true })).not.toThrow();
  });

  it('refuses without GNU cp, a size, systemd, the measurement, or with nested paths', () => {
    expect(refusal(() => planDataRootMove(host(measured({}, { gnuCp: false })), '/srv/docker', { hasSystemd: true }))).toContain('GNU cp');
    expect(refusal(() => planDataRootMove(host(measured({}, { usedKiB: undefined })), '/srv/docker', { hasSystemd: true }))).toContain('could not be measured');
    expect(refusal(() => planDataRootMove(host(measured()), '/srv/docker', { hasSystemd: false }))).toContain('systemd hosts only');
    expect(refusal(() => planDataRootMove(host(undefined), '/srv/docker', { hasSystemd: true }))).toContain('were not measured');
    expect(refusal(() => planDataRootMove(host(measured()), '/var/lib/docker/new', { hasSystemd: true }))).toContain('inside the other');
    expect(refusal(() => planDataRootMove(host(measured()), '/var/lib', { hasSystemd: true }))).toContain('inside the other');
    expect(refusal(() => planDataRootMove(host(measured()), "/srv/it's", { hasSystemd: true }))).toContain('contains characters dockhand will not put in a path');
  });
});

describe('moveFactsWanted (the second, root round trip)', () => {
  const facts = host(undefined);
  it('only with --move-data-root and a root other than the running one', () => {
    expect(moveFactsWanted(facts, { dataRoot: '/srv/docker', moveDataRoot: true })).toEqual({ from: '/var/lib/docker', to: '/srv/docker' });
    expect(moveFactsWanted(facts, { dataRoot: '/srv/docker' })).toBeUndefined();
    expect(moveFactsWanted(facts, { dataRoot: '/var/lib/docker/', moveDataRoot: true })).toBeUndefined();
    expect(moveFactsWanted(facts, undefined)).toBeUndefined();
    // The inventory's daemon: data-root is a daemon.json key: --move-data-root moves to it too.
    expect(moveFactsWanted(facts, { settings: { 'data-root': '/data/docker' }, moveDataRoot: true })).toEqual({ from: '/var/lib/docker', to: '/data/docker' });
  });
});

describe('the move script', () => {
  const move = planDataRootMove(host(measured()), '/srv/docker', { hasSystemd: true });
  const text = dataRootMoveCommand(move, { content: '{"data-root": "/srv/docker"}\n', previousHash: 'absent' }, { backupsKept: 5 }).script;
  const at = (needle: string) => {
    const i = text.indexOf(needle);
    expect(i, needle).toBeGreaterThanOrEqual(0);
    return i;
  };

  it('switches daemon.json only after the copy compared equal, and keeps the old root only after docker info checked out', () => {
    expect(at('if [ "$a" != "$b" ]; then')).toBeGreaterThan(at('cp -ax --preserve=xattr "$1/." "$2/"'));
    expect(at('copy "$old" "$new"')).toBeLessThan(at('mv -f "$cfgnew" /etc/docker/daemon.json'));
    expect(at('copy "$old" "$new"')).toBeGreaterThan(at('systemctl stop docker.service'));
    expect(at('mv -f "$cfgnew" /etc/docker/daemon.json')).toBeLessThan(at('switched=1\n'));
    expect(at('if [ "$root" != "$new" ]')).toBeLessThan(at('mv "$old" "$keep"'));
    expect(at('if [ "$after" != "$before" ]')).toBeLessThan(at('mv "$old" "$keep"'));
    // The rollback trap is armed before anything stops, and cleared only once everything checked out.
    expect(at('trap back EXIT')).toBeLessThan(at('systemctl stop docker.service'));
    expect(at('trap - EXIT HUP INT TERM')).toBeGreaterThan(at('if [ "$after" != "$before" ]'));
    expect(text).not.toMatch(/rm -rf[^\n]*\$old/);
    expect(text).not.toContain('containerd');
  });

  it('stops the containers before the daemon (live-restore would keep them, and their mounts, under the old root)', () => {
    expect(at('docker stop $ids')).toBeLessThan(at('systemctl stop docker.service'));
    expect(at('/proc/self/mountinfo')).toBeLessThan(at('copy "$old" "$new"'));
  });
});

describe('the move on the containerd image store (the system containerd): its root follows', () => {
  const onContainerd = (t: DataRootTargetFacts) => {
    const f = host(t);
    f.daemonInfo = { ...f.daemonInfo!, driver: 'overlayfs', driverType: 'io.containerd.snapshotter.v1' };
    f.daemonUnit = { execStart: [['/usr/sbin/dockerd', '-H', 'fd://', '--containerd=/run/containerd/containerd.sock']], dropIns: [], dropInsTruncated: false };
    return f;
  };
  const debian13 = 'version = 2\n\n[plugins]\n  [plugins."io.containerd.internal.v1.opt"]\n    path = "/var/lib/containerd/opt"\n';
  const t = measured({}, { containerdUsedKiB: 1_000_000, containerdConfig: debian13 });

  it('measures containerd only when it follows', () => {
    expect(moveFactsWanted(onContainerd(t), { dataRoot: '/srv/docker', moveDataRoot: true })).toEqual({ from: '/var/lib/docker', to: '/srv/docker', containerdRoot: '/var/lib/containerd' });
  });

  it("plans containerd's root into the new data root, config.toml edited, containerd checked from its open files", () => {
    const move = planDataRootMove(onContainerd(t), '/srv/docker', { hasSystemd: true, containerd: true });
    expect(move.containerd).toMatchObject({ from: '/var/lib/containerd', to: '/srv/docker/system-containerd', usedKiB: 1_000_000, configExisted: true, mentionsOldRoot: [5] });
    expect(move.containerd!.config).toContain('version = 2\n\nroot = "/srv/docker/system-containerd"\n\n[plugins]');
    const notes = moveNotes(move).join('\n');
    expect(notes).toContain('/var/lib/containerd → /srv/docker/system-containerd');
    expect(notes).toContain('line 5 still names paths under /var/lib/containerd');
    const text = dataRootMoveCommand(move, { content: '{}\n', previousHash: 'absent' }, { backupsKept: 5 }).script;
    const at = (needle: string) => text.indexOf(needle);
    expect(at('copy "$cold" "$cnew"')).toBeGreaterThan(at('systemctl stop containerd.service'));
    expect(at('copy "$cold" "$cnew"')).toBeLessThan(at('mv -f "$ccfgnew" /etc/containerd/config.toml'));
    expect(at('systemctl start containerd.service')).toBeLessThan(at('systemctl start docker.service\n'));
    expect(at('io.containerd.metadata.v1.bolt/meta.db')).toBeLessThan(at('mv "$cold" "$ckeep"'));
  });

  it('counts containerd in the space needed, and refuses a config.toml it cannot edit safely', () => {
    expect(refusal(() => planDataRootMove(onContainerd({ ...t, target: { ...t.target, availKiB: 4_000_000 } }), '/srv/docker', { hasSystemd: true, containerd: true }))).toContain('the copy needs 4.3 GiB');
    const bad = { ...t, containerdConfig: '[plugins."x"]\n  root = "/elsewhere"\n' };
    expect(refusal(() => planDataRootMove(onContainerd(bad), '/srv/docker', { hasSystemd: true, containerd: true }))).toContain('/etc/containerd/config.toml:2 cannot be edited safely (root inside the table');
    const elsewhere = { ...t, containerdConfig: 'root = "/data/containerd"\n' };
    expect(refusal(() => planDataRootMove(onContainerd(elsewhere), '/srv/docker', { hasSystemd: true, containerd: true }))).toContain("containerd's root is /data/containerd");
  });
});
