/**
 * Throwaway REAL Debian hosts for end-to-end tests: systemd as PID 1 (systemd-nspawn --boot), sshd on
 * port 22 at their own address, the users dockhand meets in the field, and apt reaching the machine's
 * Debian mirror and nothing else.
 *
 *   const fleet = await bootHosts([{ name: 'deb12', suite: 'bookworm' }], { image: 'docker' });
 *   try { await fleet.host('deb12').ssh('deploy', 'sudo -n true') } finally { await fleet.stop() }
 *
 * Requires root on Linux with systemd-nspawn, debootstrap, iproute2, iptables and OpenSSH; see
 * e2eAvailability(). Images are built once per machine and cached (see hosts/image.ts).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureImage, removeTree, stateRoot, sweepStaleBuilds, type ImageVariant, type Suite } from './hosts/image.js';
import { findMirror, type Mirror } from './hosts/mirror.js';
import {
  addHostLink,
  createRunNetwork,
  runIdsWithLeftovers,
  teardownRunNetwork,
  type HostLink,
  type RunNetwork,
} from './hosts/network.js';
import {
  cgroupModeFor,
  childrenOf,
  consoleTail,
  execInContainer,
  forgetMachine,
  killNow,
  runUnbootedIn,
  startContainer,
  stopContainer,
  waitForPort,
  type Container,
  type UnbootedOptions,
} from './hosts/nspawn.js';
import { isAlive, run, runOk, runSync, sleep, type ExecResult, type RunOptions } from './hosts/proc.js';
import { copyImage, newPassword, personalize, TEST_USERS, type TestUserName } from './hosts/rootfs.js';

export type { ExecResult, ImageVariant, Mirror, Suite, TestUserName, UnbootedOptions };
export { iptablesRulesOf, listLinks, listNetns } from './hosts/network.js';

export interface HostSpec {
  /** short name: lowercase letters, digits, '-' (it becomes the hostname) */
  name: string;
  suite: Suite;
}

export interface BootHostsOptions {
  /** 'base' (default) or 'docker' (base + docker.io installed, docker.service enabled) */
  image?: ImageVariant;
  /** per host, from nspawn start to systemd reporting running/degraded; default 120 s */
  bootTimeoutMs?: number;
}

export interface TestUser {
  name: TestUserName;
  home: string;
  /** 'nopasswd': sudo -n works; 'password': sudo needs `password`; 'none': not a sudoer */
  sudo: 'nopasswd' | 'password' | 'none';
  /** the sudo password (deploypw only); tests pass it on stdin, never in argv */
  password?: string;
}

export interface TestHost {
  name: string;
  suite: Suite;
  address: string;
  sshPort: 22;
  /** known_hosts file holding exactly this host's key, for `--known-hosts` / UserKnownHostsFile */
  knownHostsFile: string;
  /** the host's public key line ("ssh-ed25519 AAAA…") */
  hostPublicKey: string;
  /** private key authorized for every user on every host of the fleet */
  clientKeyPath: string;
  users: Record<TestUserName, TestUser>;
  /** the host's root filesystem as seen from this machine (for inspection; it is deleted on stop) */
  rootfs: string;
  netnsPath: string;
  /** seconds from starting nspawn until systemd reported running/degraded */
  bootSeconds: number;
  /** what `systemctl is-system-running --wait` said at boot */
  systemState: string;
  /** Runs `sh -c cmd` as root inside the host (nsenter; independent of sshd/sudo). Never rejects on exit code. */
  exec(cmd: string, opts?: RunOptions): Promise<ExecResult>;
  /** Like exec but rejects unless the command exits 0; resolves with stdout. */
  sh(cmd: string, opts?: RunOptions): Promise<string>;
  /** Runs cmd over real SSH (OpenSSH client, host key verified) as one of the test users. */
  ssh(user: TestUserName, cmd: string, opts?: RunOptions): Promise<ExecResult>;
  /**
   * Powers the host off (an orderly shutdown) and boots the same root filesystem again, as a VM's
   * power cycle: resolves once systemd reports running/degraded (boot jobs, e.g. cloud-init's, done).
   * `bootSeconds` and `systemState` then describe this boot.
   */
  reboot(opts?: { bootTimeoutMs?: number }): Promise<void>;
  /** OpenSSH client arguments up to and including the destination, for tests that spawn ssh themselves. */
  sshArgs(user: TestUserName): string[];
  stop(): Promise<void>;
}

export interface Fleet {
  runId: string;
  hosts: TestHost[];
  host(name: string): TestHost;
  network: { bridge: string; subnet: string; gateway: string; mirror: Mirror };
  /** known_hosts with every host of the fleet */
  knownHostsFile: string;
  clientKeyPath: string;
  /** Powers every host off and removes all the run left on this machine. Idempotent. */
  stop(): Promise<void>;
}

