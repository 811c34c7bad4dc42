/**
 * Fact area docker (docker.sh): the daemon's configuration file, the socket, the running dockerd
 * (root's, in our mount namespace; others only reported), the installed binaries and their versions.
 */
import { sectionOf, stdoutOf, type FileContent, type ProbeOutput, type ProbeSection } from '../../probe/framing.js';
import type { FactArea } from './area.js';
import { parseDpkgQuery } from './packages.js';
import { nonEmpty, parseIntOrUndefined } from './values.js';

export const DEFAULT_DOCKER_ROOT = '/var/lib/docker';
export const DEFAULT_DOCKER_SOCKET = '/var/run/docker.sock';
const DAEMON_JSON = '/etc/docker/daemon.json';
/** dpkg's per-package file lists (PKG.list), where docker.sh looks up who installed a binary. */
export const DPKG_INFO = '/var/lib/dpkg/info';

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

export interface DockerAreaFacts {
  daemonJson: FileContent;
  /** /var/run/docker.sock (or the socket the daemon is configured for). */
  socket: PathStat;
  /** Processes called dockerd that are not root's (anyone can start one): ignored, only reported. */
  foreignDockerd?: Array<{ pid: number; uid: number }>;
  /** The owners of dockerd processes could be read: no foreignDockerd then means none (set only then). */
  dockerdOwnersKnown?: true;
  /** dockerd running: its PID and command line. */
  dockerd?: { pid: number; cmdline: string };
  /** `dockerd --version` / `docker --version` outputs (or the version of the dpkg package that installed the binary), as x.y.z. */
  versions: { engine?: string; cli?: string; containerd?: string };
  binaries: { docker?: string; dockerd?: string; containerd?: string };
}

/** `stat -c '%u|%g|%a|%U|%G'` → ids, names and permission bits. */
export function parseStatLine(line: string): Pick<PathStat, 'uid' | 'gid' | 'mode' | 'owner' | 'group'> {
  const [uid, gid, mode, owner, group] = line.trim().split('|');
  const named = (n: string | undefined) => (n && n !== 'UNKNOWN' ? n : undefined);
  return {
    uid: parseIntOrUndefined(uid),
    gid: parseIntOrUndefined(gid),
    mode: mode && /^[0-7]+$/.test(mode) ? Number.parseInt(mode, 8) : undefined,
    owner: named(owner),
    group: named(group),
  };
}

/** First x.y[.z] in a `--version` line: `Docker version 27.3.1, build …` → 27.3.1; `v2.0.0` → 2.0.0. */
export function parseToolVersion(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const m = /(?:^|[\s,])v?(\d+\.\d+(?:\.\d+)?)/.exec(text);
  return m ? m[1] : undefined;
}

function parseSocket(kv: Record<string, string>): PathStat {
  const path = kv.path ?? DEFAULT_DOCKER_SOCKET;
  const type = kv.type;
  if (!type || type === 'none') return { path, exists: false };
  const known = ['socket', 'directory', 'file', 'symlink', 'other'] as const;
  return {
    path,
    exists: true,
    type: (known as readonly string[]).includes(type) ? (type as PathStat['type']) : 'other',
    ...(kv.stat ? parseStatLine(kv.stat) : {}),
  };
}

/** `foreign PID=UID` records: processes named dockerd run by someone other than root. */
function foreignDockerd(kv: Record<string, string>): Pick<DockerAreaFacts, 'foreignDockerd' | 'dockerdOwnersKnown'> {
  const list = Object.entries(kv).flatMap(([k, v]) => {
    const m = /^foreign (\d+)$/.exec(k);
    const uid = parseIntOrUndefined(v);
    return m && uid !== undefined ? [{ pid: Number(m[1]), uid }] : [];
  });
  return { ...(list.length ? { foreignDockerd: list } : {}), ...(kv.owners_known === 'yes' ? { dockerdOwnersKnown: true as const } : {}) };
}

/** /proc/PID/cmdline (NUL-separated argv) as one line of words. */
const argvLine = (raw: string | undefined) => (raw ?? '').split('\0').join(' ').trim();

/**
 * A tool's version: its own `--version` answer, or, for a binary dpkg installed unchanged (docker.sh
 * names the package instead of running the binary), the version dpkg reports for that package — only
 * when that package is fully installed. `5:27.3.1-1~debian.12` → 27.3.1 (the epoch is not the version).
 */
function toolVersion(binaries: ProbeSection, tool: string, dpkg: Record<string, string>): string | undefined {
  const asked = parseToolVersion(stdoutOf(binaries, `${tool}_version`));
  if (asked) return asked;
  const pkg = binaries.kv[`${tool}_package`];
  const version = pkg !== undefined && Object.hasOwn(dpkg, pkg) ? dpkg[pkg] : undefined;
  return parseToolVersion(version?.replace(/^\d+:/, ''));
}

function parse(out: ProbeOutput): DockerAreaFacts {
  const dockerd = sectionOf(out, 'dockerd');
  const binaries = sectionOf(out, 'binaries');
  const dpkg = parseDpkgQuery(stdoutOf(sectionOf(out, 'packages'), 'dpkg') ?? '');
  const pid = parseIntOrUndefined(dockerd.kv.pid);
  return {
    daemonJson: sectionOf(out, 'docker_config').files[DAEMON_JSON] ?? { path: DAEMON_JSON, exists: false },
    socket: parseSocket(sectionOf(out, 'socket').kv),
    ...foreignDockerd(dockerd.kv),
    dockerd: pid !== undefined ? { pid, cmdline: argvLine(stdoutOf(dockerd, 'cmdline')) } : undefined,
    versions: {
      engine: toolVersion(binaries, 'dockerd', dpkg),
      cli: toolVersion(binaries, 'docker', dpkg),
      containerd: toolVersion(binaries, 'containerd', dpkg),
    },
    binaries: {
      docker: nonEmpty(binaries.kv.docker),
      dockerd: nonEmpty(binaries.kv.dockerd),
      containerd: nonEmpty(binaries.kv.containerd),
    },
  };
}

export const dockerArea: FactArea<DockerAreaFacts> = {
  script: 'docker.sh',
  vars: { DH_DEFAULT_ROOT: DEFAULT_DOCKER_ROOT, DH_DEFAULT_SOCKET: DEFAULT_DOCKER_SOCKET, DH_DPKG_INFO: DPKG_INFO },
  parse,
};
