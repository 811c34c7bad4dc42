/**
 * The rendered script's storage refusals (the plan's up-front ones, checked on the host before any
 * step; exit 6): a kernel too old for overlay2, a data root on a filesystem overlay2 cannot use, a
 * storage driver / image store switch that would hide images and containers. Each preflight as
 * rendered, run by sh with stand-ins for uname, findmnt, xfs_info, pidof and docker first on PATH and
 * the data root in a temp directory; nothing on this machine is read or changed.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeContext } from '../../src/plan/context.js';
import type { DaemonOptions } from '../../src/plan/daemon-settings.js';
import { STORAGE_REFUSED_EXIT, storagePreflight } from '../../src/plan/steps/storage.js';
import { SCRIPT_EXIT } from '../../src/render/script.js';
import { selectPlaybook } from '../../src/playbook/select.js';
import { factsFor, playbooks } from '../fixtures/facts/build.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dockhand-preflight-'));
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  const stub = (name: string, body: string) => {
    writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  };
  stub('uname', 'echo "$STUB_KERNEL"');
  stub('findmnt', 'case "$*" in *FSTYPE*) echo "$STUB_FS" ;; *) echo /srv ;; esac');
  stub('xfs_info', 'echo "naming   =version 2              bsize=4096   ascii-ci=0, ftype=$STUB_FTYPE"');
  stub('pidof', '[ -n "$STUB_RUNNING" ]');
  stub('pgrep', '[ -n "$STUB_RUNNING" ]');
  stub('docker', `case "$*" in *Driver*) echo "$STUB_DRIVER" ;; *Images*) echo "$STUB_IMAGES image(s) and $STUB_CONTAINERS container(s)" ;; *) exit 1 ;; esac`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Host {
  kernel?: string;
  fs?: string;
  ftype?: string;
  /** a running daemon's driver, images and containers */
  daemon?: { driver: string; images: number; containers: number };
  /** data directories (under the data root) that hold something */
  data?: string[];
  allow?: boolean;
}

/** Runs the preflight `index` as rendered (paths moved into the temp dir); its exit code and stderr. */
function check(which: 'kernel' | 'filesystem' | 'switch' | 'log-driver', host: Host & { daemonJson?: string }, daemon: DaemonOptions = {}) {
  const facts = factsFor('debian-12', 'fresh');
  const ctx = makeContext(facts, selectPlaybook(facts.os, playbooks), { loginUser: 'admin', daemon });
  const p = storagePreflight(ctx)[{ kernel: 0, filesystem: 1, switch: 2, 'log-driver': 3 }[which]]!;
  const root = join(dir, 'root');
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root);
  writeFileSync(join(dir, 'daemon.json'), host.daemonJson ?? '{}');
  for (const d of host.data ?? []) {
    mkdirSync(join(root, d), { recursive: true });
    writeFileSync(join(root, d, 'x'), '');
  }
  const shell = p.shell.replaceAll('/etc/docker/daemon.json', join(dir, 'daemon.json')).replaceAll('/var/lib/docker', root);
  const r = spawnSync('sh', ['-c', `( ${shell} )`], {
    encoding: 'utf8',
    env: {
      PATH: `${join(dir, 'bin')}:/usr/bin:/bin`,
      STUB_KERNEL: host.kernel ?? '6.1.0-28-amd64',
      STUB_FS: host.fs ?? 'ext4',
      STUB_FTYPE: host.ftype ?? '1',
      STUB_RUNNING: host.daemon ? '1' : '',
      STUB_DRIVER: host.daemon?.driver ?? '',
      STUB_IMAGES: String(host.daemon?.images ?? 0),
      STUB_CONTAINERS: String(host.daemon?.containers ?? 0),
      ...(host.allow ? { DOCKHAND_ALLOW_STORAGE_SWITCH: '1' } : {}),
    },
  });
  return { code: r.status, err: r.stderr, refusal: p.refusal, exitCode: p.exitCode };
}

it('the refusals are exit 6, documented beside the others', () => {
  expect(SCRIPT_EXIT.storageRefused).toBe(STORAGE_REFUSED_EXIT);
  expect(new Set(Object.values(SCRIPT_EXIT)).size).toBe(Object.values(SCRIPT_EXIT).length);
  expect(check('kernel', {}).exitCode).toBe(6);
});