/** Why e2e tests cannot run here, or undefined when they can. */
export function e2eUnavailableReason(): string | undefined {
  if (process.platform !== 'linux') return `e2e hosts need Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'e2e hosts need root (systemd-nspawn, network namespaces, iptables)';
  const tools = ['systemd-nspawn', 'debootstrap', 'ip', 'iptables', 'nsenter', 'chroot', 'ssh', 'ssh-keygen'];
  const missing = tools.filter((t) => runSync('sh', ['-c', `command -v ${t}`]).code !== 0);
  if (missing.length) return `e2e hosts need these programs, missing here: ${missing.join(', ')}`;
  return undefined;
}

const HOST_NAME = /^[a-z][a-z0-9-]{0,19}$/;

function runsDir(): string {
  return join(stateRoot(), 'runs');
}

interface OwnerRecord {
  pid: number;
  tempDir: string;
}

/** Boots hosts in parallel; on any failure everything already started is torn down before rejecting. */
export async function bootHosts(specs: HostSpec[], opts: BootHostsOptions = {}): Promise<Fleet> {
  const reason = e2eUnavailableReason();
  if (reason) throw new Error(reason);
  for (const s of specs) {
    if (!HOST_NAME.test(s.name)) throw new Error(`host name ${JSON.stringify(s.name)} must match ${HOST_NAME}`);
  }
  if (new Set(specs.map((s) => s.name)).size !== specs.length) throw new Error('host names must be unique');

  sweepStaleRuns();
  const mirror = await findMirror();
  const variant = opts.image ?? 'base';
  const suites = [...new Set(specs.map((s) => s.suite))];
  const images = new Map(await Promise.all(suites.map(async (s) => [s, await ensureImage(s, variant, mirror)] as const)));
  for (const image of images.values()) {
    if (image.builtInSeconds !== undefined) {
      process.stderr.write(`[hosts] built the ${image.suite} ${image.variant} image in ${image.builtInSeconds.toFixed(0)} s\n`);
    }
  }

  const runId = randomBytes(3).toString('hex');
  const runDir = join(runsDir(), runId);
  mkdirSync(runDir, { recursive: true });
  assertNotOverlay(runDir);
  const tempDir = mkdtempSync(join(tmpdir(), 'dockhand-hosts-'));
  writeFileSync(join(runDir, 'owner.json'), JSON.stringify({ pid: process.pid, tempDir } satisfies OwnerRecord));

  const state: RunState = { runId, runDir, tempDir, containers: new Map(), stopped: false };
  activeRuns.add(state);
  installExitHandlers();
  try {
    const clientKeyPath = join(tempDir, 'client_key');
    await runOk('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `dockhand-test-${runId}`, '-f', clientKeyPath]);
    const clientPublicKey = readFileSync(`${clientKeyPath}.pub`, 'utf8');
    const net = await createRunNetwork(runId, mirror);
    state.network = net;

    const hosts = await Promise.all(
      specs.map(async (spec, index) => {
        const link = await addHostLink(net, index, spec.name);
        return bootOne(state, spec, link, {
          imagePath: images.get(spec.suite)!.path,
          variant,
          mirror,
          clientKeyPath,
          clientPublicKey,
          bootTimeoutMs: opts.bootTimeoutMs ?? 120_000,
        });
      }),
    );
    const knownHostsFile = join(tempDir, 'known_hosts');
    writeFileSync(knownHostsFile, hosts.map((h) => knownHostsLine(h.address, h.hostPublicKey)).join(''));
    return {
      runId,
      hosts,
      host(name) {
        const h = hosts.find((x) => x.name === name);
        if (!h) throw new Error(`no host ${name} in this fleet (have: ${hosts.map((x) => x.name).join(', ')})`);
        return h;
      },
      network: { bridge: net.bridge, subnet: net.subnet, gateway: net.gateway, mirror },
      knownHostsFile,
      clientKeyPath,
      stop: () => stopRun(state),
    };
  } catch (err) {
    await stopRun(state);
    throw err;
  }
}

interface BootContext {
  imagePath: string;
  variant: ImageVariant;
  mirror: Mirror;
  clientKeyPath: string;
  clientPublicKey: string;
  bootTimeoutMs: number;
}

async function bootOne(state: RunState, spec: HostSpec, link: HostLink, ctx: BootContext): Promise<TestHost> {
  const rootfs = join(state.runDir, spec.name);
  try {
    await copyImage(ctx.imagePath, rootfs);
  } catch (err) {
    // The cache is shared by every worktree on this machine; an older harness may have pruned the
    // image between ensureImage() and now. Rebuild once rather than fail.
    if (existsSync(ctx.imagePath)) throw err;
    removeTree(rootfs);
    await copyImage((await ensureImage(spec.suite, ctx.variant, ctx.mirror)).path, rootfs);
  }
  const password = newPassword();
  const hostPublicKey = await personalize(rootfs, {
    hostname: spec.name,
    address: link.address,
    mirror: ctx.mirror,
    clientPublicKey: ctx.clientPublicKey,
    deploypwPassword: password,
  });
  const knownHostsFile = join(state.tempDir, `known_hosts.${spec.name}`);
  writeFileSync(knownHostsFile, knownHostsLine(link.address, hostPublicKey));

  let boots = 0;
  /** Starts nspawn on the root and waits for systemd; the container is recorded for teardown at once. */
  const boot = async (timeoutMs: number) => {
    const consoleLog = join(state.runDir, `${spec.name}.console${boots++ ? `.${boots}` : ''}.log`);
    const started = Date.now();
    const c = await startContainer({
      root: rootfs,
      machine: `dht${state.runId}-${spec.name}`,
      netnsPath: link.netnsPath,
      consoleLog,
      cgroups: cgroupModeFor(),
    });
    state.containers.set(spec.name, c);
    const alive = () => c.nspawn.exitCode === null && c.nspawn.signalCode === null;
    try {
      await waitForPort(link.address, 22, timeoutMs, alive);
      const res = await execInContainer(c.leader, 'systemctl is-system-running --wait', {
        timeoutMs: Math.max(5_000, timeoutMs - (Date.now() - started)),
      });
      const systemState = res.stdout.trim();
      if (systemState !== 'running' && systemState !== 'degraded') {
        throw new Error(`systemd says ${JSON.stringify(systemState)}`);
      }
      return { container: c, systemState, bootSeconds: (Date.now() - started) / 1000 };
    } catch (err) {
      const failed = alive() ? (await execInContainer(c.leader, 'systemctl --failed --no-legend', { timeoutMs: 5_000 })).stdout : '';
      throw new Error(
        `host ${spec.name} (${spec.suite}) did not boot: ${(err as Error).message}\nfailed units: ${failed.trim() || '-'}\nconsole:\n${consoleTail(consoleLog)}`,
      );
    }
  };
  let { container, systemState, bootSeconds } = await boot(ctx.bootTimeoutMs);

  const sshArgs = (user: TestUserName) => [
    '-F', '/dev/null',
    '-i', ctx.clientKeyPath,
    '-o', 'IdentitiesOnly=yes',
    '-o', `UserKnownHostsFile=${knownHostsFile}`,
    '-o', 'GlobalKnownHostsFile=/dev/null',
    '-o', 'StrictHostKeyChecking=yes',
    '-o', 'BatchMode=yes',
    '-o', 'ConnectTimeout=10',
    '-o', 'LogLevel=ERROR',
    '-p', '22',
    `${user}@${link.address}`,
  ];
  const exec = (cmd: string, o?: RunOptions) => execInContainer(container.leader, cmd, o);
  const users = {
    root: { name: 'root', home: '/root', sudo: 'nopasswd' },
    deploy: { name: 'deploy', home: '/home/deploy', sudo: 'nopasswd' },
    deploypw: { name: 'deploypw', home: '/home/deploypw', sudo: 'password', password },
    plain: { name: 'plain', home: '/home/plain', sudo: 'none' },
  } satisfies Record<TestUserName, TestUser>;
  const host: TestHost = {
    name: spec.name,
    suite: spec.suite,
    address: link.address,
    sshPort: 22,
    knownHostsFile,
    hostPublicKey,
    clientKeyPath: ctx.clientKeyPath,
    users,
    rootfs,
    netnsPath: link.netnsPath,
    bootSeconds,
    systemState,
    exec,
    async sh(cmd, o) {
      const res = await exec(cmd, o);
      if (res.code !== 0) throw new Error(`[${spec.name}] ${cmd} exited ${res.code}: ${(res.stderr || res.stdout).trim()}`);
      return res.stdout;
    },
    ssh: (user, cmd, o) => run('ssh', [...sshArgs(user), '--', cmd], { timeoutMs: 120_000, ...o }),
    sshArgs,
    async reboot(o) {
      // A generous grace: an orderly shutdown stops dockerd and its containers first.
      await stopContainer(container, 30_000);
      state.containers.delete(spec.name);
      ({ container, systemState, bootSeconds } = await boot(o?.bootTimeoutMs ?? ctx.bootTimeoutMs));
      host.bootSeconds = bootSeconds;
      host.systemState = systemState;
    },
    async stop() {
      await stopContainer(container);
      state.containers.delete(spec.name);
      removeTree(rootfs);
    },
  };
  return host;
}

function knownHostsLine(address: string, publicKey: string): string {
  const [type, key] = publicKey.split(/\s+/);
  return `${address} ${type} ${key}\n`;
}

/** A disposable copy of a cached image, for runUnbooted(). */
export async function prepareRoot(suite: Suite, variant: ImageVariant = 'base'): Promise<{ path: string; remove(): void }> {
  const reason = e2eUnavailableReason();
  if (reason) throw new Error(reason);
  const image = await ensureImage(suite, variant, await findMirror());
  const dir = join(runsDir(), `unbooted-${randomBytes(3).toString('hex')}-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'root');
  await copyImage(image.path, path);
  return { path, remove: () => removeTree(dir) };
}

