/**
 * The daemon settings' pure parts: the fact area's parsers (systemctl's ExecStart, docker info's
 * template output, hostile values), the merge (dotted keys, other keys kept, null removes), the
 * flag conflicts (unit, drop-in, DOCKER_OPTS), reload-or-restart, and the flags' syntax.
 */
import { describe, expect, it } from 'vitest';
import { daemonFlags, type ProvisionArgs } from '../../src/commands/provision-run.js';
import { valueFlagsJoined } from '../../src/commands/provision.js';
import { UsageError } from '../../src/core/errors.js';
import { parseDaemonOpt } from '../../src/core/daemon-values.js';
import { daemonInfoFromApi, parseDaemonInfo, parseExecStart } from '../../src/facts/areas/daemon.js';
import type { Facts } from '../../src/facts/types.js';
import { inventorySchema } from '../../src/inventory/schema.js';
import { decideApply } from '../../src/plan/daemon-apply.js';
import { dockerOpts, refuseFlagConflicts } from '../../src/plan/daemon-conflicts.js';
import { mergeWants } from '../../src/plan/daemon-json.js';
import { daemonOptionsFor } from '../../src/plan/host-options.js';
import { factsFor } from '../fixtures/facts/build.js';

describe('daemon fact area parsers', () => {
  it('reads the argv of each ExecStart of systemctl show', () => {
    const v =
      '{ path=/usr/sbin/dockerd ; argv[]=/usr/sbin/dockerd -H fd:// $DOCKER_OPTS ; ignore_errors=no ; start_time=[n/a] ; stop_time=[n/a] ; pid=0 ; code=(null) ; status=0/0 }';
    expect(parseExecStart(v)).toEqual([['/usr/sbin/dockerd', '-H', 'fd://', '$DOCKER_OPTS']]);
    expect(parseExecStart('')).toEqual([]);
  });

  it("reads docker info's template output and drops fields of the wrong type", () => {
    const text =
      '{"running":2,"containers":3,"images":4,"driver":"overlayfs","driverStatus":[["driver-type","io.containerd.snapshotter.v1"]],"root":"/var/lib/docker","liveRestore":true,"mirrors":["http://127.0.0.1:5000/"],"logDriver":"json-file","version":"28.5.1","debug":false}\n';
    expect(parseDaemonInfo(text)).toEqual({
      containersRunning: 2,
      containers: 3,
      images: 4,
      driver: 'overlayfs',
      driverType: 'io.containerd.snapshotter.v1',
      rootDir: '/var/lib/docker',
      liveRestore: true,
      mirrors: ['http://127.0.0.1:5000/'],
      logDriver: 'json-file',
      serverVersion: '28.5.1',
      debug: false,
    });
    const forged = parseDaemonInfo('{"running":"lots","images":-1,"liveRestore":"yes","mirrors":[1,"a"]}');
    expect(forged).toMatchObject({ containersRunning: undefined, images: undefined, liveRestore: undefined, mirrors: ['a'] });
    expect(parseDaemonInfo('Cannot connect to the Docker daemon')).toBeUndefined();
    expect(parseDaemonInfo('[1,2]')).toBeUndefined();
  });

  it("reads the API's /info into the same facts as docker info's template, and drops fields of the wrong type", () => {
    const info = {
      ContainersRunning: 2,
      Containers: 3,
      Images: 4,
      Driver: 'overlayfs',
      DriverStatus: [['driver-type', 'io.containerd.snapshotter.v1']],
      DockerRootDir: '/var/lib/docker',
      LiveRestoreEnabled: true,
      RegistryConfig: { Mirrors: ['http://127.0.0.1:5000/'], IndexConfigs: {} },
      LoggingDriver: 'json-file',
      ServerVersion: '28.5.1',
      Debug: false,
      Name: 'not read',
    };
    const template =
      '{"running":2,"containers":3,"images":4,"driver":"overlayfs","driverStatus":[["driver-type","io.containerd.snapshotter.v1"]],"root":"/var/lib/docker","liveRestore":true,"mirrors":["http://127.0.0.1:5000/"],"logDriver":"json-file","version":"28.5.1","debug":false}';
    expect(daemonInfoFromApi(info)).toEqual(parseDaemonInfo(template));
    // No mirrors configured: the daemon says null, as the template prints it.
    expect(daemonInfoFromApi({ ...info, RegistryConfig: { Mirrors: null } })?.mirrors).toEqual([]);
    expect(daemonInfoFromApi({ ContainersRunning: 'lots', Images: -1, LiveRestoreEnabled: 'yes', RegistryConfig: 'x' })).toMatchObject({
      containersRunning: undefined,
      images: undefined,
      liveRestore: undefined,
      mirrors: undefined,
    });
    expect(daemonInfoFromApi(undefined)).toBeUndefined();
    expect(daemonInfoFromApi([1, 2])).toBeUndefined();
  });

  it('reads DOCKER_OPTS from /etc/default/docker, ignoring comments', () => {
    expect(dockerOpts('#DOCKER_OPTS="--dns 8.8.8.8"\n')).toBeUndefined();
    expect(dockerOpts('DOCKER_OPTS="-H tcp://0.0.0.0:2375 --storage-driver=vfs"\n')).toEqual(['-H', 'tcp://0.0.0.0:2375', '--storage-driver=vfs']);
  });
});

