/**
 * Golden plans for the daemon settings (`--log-max-size`, `--registry-mirror`, `--live-restore`,
 * `--data-root`, `--proxy`, `--image-store`, `--daemon-opt`, inventory `daemon:`): the exact text
 * `dockhand plan` prints, or the refusal, on hosts as the probe reports them — Debian 12 as `up`
 * left it (Engine 20.10, two containers running), Debian 13 with Docker's Engine 28, and a fresh
 * Debian 13. `UPDATE_GOLDEN=1` rewrites them: read the diff.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { daemonFlags, type ProvisionArgs } from '../../src/commands/provision-run.js';
import { DockhandError } from '../../src/core/errors.js';
import type { DataRootTargetFacts, Facts } from '../../src/facts/types.js';
import { planForHost } from '../../src/plan/build.js';
import { daemonOptionsFor } from '../../src/plan/host-options.js';
import { renderPlan } from '../../src/plan/render.js';
import { factsFor, playbooks } from '../fixtures/facts/build.js';
import { RELEASES } from '../fixtures/facts/releases.js';

const GOLDEN_DIR = fileURLToPath(new URL('../golden/daemon/', import.meta.url));

/** A running daemon as docker info and the unit report it (the recorded host's engine and unit). */
function running(containers: { running: number; total: number; images: number }, more: Partial<NonNullable<Facts['daemonInfo']>> = {}) {
  return (f: Facts) => {
    f.daemonInfo = {
      containersRunning: containers.running,
      containers: containers.total,
      images: containers.images,
      driver: 'overlay2',
      rootDir: '/var/lib/docker',
      liveRestore: false,
      mirrors: [],
      logDriver: 'json-file',
      serverVersion: f.versions.engine,
      debug: false,
      ...more,
    };
    f.daemonUnit = {
      execStart: [['/usr/sbin/dockerd', '-H', 'fd://', '$DOCKER_OPTS']],
      fragmentPath: '/lib/systemd/system/docker.service',
      dropIns: [],
      dropInsTruncated: false,
      defaults: { path: '/etc/default/docker', exists: true, content: '# Docker Upstart and SysVinit configuration file\n#DOCKER_OPTS="--dns 8.8.8.8"\n' },
    };
  };
}

const busy = running({ running: 2, total: 3, images: 4 });
/** The move's facts as the root measurement reports them: 3.1 GiB used, a new directory on ext4 with 40 GiB free. */
function measured(then: (f: Facts) => void, patch: (t: DataRootTargetFacts) => DataRootTargetFacts = (t) => t) {
  return (f: Facts) => {
    then(f);
    f.dataRootTarget = patch({
      usedKiB: 3_250_000,
      measuredBy: 'du',
      target: { exists: false, isDir: false, marker: false, probeDir: '/srv', fsType: 'ext4', availKiB: 41_943_040, sameFilesystem: true },
      gnuCp: true,
    });
  };
}
const empty = running({ running: 0, total: 0, images: 0 });
const withFile = (content: object, then: (f: Facts) => void) => (f: Facts) => {
  f.daemonJson = { path: '/etc/docker/daemon.json', exists: true, content: `${JSON.stringify(content, null, 2)}\n` };
  then(f);
};
/** Debian 13 with Docker's Engine 28 (docker-ce): proxies in daemon.json, the containerd store opt-in. */
const engine28 = (then: (f: Facts) => void) => (f: Facts) => {
  f.versions = { engine: '28.5.1', cli: '28.5.1', containerd: '1.7.28' };
  then(f);
  f.daemonUnit!.execStart = [['/usr/bin/dockerd', '-H', 'fd://', '--containerd=/run/containerd/containerd.sock']];
  f.daemonUnit!.fragmentPath = '/usr/lib/systemd/system/docker.service';
  f.daemonUnit!.defaults = undefined;
};

interface Case {
  name: string;
  release: string;
  state: 'fresh' | 'converged';
  args: Partial<ProvisionArgs>;
  inventory?: Record<string, unknown>;
  facts?: (f: Facts) => void;
  /** The plan is refused (the golden file holds the message and hint). */
  refused?: boolean;
  /** What the services step must do. */
  apply?: 'reload' | 'restart' | 'none' | 'none-after-move';
}