/**
 * Runs `sh -c cmd` inside `rootfs` WITHOUT booting it (no init system: "local mode, no init system").
 * `bind` mounts directories from this machine (e.g. the built project) into it.
 */
export function runUnbooted(rootfs: string, cmd: string, opts: UnbootedOptions = {}): Promise<ExecResult> {
  return runUnbootedIn(rootfs, cmd, opts);
}

// ---------------------------------------------------------------------------------------------------
// Teardown: normal (fleet.stop), on process exit/signals (synchronous), and sweeping crashed runs.

interface RunState {
  runId: string;
  runDir: string;
  tempDir: string;
  network?: RunNetwork;
  containers: Map<string, Container>;
  stopped: boolean;
}

const activeRuns = new Set<RunState>();

async function stopRun(state: RunState): Promise<void> {
  if (state.stopped) return;
  await Promise.all([...state.containers.values()].map((c) => stopContainer(c)));
  state.containers.clear();
  cleanupRunSync(state);
}

function cleanupRunSync(state: RunState): void {
  state.stopped = true;
  teardownRunNetwork(state.runId);
  removeTree(state.runDir);
  rmSync(state.tempDir, { recursive: true, force: true });
  activeRuns.delete(state);
}

let handlersInstalled = false;
function installExitHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  const emergency = () => {
    for (const state of [...activeRuns]) {
      for (const c of state.containers.values()) {
        killNow(c);
        forgetMachine(c.machine);
      }
      cleanupRunSync(state);
    }
  };
  process.on('exit', emergency);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      emergency();
      process.kill(process.pid, sig); // default action now that our handler is gone
    });
  }
}

