/**
 * Fact area user (user.sh): who the probe runs as and whether it may use sudo without a password, its
 * groups (this session's and the database's), the docker group, and which of the users asked about
 * (FactsRequest.accounts) have an account.
 */
import { sectionOf, stdoutOf, type ProbeOutput } from '../../probe/framing.js';
import type { FactArea, FactsRequest } from './area.js';
import { nonEmpty, parseIntOrUndefined } from './values.js';

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

export interface UserAreaFacts {
  privilege: PrivilegeFacts;
  user: UserFacts;
  dockerGroup: GroupFacts;
  /**
   * Whether each user asked for by name (--users, inventory users:) has an account on the host; only
   * for those names, undefined when nobody asked or when the host did not answer for every name.
   */
  accounts?: Record<string, boolean>;
}

/** `id -G` → numbers; `id -Gn` → names (both space-separated). */
export function parseIdList(text: string | undefined): string[] {
  return (text ?? '').trim().split(/\s+/).filter(Boolean);
}

/** One group(5) line: `name:x:gid:member,member`. */
export function parseGroupLine(line: string): { name: string; gid?: number; members: string[] } | undefined {
  const parts = line.trim().split(':');
  if (parts.length < 3 || !parts[0]) return undefined;
  return {
    name: parts[0],
    gid: parseIntOrUndefined(parts[2]),
    members: (parts[3] ?? '').split(',').map((m) => m.trim()).filter(Boolean),
  };
}

/**
 * The `accounts` section: NAME → yes|no for each name asked. The host can say yes or no for a name
 * but not add one: any name not asked, or a name without a yes/no answer, means "could not tell"
 * (undefined), and the plan then does not decide on it.
 */
export function parseAccounts(kv: Record<string, string>, asked: readonly string[] | undefined): Record<string, boolean> | undefined {
  if (!asked?.length) return undefined;
  const names = new Set(asked);
  if (Object.keys(kv).some((k) => !names.has(k))) return undefined;
  const answers = [...names].map((name) => [name, kv[name]] as const);
  if (answers.some(([, a]) => a !== 'yes' && a !== 'no')) return undefined;
  return Object.fromEntries(answers.map(([name, a]) => [name, a === 'yes']));
}

function parse(out: ProbeOutput, request: FactsRequest): UserAreaFacts {
  const priv = sectionOf(out, 'privilege').kv;
  const userSection = sectionOf(out, 'user');
  const user = userSection.kv;
  const uid = parseIntOrUndefined(priv.uid ?? user.uid) ?? -1;
  const dbGroupsCmd = userSection.commands.db_groups;
  const memberOf = (stdoutOf(userSection, 'member_of') ?? '').split('\n').map(parseGroupLine);
  const primaryGroup = nonEmpty(user.group);
  // `id -Gn USER` reads the database; if it is missing, rebuild from the membership lines.
  const databaseGroups =
    dbGroupsCmd && dbGroupsCmd.rc === 0
      ? parseIdList(dbGroupsCmd.stdout)
      : [...new Set([...(primaryGroup ? [primaryGroup] : []), ...memberOf.flatMap((g) => (g ? [g.name] : []))])];
  const dockerLine = stdoutOf(sectionOf(out, 'docker_group'), 'group')?.split('\n').find((l) => l.startsWith('docker:'));
  const group = dockerLine ? parseGroupLine(dockerLine) : undefined;
  const accounts = parseAccounts(sectionOf(out, 'accounts').kv, request.accounts);
  return {
    privilege: {
      uid,
      isRoot: uid === 0,
      sudoInstalled: priv.sudo === 'yes',
      sudoNoPassword: uid === 0 || priv.sudo_n === 'yes',
    },
    user: {
      name: user.name ?? '',
      uid,
      gid: parseIntOrUndefined(user.gid) ?? -1,
      home: nonEmpty(user.home),
      sessionGroups: parseIdList(user.session_groups),
      sessionGids: parseIdList(user.session_gids).map(Number).filter(Number.isInteger),
      databaseGroups,
      sudoUser: nonEmpty(user.sudo_user),
    },
    dockerGroup: group ? { exists: true, gid: group.gid, members: group.members } : { exists: false, members: [] },
    ...(request.accounts?.length ? { accounts } : {}),
  };
}

export const userArea: FactArea<UserAreaFacts> = { script: 'user.sh', parse };