describe('merge', () => {
  it('sets dotted keys inside objects, keeps every other key, removes a key set to undefined, reports only real changes', () => {
    const existing = { 'log-level': 'warn', 'log-opts': { compress: 'true', 'max-size': '100m' }, debug: true };
    const { merged, changes } = mergeWants(existing, [
      { path: ['log-opts', 'max-size'], value: '10m', source: 's', why: '' },
      { path: ['debug'], value: undefined, source: 's', why: '' },
      { path: ['log-level'], value: 'warn', source: 's', why: '' },
    ]);
    expect(merged).toEqual({ 'log-level': 'warn', 'log-opts': { compress: 'true', 'max-size': '10m' } });
    expect(changes.map((c) => [c.key, c.from, c.to])).toEqual([
      ['log-opts.max-size', '100m', '10m'],
      ['debug', true, undefined],
    ]);
    expect(existing['log-opts']['max-size']).toBe('100m'); // the input is not modified
  });

  it('compares values regardless of key order', () => {
    const { changes } = mergeWants({ proxies: { 'no-proxy': 'a', 'http-proxy': 'b' } }, [{ path: ['proxies'], value: { 'http-proxy': 'b', 'no-proxy': 'a' }, source: '', why: '' }]);
    expect(changes).toEqual([]);
  });
});

describe('flag conflicts', () => {
  const facts = (patch: (f: Facts) => void) => factsFor('debian-12', 'converged', patch);

  it('names the daemon.json key and the unit file for hosts vs -H', () => {
    const f = facts((f) => {
      f.daemonUnit = { execStart: [['/usr/sbin/dockerd', '-H', 'fd://']], fragmentPath: '/lib/systemd/system/docker.service', dropIns: [], dropInsTruncated: false };
    });
    expect(() => refuseFlagConflicts(f, { hosts: ['unix:///run/docker.sock'] }, new Set(['hosts']))).toThrow(
      '"hosts" in /etc/docker/daemon.json (this plan sets it) and -H in /lib/systemd/system/docker.service (ExecStart)',
    );
    expect(() => refuseFlagConflicts(f, { 'storage-driver': 'overlay2', 'log-level': 'warn' }, new Set(['log-level']))).not.toThrow();
  });

  it('names DOCKER_OPTS when the unit passes it and /etc/default/docker sets a clashing flag', () => {
    const f = facts((f) => {
      f.daemonUnit = {
        execStart: [['/usr/sbin/dockerd', '$DOCKER_OPTS']],
        fragmentPath: '/lib/systemd/system/docker.service',
        dropIns: [],
        dropInsTruncated: false,
        defaults: { path: '/etc/default/docker', exists: true, content: 'DOCKER_OPTS="--data-root=/srv/d"\n' },
      };
    });
    expect(() => refuseFlagConflicts(f, { 'data-root': '/srv/x' }, new Set(['data-root']))).toThrow('--data-root in /etc/default/docker (DOCKER_OPTS)');
  });

  it('without a unit (no systemd), the running dockerd\'s argv is the place', () => {
    const f = facts(() => {}); // recorded: dockerd -H fd:// --containerd=…
    expect(() => refuseFlagConflicts(f, { hosts: ['fd://'] }, new Set(['hosts']))).toThrow("the running dockerd's command line (pid 343)");
  });
});