const CASES: Case[] = [
  { name: 'log-rotation-restarts-once', release: 'debian-12', state: 'converged', args: { 'log-max-size': '10m' }, facts: busy, apply: 'restart' },
  { name: 'mirror-and-live-restore-reload', release: 'debian-12', state: 'converged', args: { 'registry-mirror': ['https://mirror.internal:5000'], 'live-restore': true }, facts: busy, apply: 'reload' },
  { name: 'log-rotation-with-live-restore-keeps-containers', release: 'debian-12', state: 'converged', args: { 'log-max-size': '20m', 'log-max-file': 5, 'live-restore': true }, facts: busy, apply: 'restart' },
  {
    name: 'converged-settings-nothing-to-do',
    release: 'debian-12',
    state: 'converged',
    args: { 'log-max-size': '10m', 'registry-mirror': ['https://mirror.internal:5000'] },
    facts: withFile({ 'storage-driver': 'overlay2', 'log-opts': { 'max-size': '10m', 'max-file': '3' }, 'registry-mirrors': ['https://mirror.internal:5000/'] }, busy),
    apply: 'none',
  },
  {
    name: 'user-value-replaced-visibly',
    release: 'debian-12',
    state: 'converged',
    args: { 'log-max-size': '10m' },
    facts: withFile({ 'storage-driver': 'overlay2', 'log-opts': { 'max-size': '100m', compress: 'true' } }, busy),
    apply: 'restart',
  },
  { name: 'data-root-refused-with-data', release: 'debian-12', state: 'converged', args: { 'data-root': '/srv/docker' }, facts: busy, refused: true },
  { name: 'data-root-move', release: 'debian-12', state: 'converged', args: { 'data-root': '/srv/docker', 'move-data-root': true }, facts: measured(busy), apply: 'none-after-move' },
  {
    name: 'data-root-move-containerd-store',
    release: 'debian-13',
    state: 'converged',
    args: { 'data-root': '/srv/docker', 'move-data-root': true, 'image-store': 'containerd' },
    facts: measured(
      engine28((f) => {
        busy(f);
        f.daemonInfo = { ...f.daemonInfo!, driver: 'overlayfs', driverType: 'io.containerd.snapshotter.v1' };
        f.daemonJson = { path: '/etc/docker/daemon.json', exists: true, content: '{\n  "features": {\n    "containerd-snapshotter": true\n  }\n}\n' };
      }),
      (t) => ({ ...t, containerdUsedKiB: 2_100_000, containerdConfig: readFileSync(new URL('../fixtures/containerd/debian-13.config.toml', import.meta.url), 'utf8') }),
    ),
    apply: 'none-after-move',
  },
  {
    name: 'data-root-move-target-not-empty-refused',
    release: 'debian-12',
    state: 'converged',
    args: { 'data-root': '/srv/docker', 'move-data-root': true },
    facts: measured(busy, (t) => ({ ...t, target: { ...t.target, exists: true, isDir: true, entries: 2 } })),
    refused: true,
  },
  {
    name: 'data-root-move-no-space-refused',
    release: 'debian-12',
    state: 'converged',
    args: { 'data-root': '/srv/docker', 'move-data-root': true },
    facts: measured(busy, (t) => ({ ...t, target: { ...t.target, availKiB: 3_000_000 } })),
    refused: true,
  },
  {
    name: 'data-root-move-xfs-without-ftype-refused',
    release: 'debian-12',
    state: 'converged',
    args: { 'data-root': '/srv/docker', 'move-data-root': true },
    facts: measured(busy, (t) => ({ ...t, target: { ...t.target, fsType: 'xfs', xfsFtype: false } })),
    refused: true,
  },
  { name: 'data-root-on-empty-host', release: 'debian-12', state: 'converged', args: { 'data-root': '/srv/docker' }, facts: empty, apply: 'restart' },
  { name: 'image-store-switch-refused', release: 'debian-13', state: 'converged', args: { 'image-store': 'containerd' }, facts: engine28(busy), refused: true },
  { name: 'image-store-switch-allowed', release: 'debian-13', state: 'converged', args: { 'image-store': 'containerd', 'allow-storage-switch': true }, facts: engine28(busy), apply: 'restart' },
  { name: 'image-store-containerd-fresh', release: 'debian-13', state: 'fresh', args: { 'image-store': 'containerd' } },
  { name: 'image-store-containerd-old-engine-refused', release: 'debian-12', state: 'converged', args: { 'image-store': 'containerd' }, facts: empty, refused: true },
  { name: 'hosts-key-vs-unit-flag-refused', release: 'debian-12', state: 'converged', args: { 'daemon-opt': ['hosts=["unix:///var/run/docker.sock","tcp://127.0.0.1:2375"]'] }, facts: busy, refused: true },
  {
    name: 'storage-driver-flag-in-drop-in-refused',
    release: 'debian-13',
    state: 'converged',
    args: {},
    facts: (f) => {
      engine28(busy)(f);
      const dropIn = '[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -H fd:// --storage-driver=vfs\n';
      f.daemonUnit!.dropIns = [{ path: '/etc/systemd/system/docker.service.d/override.conf', exists: true, content: dropIn }];
      // systemctl show reports the effective command line: the drop-in's.
      f.daemonUnit!.execStart = [['/usr/bin/dockerd', '-H', 'fd://', '--storage-driver=vfs']];
      f.daemonInfo!.driver = 'vfs';
      f.daemonJson = { path: '/etc/docker/daemon.json', exists: false };
    },
    refused: true,
  },
  { name: 'proxy-engine-20-drop-in', release: 'debian-12', state: 'converged', args: { proxy: 'http://user:secret@proxy.internal:3128', 'no-proxy': 'localhost,10.0.0.0/8' }, facts: busy, apply: 'restart' },
  { name: 'proxy-engine-28-daemon-json', release: 'debian-13', state: 'converged', args: { proxy: 'http://proxy.internal:3128' }, facts: engine28(busy), apply: 'restart' },
  {
    name: 'daemon-opt-reloadable-only',
    release: 'debian-12',
    state: 'converged',
    args: { 'daemon-opt': ['debug=true', 'max-concurrent-downloads=6'] },
    facts: busy,
    apply: 'reload',
  },
  {
    name: 'inventory-daemon-and-daemon-opt',
    release: 'debian-12',
    state: 'converged',
    inventory: { 'log-level': 'warn', 'log-opts': { compress: 'true' } },
    args: { 'daemon-opt': ['debug=true', 'max-concurrent-downloads=6'] },
    facts: busy,
    apply: 'restart',
  },
];

