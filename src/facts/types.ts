/**
 * Typed facts about one host, gathered in a single round trip by the probe script
 * (src/facts/probe.ts) and parsed by pure functions (src/facts/parse.ts).
 * Playbook actions and doctor checks read only these; they never run commands themselves.
 *
 * Convention: a field is `undefined` when the probe could not tell (tool missing, no permission);
 * `false`/empty when it looked and found nothing.
 */

export interface OsRelease {
  /** os-release ID, lower-case (ubuntu, debian, rhel, amzn, opensuse-leap, arch, alpine, …). */
  id: string;
  /** os-release ID_LIKE split on spaces, in order. */
  idLike: string[];
  versionId?: string;
  versionCodename?: string;
  ubuntuCodename?: string;
  /** DEBIAN_CODENAME (set by LMDE and some Debian derivatives). */
  debianCodename?: string;
  name?: string;
  prettyName?: string;
  /** Every key as read, for anything not lifted into a field. */
  raw: Record<string, string>;
}

export type InitSystem = 'systemd' | 'openrc' | 'sysvinit' | 'none';

export type PackageManager = 'apt' | 'dnf5' | 'dnf4' | 'yum' | 'zypper' | 'pacman' | 'apk' | 'unknown';

export interface InitFacts {
  system: InitSystem;
  /** PID 1's command name (systemd, init, openrc-init, sh, …). */
  pid1?: string;
  /** `service` command present (sysvinit scripts / no-init fallback). */
  hasServiceCommand: boolean;
  wsl: boolean;
  /** Container technology when the host itself is a container (docker, lxc, systemd-nspawn, podman, …). */
  container?: string;
}

export interface UnitState {
  name: string;
  /** loaded | not-found | masked | error … */
  loadState: string;
  /** active | inactive | failed | activating | deactivating … */
  activeState: string;
  subState?: string;
  /** enabled | disabled | static | masked | indirect | generated … ('' when not-found). */
  unitFileState?: string;
  /** success | exit-code | start-limit-hit | … */
  result?: string;
  mainPid?: number;
}

export interface PrivilegeFacts {
  uid: number;
  isRoot: boolean;
  /** sudo is installed. */
  sudoInstalled: boolean;
  /** `sudo -n true` succeeded (passwordless, or a cached ticket). */
  sudoNoPassword: boolean;
}

export interface UserFacts {
  name: string;
  uid: number;
  gid: number;
  home?: string;
  /** Group names of the running session (`id -Gn` of this process). */
  sessionGroups: string[];
  sessionGids: number[];
  /** Group names from the group database for this user (what a new login would get). */
  databaseGroups: string[];
  /** SUDO_USER when the probe itself ran under sudo locally. */
  sudoUser?: string;
}

export interface GroupFacts {
  exists: boolean;
  gid?: number;
  /** Members listed in the group database (supplementary members). */
  members: string[];
}

export interface PathStat {
  path: string;
  exists: boolean;
  type?: 'socket' | 'directory' | 'file' | 'symlink' | 'other';
  owner?: string;
  group?: string;
  uid?: number;
  gid?: number;
  /** Permission bits, e.g. 0o660. */
  mode?: number;
}

/** A file as a probe read it (defined with the framing that carries it). */
export type { FileContent } from '../probe/framing.js';
import type { FileContent } from '../probe/framing.js';

/** A signing key file, identified without gpg on the host (see src/facts/openpgp.ts). */
export interface KeyFileFacts {
  path: string;
  exists: boolean;
  /**
   * Primary key fingerprints in the file (40 upper-case hex digits each, file order); undefined when
   * the file exists but could not be read or is not an ASCII-armoured public key.
   */
  fingerprints?: string[];
}

