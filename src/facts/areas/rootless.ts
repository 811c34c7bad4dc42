/**
 * Fact area rootless (rootless.sh): what rootless Docker needs from the kernel and the distribution,
 * the subordinate ID files, and per user asked about (FactsRequest.accounts) the account, lingering,
 * the user manager, a dockerd that user runs, and dockhand's record of the setup it did.
 *
 * Everything here is host text: a user controls what their own processes are called and could plant
 * files the probe reads. None of it decides who gets root; it decides only whether a rootless setup
 * (run as that very user) still has something to do.
 */
import { sectionOf, stdoutOf, type FileContent, type ProbeOutput } from '../../probe/framing.js';
import type { FactArea, FactsRequest } from './area.js';
import { nonEmpty, parseIntOrUndefined, yes } from './values.js';

/** Where `up --rootless` records, per user, the setup it did (root-owned, world-readable). */
export const ROOTLESS_RECORD_DIR = '/var/lib/dockhand/rootless';

export interface SubIdRange {
  /** User name or numeric uid, as the line says. */
  owner: string;
  start: number;
  count: number;
}

/** /etc/subuid or /etc/subgid: its ranges, or why they are unknown. */
export interface SubIdFile {
  path: string;
  exists: boolean;
  /** undefined: unreadable, or a line that is not `owner:start:count` (allocating could overlap). */
  ranges?: SubIdRange[];
  /** The first line that did not parse (1-based), for the refusal. */
  badLine?: number;
  /** The text as read: the plan checks on the host that it did not change before adding to it. */
  content?: string;
}

export interface RootlessKernelFacts {
  /** kernel.unprivileged_userns_clone (Debian and Arch kernels; mainline has no such switch). */
  usernsClone?: number;
  /** user.max_user_namespaces (0 forbids user namespaces, as RHEL 7 did). */
  maxUserNamespaces?: number;
  /** kernel.apparmor_restrict_unprivileged_userns (Ubuntu 23.10+): 1 needs a profile for rootlesskit. */
  apparmorRestrict?: number;
  /** Files in /etc/apparmor.d that give rootlesskit `userns`. */
  apparmorProfiles: string[];
  cgroup2?: boolean;
  /** Tools found on PATH (or Debian's contrib directory for dockerd-rootless.sh). */
  binaries: Partial<Record<'newuidmap' | 'newgidmap' | 'rootlesskit' | 'slirp4netns' | 'pasta' | 'dockerd-rootless.sh' | 'contrib', string>>;
}

export interface RootlessUserFacts {
  /** From the passwd database; undefined when the user has no account (or it did not answer). */
  uid?: number;
  home?: string;
  /** /var/lib/systemd/linger/NAME exists. */
  linger?: boolean;
  /** user@UID.service ActiveState (active once lingering or a login started it). */
  manager?: string;
  /** Controllers delegated to the user manager (cgroup v2): cpu, io… are needed for resource limits. */
  delegated?: string[];
  /** dockerd processes this user runs, and whether each runs as their systemd user service docker.service. */
  daemons: Array<{ pid: number; userService: boolean }>;
  /** dockhand's record of this user's setup (ROOTLESS_RECORD_DIR/NAME). */
  record: FileContent;
}

export interface RootlessFacts {
  kernel: RootlessKernelFacts;
  subuid: SubIdFile;
  subgid: SubIdFile;
  /** Per user asked about, only those. */
  users: Record<string, RootlessUserFacts>;
}

export interface RootlessAreaFacts {
  /** Undefined in facts recorded before this area existed. */
  rootless?: RootlessFacts;
}

/** `owner:start:count` lines; comments and blank lines skipped. Any other line makes the ranges unknown. */
export function parseSubIds(file: FileContent | undefined, path: string): SubIdFile {
  if (!file) return { path, exists: false, ranges: undefined };
  if (!file.exists) return { path, exists: false, ranges: [] };
  if (file.content === undefined) return { path, exists: true };
  const ranges: SubIdRange[] = [];
  const lines = file.content.split('\n');
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([^:\s]+):(\d{1,10}):(\d{1,10})$/.exec(line);
    const start = m ? Number(m[2]) : NaN;
    const count = m ? Number(m[3]) : NaN;
    if (!m || count < 1 || start + count > 2 ** 32) return { path, exists: true, badLine: i + 1, content: file.content };
    ranges.push({ owner: m[1]!, start, count });
  }
  return { path, exists: true, ranges, content: file.content };
}