/**
 * Removes what runs whose process died left behind: containers still running, network namespaces,
 * veths, bridges, iptables rules, root filesystem copies. Runs of live processes are left alone.
 */
export function sweepStaleRuns(): void {
  sweepStaleBuilds();
  const live = new Set<string>();
  if (existsSync(runsDir())) {
    for (const entry of readdirSync(runsDir())) {
      const dir = join(runsDir(), entry);
      const owner = readOwner(dir) ?? { pid: Number(entry.match(/-(\d+)$/)?.[1]) || 0, tempDir: '' };
      // A run dir without an owner yet may be one another process is creating right now.
      // Another test process on this machine may remove its own run dir between readdir and here.
      const mtimeMs = statSync(dir, { throwIfNoEntry: false })?.mtimeMs;
      if (mtimeMs === undefined) continue;
      const justCreated = !owner.pid && Date.now() - mtimeMs < 60_000;
      if (justCreated || (owner.pid && isAlive(owner.pid))) {
        live.add(entry);
        continue;
      }
      killContainersUnder(dir);
      teardownRunNetwork(entry);
      removeTree(dir);
      if (owner.tempDir.startsWith(tmpdir())) rmSync(owner.tempDir, { recursive: true, force: true });
    }
  }
  for (const runId of runIdsWithLeftovers()) if (!live.has(runId)) teardownRunNetwork(runId);
}

function readOwner(dir: string): OwnerRecord | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'owner.json'), 'utf8')) as OwnerRecord;
  } catch {
    return undefined;
  }
}

/** Kills nspawn processes whose root directory is under `dir`, and their containers. */
function killContainersUnder(dir: string): void {
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p)).map(Number)) {
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    if (!argv[0]?.endsWith('systemd-nspawn')) continue;
    const root = argv[argv.indexOf('-D') + 1];
    if (!root?.startsWith(`${dir}/`)) continue;
    for (const p of [...childrenOf(pid), pid]) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    const machine = argv.find((a) => a.startsWith('--machine='))?.slice('--machine='.length);
    if (machine) forgetMachine(machine);
  }
  // Give the kernel a moment to tear the killed containers' namespaces down before files go.
  runSync('sleep', ['0.5']);
}

function assertNotOverlay(dir: string): void {
  const OVERLAYFS_MAGIC = 0x794c7630;
  if (statfsSync(dir).type === OVERLAYFS_MAGIC) {
    throw new Error(
      `${dir} is on overlayfs; docker's overlay2 inside the test hosts cannot work there. Set DOCKHAND_TEST_CACHE to a directory on ext4/xfs.`,
    );
  }
}

export { sleep };
