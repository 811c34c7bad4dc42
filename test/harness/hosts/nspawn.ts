/**
 * Booting a root filesystem with systemd-nspawn, running commands inside it, and stopping it.
 *
 * This machine has no system bus and no systemd as PID 1, hence --register=no --keep-unit (no machined,
 * no scope unit). Commands for assertions enter the container's namespaces with nsenter: that works
 * before sshd is up and whatever a test did to sshd, users or sudo, unlike going through SSH.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { isAlive, run, sleep, type ExecResult, type RunOptions } from './proc.js';

export interface BootOptions {
  root: string;
  /**
   * 'host': bind this machine's /sys/fs/cgroup (right when this machine is pure cgroup2).
   * 'unified': nspawn gives the container its own cgroup2 tree — what every suite needs when this
   * machine is hybrid (v1 + v2), see cgroupModeFor().
   */
  cgroups: 'host' | 'unified';
  /** unique on this machine (nspawn keeps per-machine state under /run/systemd/nspawn) */
  machine: string;
  netnsPath: string;
  consoleLog: string;
}

export interface Container {
  nspawn: ChildProcess;
  /** PID (in this machine's namespace) of the container's PID 1 */
  leader: number;
  machine: string;
}

const INNER_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export function bootArgs(opts: BootOptions): string[] {
  return [
    '-D', opts.root,
    `--machine=${opts.machine}`,
    '--register=no', '--keep-unit',
    '--boot',
    '--capability=all',
    '--system-call-filter=@keyring bpf', // docker inside needs these
    ...(opts.cgroups === 'host' ? ['--bind=/sys/fs/cgroup'] : []),
    `--network-namespace-path=${opts.netnsPath}`,
    '--console=read-only',
    '--link-journal=no',
  ];
}

/** Starts the container in the background; resolves once its PID 1 is systemd. */
export async function startContainer(opts: BootOptions): Promise<Container> {
  const log = createWriteStream(opts.consoleLog);
  const env = {
    ...process.env,
    SYSTEMD_NSPAWN_UNIFIED_HIERARCHY: opts.cgroups === 'unified' ? '1' : '0',
    // /proc/sys/net writable (it is the host's own network namespace): docker >= 26 writes per-interface
    // sysctls there when it wires a container, and fails when they are read-only.
    SYSTEMD_NSPAWN_API_VFS_WRITABLE: 'network',
  };
  const nspawn = spawn('systemd-nspawn', bootArgs(opts), { stdio: ['ignore', 'pipe', 'pipe'], env });
  // Two sources share one log: neither may end it, the process exit does.
  nspawn.stdout?.pipe(log, { end: false });
  nspawn.stderr?.pipe(log, { end: false });
  nspawn.on('close', () => log.end());
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (nspawn.exitCode !== null || nspawn.signalCode !== null) break;
    const leader = systemdChild(nspawn.pid!);
    if (leader) return { nspawn, leader, machine: opts.machine };
    await sleep(50);
  }
  nspawn.kill('SIGKILL');
  throw new Error(`systemd-nspawn for ${opts.machine} did not start systemd:\n${tail(opts.consoleLog)}`);
}

/**
 * Which cgroup setup a host boots with here. On a machine with the pure cgroup2 layout, binding it is
 * right for every suite. On a hybrid (v1 + v2) machine every suite gets its own cgroup2 tree: with the
 * hybrid layout bound in, the container's cgroup paths lie outside its cgroup namespace ("/../user.slice/…"),
 * so systemd >= 256 (trixie) cannot even start journald, bullseye and bookworm log "Failed to migrate
 * controller cgroups … Input/output error" for every unit, and on bookworm every login's user@UID.service fails ("Failed to create /../user.slice/user-0.slice/user@0.service/init.scope control
 * group: Not a directory"), and logind answers pam_systemd's CreateSession only once that job ends — the
 * likely source of first concurrent SSH logins after boot that stalled for pam_systemd's full 120 s bus
 * timeout. Then a login has no user manager either.
 * DOCKHAND_TEST_CGROUPS=host|unified overrides the choice.
 */
export function cgroupModeFor(): 'host' | 'unified' {
  const forced = process.env.DOCKHAND_TEST_CGROUPS;
  if (forced === 'host' || forced === 'unified') return forced;
  return existsSync('/sys/fs/cgroup/cgroup.controllers') ? 'host' : 'unified';
}

/** The nspawn process's child that has exec'd systemd (the container's PID 1), if any yet. */
function systemdChild(nspawnPid: number): number | undefined {
  for (const pid of childrenOf(nspawnPid)) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'systemd') return pid;
    } catch {
      /* exited meanwhile */
    }
  }
  return undefined;
}