describe('reload or restart', () => {
  const change = (key: string, to: unknown) => ({ key, from: undefined, to, source: '', why: '' });
  const facts = (info: Partial<NonNullable<Facts['daemonInfo']>>) => factsFor('debian-12', 'converged', (f) => void (f.daemonInfo = { containersRunning: 2, liveRestore: false, ...info }));

  it('reloads when every changed key is reloadable, with docker info checks for what it shows', () => {
    const d = decideApply(facts({}), [change('registry-mirrors', ['http://127.0.0.1:5000/']), change('max-concurrent-downloads', 6)]);
    expect(d?.mode).toBe('reload');
    expect(d?.checks.map((c) => c.what)).toEqual(['registry mirror http://127.0.0.1:5000/']);
  });

  it('restarts once for a key that needs it, saying how many containers stop', () => {
    const d = decideApply(facts({}), [change('log-opts.max-size', '10m'), change('debug', true)]);
    expect(d).toMatchObject({ mode: 'restart', reloadFirst: false });
    expect(d?.notes).toEqual([
      'restarts dockerd once: 2 running containers stop, and only those with a restart policy start again (live-restore is off)',
      'log-driver/log-opts are read when dockerd starts (SIGHUP does not reload them) and apply to containers created afterwards: 2 running containers keep the log config they were created with (json-file without max-size: unbounded, unless set with --log-opt at docker run); recreate them to rotate',
    ]);
  });

  it('log rotation: one running container keeps its config; a size already set is not called unbounded; none running', () => {
    const one = decideApply(facts({ containersRunning: 1, logDriver: 'json-file' }), [change('log-opts.max-size', '10m')]);
    expect(one?.notes[1]).toContain('1 running container keeps the log config it was created with (json-file without max-size: unbounded');
    const had = decideApply(facts({}), [{ ...change('log-opts.max-size', '10m'), from: '100m' }]);
    expect(had?.notes[1]).not.toContain('unbounded');
    expect(decideApply(facts({ containersRunning: 0 }), [change('log-opts.max-file', '3')])?.notes[1]).toContain('no container is running');
    // Not a log key: no log note.
    expect(decideApply(facts({}), [change('data-root', '/srv/d')])?.notes).toHaveLength(1);
  });

  it('features and network-diagnostic-port reload; the image store (features.containerd-snapshotter) needs a restart', () => {
    expect(decideApply(facts({}), [change('features.buildkit', true), change('network-diagnostic-port', 2000)])?.mode).toBe('reload');
    expect(decideApply(facts({}), [change('features.containerd-snapshotter', true)])?.mode).toBe('restart');
    expect(decideApply(facts({}), [change('log-driver', 'local')])?.mode).toBe('restart');
  });

  it('turning on live-restore with a restart reloads it in first, so the containers keep running', () => {
    const d = decideApply(facts({}), [change('log-opts.max-size', '10m'), change('live-restore', true)]);
    expect(d).toMatchObject({ mode: 'restart', reloadFirst: true });
    expect(d?.notes[0]).toContain('2 running containers keep running (live-restore, reloaded in first)');
  });

  it('turning live-restore off in the same restart: the containers stop', () => {
    const d = decideApply(facts({ liveRestore: true }), [change('data-root', '/srv/d'), change('live-restore', false)]);
    expect(d?.notes[0]).toContain('stop');
  });

  it('nothing changed: nothing to apply', () => {
    expect(decideApply(facts({}), [])).toBeUndefined();
  });
});

describe('flags and inventory', () => {
  const flags = (a: Partial<ProvisionArgs>) => daemonFlags(a as ProvisionArgs);

  it('parses --daemon-opt values as JSON, else as strings', () => {
    expect(parseDaemonOpt('debug=true')).toEqual({ key: 'debug', value: true });
    expect(parseDaemonOpt('log-level=warn')).toEqual({ key: 'log-level', value: 'warn' });
    expect(parseDaemonOpt('dns=["10.0.0.2"]')).toEqual({ key: 'dns', value: ['10.0.0.2'] });
    expect(parseDaemonOpt('debug=null')).toEqual({ key: 'debug', value: null });
    expect(parseDaemonOpt('=x')).toHaveProperty('problem');
    expect(parseDaemonOpt('a b=1')).toHaveProperty('problem');
  });

  it('refuses bad values naming the flag', () => {
    expect(() => flags({ 'log-max-size': '10 MB' })).toThrow(UsageError);
    expect(() => flags({ 'registry-mirror': ['https://mirror/path'] })).toThrow('--registry-mirror');
    expect(() => flags({ 'data-root': 'relative/dir' })).toThrow('--data-root');
    expect(() => flags({ proxy: "http://x'; rm -rf /" })).toThrow('--proxy');
    expect(() => flags({ proxy: false })).toThrow('--no-proxy needs a value');
    expect(flags({})).toBeUndefined();
  });

  it('--no-proxy VALUE reaches the parser as one word (yargs would read "not --proxy" and a target)', () => {
    expect(valueFlagsJoined(['plan', '--no-proxy', 'localhost,10.0.0.0/8', 'host1'])).toEqual(['plan', '--no-proxy=localhost,10.0.0.0/8', 'host1']);
    expect(valueFlagsJoined(['--', '--no-proxy', 'x'])).toEqual(['--', '--no-proxy', 'x']);
  });

  it('inventory daemon: keys become dotted keys, --daemon-opt wins per key, first-class flags ride along', () => {
    const o = daemonOptionsFor({ 'log-opts': { 'max-size': '50m', compress: 'true' }, debug: false }, { settings: { debug: true }, liveRestore: true });
    expect(o).toEqual({ settings: { 'log-opts.max-size': '50m', 'log-opts.compress': 'true', debug: true }, liveRestore: true });
    expect(daemonOptionsFor(undefined, undefined)).toBeUndefined();
  });

  it('the inventory schema accepts daemon: maps and refuses a key that is not one', () => {
    expect(inventorySchema.safeParse({ hosts: { a: { daemon: { 'log-level': 'warn', 'log-opts': { 'max-size': '10m' } } } } }).success).toBe(true);
    expect(inventorySchema.safeParse({ defaults: { daemon: { 'bad key': 1 } }, hosts: { a: null } }).success).toBe(false);
  });
});