export interface DockerRootFacts {
  /** Usually /var/lib/docker (from daemon.json data-root when set). */
  path: string;
  exists: boolean;
  /** Filesystem type of the directory, or of its nearest existing parent. */
  fsType?: string;
  /** Backing filesystem supports d_type (overlay2 needs it); undefined when unknown. */
  dType?: boolean;
  /** The storage driver directories with content (overlay2, vfs, btrfs, …). */
  driversWithData: string[];
  /** Number of image layers/containers present (a driver switch would hide them). */
  imageCount?: number;
  containerCount?: number;
  /** Percent free, 0–100. */
  diskFreePercent?: number;
  inodesFreePercent?: number;
}

export interface LockHolder {
  path: string;
  pid?: number;
  command?: string;
}

export interface Facts {
  /** The target's display name. */
  host: string;
  os: OsRelease;
  arch: {
    /** `uname -m`: x86_64, aarch64, armv7l, … */
    machine: string;
    /** The package manager's name for it: amd64/arm64/armhf (dpkg), x86_64/aarch64 (rpm). */
    package?: string;
  };
  kernel: { release: string; major: number; minor: number };
  init: InitFacts;
  packageManager: PackageManager;
  privilege: PrivilegeFacts;
  user: UserFacts;
  /** Installed packages relevant to Docker (engine, cli, containerd, runc, conflicts, podman-docker…) → version. */
  packages: Record<string, string>;
  /** dpkg hosts: an earlier dpkg run was interrupted (`dpkg --audit` output, or pending updates/). */
  dpkgInterrupted?: boolean;
  /** docker.service, docker.socket, containerd.service — only with systemd; empty otherwise. */
  units: Record<string, UnitState>;
  /** Non-systemd service status: `service docker status` / `rc-service` exit code 0 = running. */
  serviceRunning?: { docker?: boolean; containerd?: boolean };
  /**
   * OpenRC only: the service is in the `default` runlevel (/etc/runlevels/default/NAME), i.e. starts at
   * boot. A name is undefined when it has no init script (/etc/init.d/NAME) to enable.
   */
  serviceEnabled?: { docker?: boolean; containerd?: boolean };
  dockerGroup: GroupFacts;
  /** /var/run/docker.sock (or the socket the daemon is configured for). */
  socket: PathStat;
  daemonJson: FileContent;
  dockerRoot: DockerRootFacts;
  overlay: {
    /** `overlay` listed in /proc/filesystems (built in or loaded). */
    supported: boolean;
    moduleLoaded: boolean;
    /** A modules-load.d entry persists it across reboots. */
    persisted: boolean;
  };
  /** dockerd running: its PID and command line. */
  dockerd?: { pid: number; cmdline: string };
  /** Processes called dockerd that are not root's (anyone can start one): ignored, only reported. */
  foreignDockerd?: Array<{ pid: number; uid: number }>;
  /** `dockerd --version` / `docker --version` outputs, parsed to x.y.z. */
  versions: { engine?: string; cli?: string; containerd?: string };
  binaries: { docker?: string; dockerd?: string; containerd?: string };
  cloudInit: {
    present: boolean;
    /** running | done | error | disabled | degraded … from `cloud-init status`. */
    status?: string;
  };
  /** Processes holding the package manager's locks now. */
  locks: LockHolder[];
  /**
   * apt only: the existing Docker apt source files and legacy keys (for clean-up), and the keyring
   * dockhand's source names in Signed-By (/etc/apt/keyrings/docker.asc; undefined from older probes).
   */
  aptSources?: { files: FileContent[]; legacyKeys: string[]; keyring?: KeyFileFacts };
  /**
   * Whether each user asked for by name (--users, inventory users:) has an account on the host; set
   * by gatherAccounts (src/facts/accounts.ts) only for those names, undefined when nobody asked.
   */
  accounts?: Record<string, boolean>;
  /** rpm hosts (those with /etc/yum.repos.d): Docker's .repo file and the local key its gpgkey names. */
  rpmRepo?: { file: FileContent; key: KeyFileFacts };
}