function golden(file: string, actual: string) {
  const path = `${GOLDEN_DIR}${file}`;
  if (process.env.UPDATE_GOLDEN === '1') return writeFileSync(path, actual);
  if (!existsSync(path)) throw new Error(`missing golden file ${path}: run with UPDATE_GOLDEN=1 and review the new file`);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

describe.each(CASES)('$name', (c) => {
  it('plans exactly its golden text', () => {
    const facts = factsFor(c.release, c.state, c.facts);
    const daemon = daemonOptionsFor(c.inventory, daemonFlags(c.args as ProvisionArgs));
    const options = { loginUser: 'admin', daemon, allowStorageSwitch: c.args['allow-storage-switch'] };
    if (c.refused) {
      let error: unknown;
      try {
        planForHost(facts, playbooks, options);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(DockhandError);
      const e = error as DockhandError;
      return golden(`${c.name}.txt`, `${e.message}\nhint: ${e.hint}\n`);
    }
    const plan = planForHost(facts, playbooks, options);
    const services = plan.steps.find((s) => s.id === 'services')!;
    const scripts = services.commands.map((x) => x.script).join('\n');
    if (c.apply === 'reload') {
      expect(scripts).toContain('systemctl reload docker.service');
      expect(scripts).not.toMatch(/restart/);
    } else if (c.apply === 'restart') {
      expect(scripts.match(/systemctl try-restart docker\.service/g)).toHaveLength(1);
    } else if (c.apply === 'none-after-move') {
      // The move stopped and started docker itself: no second restart, no reload.
      expect(scripts).not.toMatch(/restart|reload/);
      expect(plan.steps.find((s) => s.id === 'storage')!.commands.some((x) => x.summary.startsWith('move the data root'))).toBe(true);
    } else if (c.apply === 'none') {
      expect(plan.steps.flatMap((s) => s.commands)).toEqual([]);
    }
    golden(`${c.name}.txt`, renderPlan(plan, { showCommands: true }));
  });
});

/**
 * Every release, converged, asked for the settings careful operators set first (log rotation,
 * live-restore, a registry mirror): the merge and the reload-or-restart decision for each playbook's
 * package and service manager. Hosts without systemd (Alpine's OpenRC) restart instead of reloading.
 */
describe.each(RELEASES)('%s with log rotation, live-restore and a mirror', (release) => {
  it('plans exactly its golden text', () => {
    const facts = factsFor(release, 'converged', empty);
    const daemon = daemonOptionsFor(undefined, daemonFlags({ 'log-max-size': '10m', 'live-restore': true, 'registry-mirror': ['https://mirror.internal:5000/'] } as ProvisionArgs));
    const plan = planForHost(facts, playbooks, { loginUser: 'admin', daemon });
    const storage = plan.steps.find((s) => s.id === 'storage')!;
    // Positive evidence that the settings reached the plan: the merged file holds all three.
    const merged = storage.commands.map((x) => x.script).join('\n');
    for (const key of ['"max-size": "10m"', '"live-restore": true', 'https://mirror.internal:5000/']) expect(merged).toContain(key);
    golden(`releases/${release}.txt`, renderPlan(plan, { showCommands: true }));
  });
});