describe('kernel', () => {
  it.each(['6.1.0-28-amd64', '4.0.0', '5.15.0-1051-aws', 'unknown'])('%s: fine', (kernel) => expect(check('kernel', { kernel }).code).toBe(0));
  it.each(['3.10.0-1160.el7.x86_64', '2.6.32'])('%s: refused, saying what it found', (kernel) => {
    const r = check('kernel', { kernel });
    expect(r.code).not.toBe(0);
    expect(r.err).toContain(`this host runs kernel ${kernel}`);
    expect(r.refusal).toMatch(/too old for overlay2/);
  });
});

describe('the data root filesystem', () => {
  it.each(['ext4', 'ext2/ext3', 'tmpfs'])('%s: fine', (fs) => expect(check('filesystem', { fs }).code).toBe(0));
  it.each(['btrfs', 'zfs', 'overlay', 'aufs'])('%s: refused', (fs) => {
    const r = check('filesystem', { fs });
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(new RegExp(`is on ${fs}$`, 'm'));
  });
  it('xfs: by its ftype', () => {
    expect(check('filesystem', { fs: 'xfs', ftype: '1' }).code).toBe(0);
    const r = check('filesystem', { fs: 'xfs', ftype: '0' });
    expect(r.code).not.toBe(0);
    expect(r.err).toContain('without d_type (ftype=0)');
  });
});

describe('a storage switch that would hide data', () => {
  it('a running daemon on another driver holding images: refused, with the counts; empty or the same driver: fine', () => {
    const r = check('switch', { daemon: { driver: 'vfs', images: 3, containers: 1 } });
    expect(r.code).not.toBe(0);
    expect(r.err).toContain('the running daemon uses the vfs driver and holds 3 image(s) and 1 container(s)');
    expect(check('switch', { daemon: { driver: 'vfs', images: 0, containers: 0 } }).code).toBe(0);
    expect(check('switch', { daemon: { driver: 'overlay2', images: 9, containers: 9 } }).code).toBe(0);
    expect(check('switch', { daemon: { driver: 'vfs', images: 3, containers: 1 }, allow: true }).code).toBe(0);
  });
  it('a stopped daemon: the data root says (not docker info, which would start it)', () => {
    const r = check('switch', { data: ['devicemapper'] });
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/devicemapper holds data of the devicemapper store/);
    expect(check('switch', { data: ['overlay2', 'image'] }).code).toBe(0);
    expect(check('switch', {}).code).toBe(0);
  });
  it("--image-store containerd: overlay2's data would be hidden; the snapshotter's own is fine", () => {
    const containerd: DaemonOptions = { imageStore: 'containerd' };
    expect(check('switch', { data: ['overlay2'] }, containerd).code).not.toBe(0);
    expect(check('switch', { data: ['containerd/daemon/io.containerd.snapshotter.v1.overlayfs/snapshots'] }, containerd).code).toBe(0);
    expect(check('switch', { daemon: { driver: 'overlayfs', images: 2, containers: 0 } }, containerd).code).toBe(0);
    // And the other way round: containerd's store holding images, overlay2 wanted.
    expect(check('switch', { data: ['containerd/daemon/io.containerd.snapshotter.v1.overlayfs/snapshots'] }).code).not.toBe(0);
  });
});

describe('log rotation and the log driver the host\'s daemon.json sets (as the plan refuses it)', () => {
  const rotation: DaemonOptions = { logMaxSize: '10m' };
  it('journald, syslog: refused (exit 4), naming the driver; json-file, local, none set: fine', () => {
    const r = check('log-driver', { daemonJson: '{ "log-driver": "journald" }' }, rotation);
    expect(r.code).not.toBe(0);
    expect(r.exitCode).toBe(4);
    expect(r.err).toContain('sets log-driver journald');
    expect(check('log-driver', { daemonJson: '{"log-driver":"syslog"}' }, rotation).code).not.toBe(0);
    for (const daemonJson of ['{"log-driver": "json-file"}', '{"log-driver":"local"}', '{"debug": true}']) expect(check('log-driver', { daemonJson }, rotation).code).toBe(0);
  });
  it('no rotation asked, or a log driver asked for with it: no such check on the host', () => {
    const facts = factsFor('debian-12', 'fresh');
    const count = (daemon: DaemonOptions) => storagePreflight(makeContext(facts, selectPlaybook(facts.os, playbooks), { loginUser: 'admin', daemon })).length;
    expect(count({})).toBe(4);
    expect(count(rotation)).toBe(5);
    expect(count({ ...rotation, settings: { 'log-driver': 'local' } })).toBe(4);
  });
});
