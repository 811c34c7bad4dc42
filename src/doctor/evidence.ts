/**
 * Everything the doctor's checks read: the shared host Facts, the client-side evidence of the
 * checked user (from the doctor probe script), and direct Docker API queries. Plain JSON, so a
 * whole run can be saved as a fixture and replayed in unit tests.
 */
import type { Facts, FileContent, PathStat } from '../facts/types.js';
import type { ApiAnswer } from './api.js';

export interface CheckedUser {
  name: string;
  uid: number;
  gid: number;
  home: string;
  /** Group names from the group database: what a new login gets. */
  databaseGroups: string[];
  /**
   * Group names of the session that will run `docker` — the current process locally. Undefined
   * when the check stands for a fresh login (`--user`, or a new SSH connection): then database = session.
   */
  sessionGroups?: string[];
}

export type SocketStat = PathStat & { /** Where the path points when it is a symlink. */ linkTarget?: string };

export interface DockerEnv {
  DOCKER_HOST?: string;
  DOCKER_CONTEXT?: string;
  DOCKER_CONFIG?: string;
  DOCKER_TLS_VERIFY?: string;
  DOCKER_TLS?: string;
  DOCKER_CERT_PATH?: string;
  XDG_RUNTIME_DIR?: string;
}

export interface ClientEvidence {
  user: CheckedUser;
  /** The checked user's environment (the current process locally; login shells are not read). */
  env: DockerEnv;
  /** `file:line: text` of DOCKER_HOST/DOCKER_CONTEXT exports in shell start-up files. */
  envExports: string[];
  /** $DOCKER_CONFIG or ~/.docker. */
  configDir: PathStat;
  configJson: FileContent & { owner?: string };
  /** contexts/meta/<dir>/meta.json contents, keyed by <dir> (sha256 of the context name). */
  contextMeta: Record<string, string>;
  /** stat of every socket path worth knowing about (default, rootless, desktop, snap, podman, endpoints). */
  sockets: SocketStat[];
  snap: { docker: boolean; daemonJson?: FileContent };
  podman: { binary?: string; dockerIsPodman: boolean };
  /** Last lines of `journalctl -u docker.service` / `-u docker.socket` / `-u containerd.service`. */
  journal: { docker: string[]; socket: string[]; containerd?: string[] };
  /** `systemctl show -p ExecStart docker.service` value. */
  execStart?: string;
  /** `ss -ltn` lines listening on 2375/2376; undefined when ss is not there (unknown). */
  tcpListeners?: string[];
  /** `systemctl list-jobs` lines (a start job still running); undefined without systemctl. */
  jobs?: string[];
  /** `E:`/`W:` lines of `apt-cache policy` (apt reading its sources); undefined without apt. */
  aptErrors?: string[];
  /** The kernel side: cgroup version (/sys/fs/cgroup), net.ipv4.ip_forward, iptables and its NAT table. */
  kernel?: {
    cgroup?: 1 | 2;
    ipForward?: boolean;
    /** iptables' path; undefined when not installed. */
    iptables?: string;
    iptablesVersion?: string;
    /** Exit status of `iptables -t nat -L -n` as root; undefined when it could not be run as root. */
    natStatus?: number;
  };
  /**
   * Mandatory access control: SELinux's mode (getenforce's word, or `absent` without selinuxfs),
   * the default socket's SELinux label, AppArmor (`Y`, `N`, `absent`), and the denial lines naming
   * docker, containerd or runc — undefined when neither the audit log nor the journal could be read.
   */
  mac?: {
    selinux?: string;
    socketLabel?: string;
    apparmor?: string;
    denials?: { source: string; lines: string[] };
  };
  /** A containerd process (pidof/pgrep//proc): set only when one runs. */
  containerd?: { pid: number };
}

/**
 * Evidence fields the probe scripts write only when the thing exists: their absence is itself what was
 * found (no dockerd process, no ExecStart…). Every other field of `facts` and `client`, and every
 * unit record, is evidence whose absence means "not gathered" — a check that read it cannot pass
 * (the engine turns such a pass into a skip; test/unit/doctor-evidence-absent.test.ts walks it).
 */
export const ABSENCE_IS_A_FACT: ReadonlySet<string> = new Set([
  'facts.dockerd',
  'facts.foreignDockerd',
  'facts.serviceRunning',
  'facts.serviceEnabled',
  'facts.dpkgInterrupted',
  'client.execStart',
  'client.containerd',
  'client.jobs', // no systemctl: no jobs to list
]);

export interface DoctorEvidence {
  facts: Facts;
  client: ClientEvidence;
  /** API answers of the resolved endpoint and the alternatives (default socket, DOCKER_HOST, context). */
  api: ApiAnswer[];
  /** How the API was reached: directly from this process, as another user, or not at all (remote, for now). */
  apiVia: 'process' | 'as-user' | 'not-probed';
}