/** `getent passwd NAME` → uid and home, only for the line of that very name. */
function passwdEntry(line: string | undefined, name: string): { uid?: number; home?: string } {
  const f = (line ?? '').replace(/\n$/, '').split(':');
  if (f.length < 7 || f[0] !== name) return {};
  return { uid: parseIntOrUndefined(f[2]), home: nonEmpty(f[5]) };
}

/** A user service docker.service of user UID: `0::/user.slice/user-UID.slice/user@UID.service/app.slice/docker.service`. */
export function isUserService(cgroup: string | undefined, uid: number): boolean {
  if (!cgroup) return false;
  const unit = new RegExp(`^0::/user\\.slice/user-${uid}\\.slice/user@${uid}\\.service/(?:[^/\\n]+\\.slice/)*docker\\.service(?:/|$)`, 'm');
  return unit.test(cgroup);
}

function parse(out: ProbeOutput, request: FactsRequest): RootlessAreaFacts {
  const kernelSec = sectionOf(out, 'rootless_kernel');
  const k = kernelSec.kv;
  // A section never printed: facts from a probe without this area (old recordings); say nothing.
  if (!out.sections.rootless_kernel) return {};
  const binaries: RootlessKernelFacts['binaries'] = {};
  for (const name of ['newuidmap', 'newgidmap', 'rootlesskit', 'slirp4netns', 'pasta', 'dockerd-rootless.sh', 'contrib'] as const) {
    const v = nonEmpty(k[`bin ${name}`]);
    if (v) binaries[name] = v;
  }
  const kernel: RootlessKernelFacts = {
    usernsClone: parseIntOrUndefined(k['kernel/unprivileged_userns_clone']),
    maxUserNamespaces: parseIntOrUndefined(k['user/max_user_namespaces']),
    apparmorRestrict: parseIntOrUndefined(k['kernel/apparmor_restrict_unprivileged_userns']),
    apparmorProfiles: Object.keys(k).flatMap((key) => (key.startsWith('apparmor ') && k[key] === 'yes' ? [key.slice(9)] : [])),
    cgroup2: yes(k.cgroup2),
    binaries,
  };
  const ids = sectionOf(out, 'subids').files;
  const daemonsSec = sectionOf(out, 'rootless_daemons');
  const daemons = Object.entries(daemonsSec.kv).flatMap(([key, v]) => {
    const m = /^uid (\d+)$/.exec(key);
    const uid = parseIntOrUndefined(v);
    return m && uid !== undefined ? [{ pid: Number(m[1]), uid, cgroup: stdoutOf(daemonsSec, `cgroup ${m[1]}`) }] : [];
  });
  const usersSec = sectionOf(out, 'rootless_users');
  const users: Record<string, RootlessUserFacts> = {};
  // Only the names asked: the host answers for those and cannot add one.
  for (const name of new Set(request.accounts ?? [])) {
    const { uid, home } = passwdEntry(stdoutOf(usersSec, `passwd ${name}`), name);
    const manager = parseManager(stdoutOf(usersSec, `manager ${name}`));
    users[name] = {
      uid,
      home,
      linger: yes(usersSec.kv[`linger ${name}`]),
      ...manager,
      daemons: uid === undefined ? [] : daemons.filter((d) => d.uid === uid).map((d) => ({ pid: d.pid, userService: isUserService(d.cgroup, uid) })),
      record: usersSec.files[`${ROOTLESS_RECORD_DIR}/${name}`] ?? { path: `${ROOTLESS_RECORD_DIR}/${name}`, exists: false },
    };
  }
  return {
    rootless: {
      kernel,
      subuid: parseSubIds(ids['/etc/subuid'], '/etc/subuid'),
      subgid: parseSubIds(ids['/etc/subgid'], '/etc/subgid'),
      users,
    },
  };
}

/** `systemctl show -p ActiveState,DelegateControllers` output. */
function parseManager(text: string | undefined): Pick<RootlessUserFacts, 'manager' | 'delegated'> {
  if (text === undefined) return {};
  const props = Object.fromEntries(
    text.split('\n').flatMap((l) => {
      const i = l.indexOf('=');
      return i > 0 ? [[l.slice(0, i), l.slice(i + 1).trim()]] : [];
    }),
  );
  return {
    manager: nonEmpty(props.ActiveState),
    delegated: props.DelegateControllers === undefined ? undefined : props.DelegateControllers.split(/\s+/).filter(Boolean),
  };
}

export const rootlessArea: FactArea<RootlessAreaFacts> = { script: 'rootless.sh', vars: { DH_RECORD_DIR: ROOTLESS_RECORD_DIR }, parse };