export function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Resolves when a TCP port accepts connections. */
export async function waitForPort(address: string, port: number, timeoutMs: number, alive: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!alive()) throw new Error('the container exited while booting');
    if (await canConnect(address, port)) return;
    await sleep(100);
  }
  throw new Error(`nothing answered on ${address}:${port} within ${timeoutMs} ms`);
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host, port, timeout: 1000 });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    // sshd speaks first: its banner proves it is really up, not just a listening socket.
    sock.once('data', () => done(true));
    sock.once('timeout', () => done(false));
    sock.once('error', () => done(false));
  });
}

/** Runs `sh -c cmd` inside the container as root, in all its namespaces, with a clean environment. */
export function execInContainer(leader: number, cmd: string, opts: RunOptions = {}): Promise<ExecResult> {
  return run(
    'nsenter',
    ['-t', String(leader), '-m', '-u', '-i', '-n', '-p', '--',
      '/usr/bin/env', '-i', `PATH=${INNER_PATH}`, 'HOME=/root', 'LC_ALL=C', 'USER=root', 'LOGNAME=root',
      '/bin/sh', '-c', cmd],
    opts,
  );
}

/**
 * Powers the container off: SIGTERM makes nspawn ask systemd for an orderly shutdown (about 1 s, up to 10 s with docker running);
 * if that has not finished within graceMs, PID 1 is killed, which ends every process in the container.
 */
export async function stopContainer(c: Container, graceMs = 5_000): Promise<void> {
  const exited = () => c.nspawn.exitCode !== null || c.nspawn.signalCode !== null;
  if (!exited()) c.nspawn.kill('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (!exited() && Date.now() < deadline) await sleep(50);
  if (!exited()) {
    killNow(c);
    const hardDeadline = Date.now() + 10_000;
    while (!exited() && Date.now() < hardDeadline) await sleep(50);
  }
  forgetMachine(c.machine);
}

/** Synchronous last resort (process exit handlers): kill PID 1 and nspawn without waiting. */
export function killNow(c: Pick<Container, 'leader' | 'nspawn'>): void {
  for (const pid of [c.leader, c.nspawn.pid]) {
    if (pid && isAlive(pid)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }
}

/** nspawn leaves an (empty) mount-propagation directory per machine name behind. */
export function forgetMachine(machine: string): void {
  rmSync(`/run/systemd/nspawn/propagate/${machine}`, { recursive: true, force: true });
}

export interface UnbootedOptions {
  /** directories to bind-mount: a path (same path inside) or { source, target, readOnly } */
  bind?: Array<string | { source: string; target?: string; readOnly?: boolean }>;
  /** join this network namespace (e.g. a host's, to reach the mirror); default: loopback only */
  netnsPath?: string;
  /**
   * capabilities beyond nspawn's default set, e.g. CAP_NET_ADMIN (a joined netns does not get it,
   * unlike --private-network): what root on a real machine has and a daemon started inside needs
   */
  capabilities?: string[];
  /** extra environment for the command (no secrets: nspawn passes it on its command line) */
  env?: Record<string, string>;
  input?: string;
  timeoutMs?: number;
}

/**
 * Runs `sh -c cmd` in a root filesystem WITHOUT booting it: no init system, no services, PID 1 is the
 * command itself ("local mode, no init system"). The root should be a throwaway copy (see copyImage).
 */
export function runUnbootedIn(root: string, cmd: string, opts: UnbootedOptions = {}): Promise<ExecResult> {
  const args = ['-D', root, '--register=no', '--keep-unit', '--quiet', '--console=pipe', '--link-journal=no'];
  args.push(opts.netnsPath ? `--network-namespace-path=${opts.netnsPath}` : '--private-network');
  for (const b of opts.bind ?? []) {
    const spec = typeof b === 'string' ? { source: b } : b;
    args.push(`--bind${spec.readOnly ? '-ro' : ''}=${spec.source}:${spec.target ?? spec.source}`);
  }
  if (opts.capabilities?.length) args.push(`--capability=${opts.capabilities.join(',')}`);
  for (const [k, v] of Object.entries(opts.env ?? {})) args.push(`--setenv=${k}=${v}`);
  args.push(`--setenv=PATH=${INNER_PATH}`, '--', '/bin/sh', '-c', cmd);
  return run('systemd-nspawn', args, { input: opts.input, timeoutMs: opts.timeoutMs });
}

function tail(path: string): string {
  try {
    return readFileSync(path, 'utf8').split('\n').slice(-30).join('\n');
  } catch {
    return '(no console log)';
  }
}
export { tail as consoleTail };
