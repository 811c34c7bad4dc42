/**
 * Rootless Docker evidence of the checked user (section `doctor_rootless` of probes/doctor.sh): the
 * user unit docker.service and its state and journal, lingering, subordinate ID counts, and whether
 * dockhand set rootless Docker up for them. Parsed here, judged in checks/rootless.ts.
 */
import { linesOf, type ProbeOutput } from '../probe/framing.js';

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

const count = (v: string | undefined) => (v !== undefined && /^\d{1,12}$/.test(v) ? Number(v) : undefined);
const yesNo = (v: string | undefined) => (v === 'yes' ? true : v === 'no' ? false : undefined);

export function parseRootlessEvidence(out: ProbeOutput): RootlessEvidence | undefined {
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
    subuid: count(s.kv.subuid),
    subgid: count(s.kv.subgid),
    service: props.ActiveState
      ? { loadState: props.LoadState, activeState: props.ActiveState, subState: props.SubState, result: props.Result, unitFileState: props.UnitFileState }
      : undefined,
    journal: linesOf(s, 'journal-user'),
  };
}
