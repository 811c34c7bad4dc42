/**
 * Rootless Docker evidence of the checked user (section `doctor_rootless` of probes/doctor.sh): the
 * user unit docker.service and its state and journal, lingering, subordinate ID counts, and whether
 * dockhand set rootless Docker up for them. Parsed here, judged in checks/rootless.ts.
 */
import { linesOf, sectionOf, type ProbeOutput } from '../probe/framing.js';

export const ROOTLESS_SECTION = 'doctor_rootless';

export interface RootlessEvidence {
  /** XDG_RUNTIME_DIR of the checked user's session (or /run/user/UID): where their daemon's socket is. */
  runtimeDir: string;
  /** ~/.config/systemd/user/docker.service exists; undefined when the home could not be looked into. */
  unitFile?: boolean;
  /** dockhand recorded a rootless setup for the user (/var/lib/dockhand/rootless/USER). */
  record: boolean;
  linger?: boolean;
  /** Total subordinate IDs in /etc/subuid and /etc/subgid (by name or uid); undefined when unreadable. */
  subuid?: number;
  subgid?: number;
  /** `systemctl --user show` of docker.service; undefined when the user manager did not answer. */
  service?: { loadState?: string; activeState?: string; subState?: string; result?: string; unitFileState?: string };
  /** Last lines of the user unit's journal. */
  journal: string[];
}

const yesNo = (v: string | undefined) => (v === 'yes' ? true : v === 'no' ? false : undefined);

/**
 * The subordinate IDs of `user` (by name or uid) in /etc/subuid or /etc/subgid as the facts read
 * them (section subids, the whole file): the sum of the counts of the lines naming them, as login's
 * tools add them up. Lines of another form are passed over here (the plan refuses to add to such a
 * file: parseSubIds); undefined when the file could not be read.
 */
export function subIdCount(out: ProbeOutput, path: string, user: string, uid: number): number | undefined {
  const file = sectionOf(out, 'subids').files[path];
  if (!file?.exists || file.content === undefined) return undefined;
  let n = 0;
  for (const line of file.content.split('\n')) {
    const [owner, , count] = line.split(':');
    if (owner !== undefined && (owner === user || (Number.isInteger(uid) && owner === String(uid)))) n += Number.parseFloat(count ?? '') || 0;
  }
  return n;
}

/** The rootless section of the checked user `user` (uid `uid`). */
export function parseRootlessEvidence(out: ProbeOutput, user: string, uid: number): RootlessEvidence | undefined {
  const s = out.sections[ROOTLESS_SECTION];
  if (!s) return undefined;
  const props = Object.fromEntries(
    linesOf(s, 'user-unit').flatMap((l) => {
      const i = l.indexOf('=');
      return i > 0 ? [[l.slice(0, i), l.slice(i + 1)]] : [];
    }),
  );
  return {
    runtimeDir: s.kv.runtime_dir ?? '',
    unitFile: yesNo(s.kv.unit),
    record: s.kv.record === 'yes',
    linger: yesNo(s.kv.linger),
    subuid: subIdCount(out, '/etc/subuid', user, uid),
    subgid: subIdCount(out, '/etc/subgid', user, uid),
    service: props.ActiveState
      ? { loadState: props.LoadState, activeState: props.ActiveState, subState: props.SubState, result: props.Result, unitFileState: props.UnitFileState }
      : undefined,
    journal: linesOf(s, 'journal-user'),
  };
}
