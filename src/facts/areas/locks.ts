/** Fact area locks (locks.sh): the processes holding the package manager's locks now. */
import { sectionOf, type ProbeSection } from '../../probe/framing.js';
import type { FactArea } from './area.js';
import { nonEmpty, parseIntOrUndefined } from './values.js';

/** Package-manager lock files whose holders we report. */
export const LOCK_FILES = [
  '/var/lib/dpkg/lock-frontend', '/var/lib/dpkg/lock', '/var/lib/apt/lists/lock', '/var/cache/apt/archives/lock',
  '/var/lib/rpm/.rpm.lock', '/lib/apk/db/lock',
] as const;

/** Lock files whose mere existence means "busy" (they hold a PID or nothing; no fcntl lock). */
export const PID_LOCK_FILES = ['/var/run/yum.pid', '/run/zypp.pid', '/var/lib/pacman/db.lck'] as const;

export interface LockHolder {
  path: string;
  pid?: number;
  command?: string;
}

export interface LocksAreaFacts {
  /** Processes holding the package manager's locks now. */
  locks: LockHolder[];
}

/**
 * /proc/locks: `1: POSIX  ADVISORY  WRITE 1234 08:01:131090 0 EOF`. Lines with `->` are processes
 * waiting for a lock, not holding it; OFD locks show pid -1 (no owner process to name).
 */
export function parseProcLocks(text: string): Array<{ pid: number; inode: number }> {
  const out: Array<{ pid: number; inode: number }> = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f[1] === '->') continue;
    const pid = parseIntOrUndefined(f[4]);
    const inode = parseIntOrUndefined(f[5]?.split(':')[2]);
    if (pid !== undefined && inode !== undefined && pid > 0) out.push({ pid, inode });
  }
  return out;
}

function holders(s: ProbeSection): LockHolder[] {
  const kv = s.kv;
  const held = parseProcLocks(s.files['/proc/locks']?.content ?? '');
  const list: LockHolder[] = [];
  for (const path of LOCK_FILES) {
    const inode = parseIntOrUndefined(kv[`inode ${path}`]);
    if (inode === undefined) continue;
    const pids = new Set(held.filter((l) => l.inode === inode).map((l) => l.pid));
    for (const pid of pids) list.push({ path, pid, command: nonEmpty(kv[`comm ${pid}`]) });
  }
  for (const path of PID_LOCK_FILES) {
    const content = kv[`pidfile ${path}`];
    if (content === undefined) continue;
    const pid = parseIntOrUndefined(content);
    list.push({ path, pid, command: pid !== undefined ? nonEmpty(kv[`comm ${pid}`]) : undefined });
  }
  return list;
}

export const locksArea: FactArea<LocksAreaFacts> = {
  script: 'locks.sh',
  vars: { DH_LOCK_FILES: LOCK_FILES, DH_PID_LOCK_FILES: PID_LOCK_FILES },
  parse: (out) => ({ locks: holders(sectionOf(out, 'locks')) }),
};
