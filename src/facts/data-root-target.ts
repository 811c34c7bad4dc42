/**
 * The facts a data-root move needs beyond the facts probe: how much the old root holds, and whether
 * the new place can take it (exists, empty, filesystem with d_type, free space). Read as root, in a
 * second round trip made only when a move is planned — never on a converged run:
 *  - the facts probe runs without sudo, and the Docker root is root-only (0710), so `du` of it there
 *    would see nothing;
 *  - the probe is one script for every run, and `du` walks every file of the root (minutes on a big
 *    one): paying it on each run to plan a move that is almost never asked for would be wrong.
 * When the old root is a mount point of its own, the filesystem's used size (`df`) is taken instead
 * of `du` (instant; it counts everything on that filesystem, which is then the root's). The probe
 * script is built here, its output parsed here (pure; fixtures in test/unit).
 */
import { shQuote } from '../shell/quote.js';

/** The marker a copy in progress leaves in the new root: a target holding it is dockhand's own interrupted copy. */
export const MOVE_MARKER = '.dockhand-move-incomplete';

export interface DataRootTargetFacts {
  /** KiB used by the old root (du -skx, or df's used when the root is its own mount). */
  usedKiB?: number;
  /** How usedKiB was measured. */
  measuredBy?: 'du' | 'df';
  /** KiB used by containerd's root when it moves too. */
  containerdUsedKiB?: number;
  /** /etc/containerd/config.toml when containerd's root moves too (null: no such file; undefined: not read). */
  containerdConfig?: string | null;
  target: {
    exists: boolean;
    /** A directory (false: a file or something else is there). */
    isDir: boolean;
    /** Entries in it besides the marker. */
    entries?: number;
    /** dockhand's marker of an interrupted copy is there. */
    marker: boolean;
    /** The nearest existing directory (the target, or the parent it will be created in). */
    probeDir?: string;
    fsType?: string;
    /** xfs only: ftype=1 (d_type recorded). */
    xfsFtype?: boolean;
    availKiB?: number;
    /** On the same filesystem as the old root. */
    sameFilesystem?: boolean;
  };
  /** GNU cp (coreutils): the copy needs its --preserve=xattr and -x. */
  gnuCp: boolean;
}

/**
 * The script (run as root): `key<TAB>value` lines. `containerdRoot`: measure that tree too.
 * Paths are ours (validated by dataRootProblem, quoted here), never the host's.
 */
export function dataRootTargetScript(oldRoot: string, newRoot: string, containerdRoot?: string): string {
  const lines = [
    `old=${shQuote(oldRoot)}; new=${shQuote(newRoot)}`,
    "kv() { printf '%s\\t%s\\n' \"$1\" \"$2\"; }",
    // A root that is its own mount: df's used size is the root's (instant); else du walks it.
    'size() { if [ "$(findmnt -n -o TARGET -T "$1" 2>/dev/null | head -n 1)" = "$1" ]; then df -Pk "$1" | awk \'NR == 2 { print "df", $3 }\'; else du -skx -- "$1" 2>/dev/null | awk \'{ print "du", $1 }\'; fi; }',
    'if [ -d "$old" ]; then set -- $(size "$old"); kv old.by "${1:-}"; kv old.kib "${2:-}"; fi',
    'if [ -e "$new" ] || [ -L "$new" ]; then kv target.exists yes; else kv target.exists no; fi',
    'if [ -d "$new" ]; then kv target.dir yes; kv target.entries "$(ls -A "$new" | grep -cvxF ' + shQuote(MOVE_MARKER) + ')"; fi',
    `if [ -e "$new/${MOVE_MARKER}" ]; then kv target.marker yes; fi`,
    'd=$new; while [ ! -d "$d" ]; do d=${d%/*}; [ -n "$d" ] || d=/; done',
    'kv target.probe_dir "$d"',
    't=$(findmnt -n -o FSTYPE -T "$d" 2>/dev/null | head -n 1); [ -n "$t" ] || t=$(stat -f -c %T "$d" 2>/dev/null); kv target.fstype "$t"',
    'if command -v xfs_info >/dev/null 2>&1; then f=$(xfs_info "$(findmnt -n -o TARGET -T "$d" | head -n 1)" 2>/dev/null | sed -n \'s/.*ftype=\\([01]\\).*/\\1/p\' | head -n 1); [ -z "$f" ] || kv target.xfs_ftype "$f"; fi',
    'kv target.avail_kib "$(df -Pk "$d" | awk \'NR == 2 { print $4 }\')"',
    'if [ -d "$old" ] && [ "$(stat -c %d "$old")" = "$(stat -c %d "$d")" ]; then kv target.same_fs yes; else kv target.same_fs no; fi',
    "if cp --version 2>/dev/null | head -n 1 | grep -q 'GNU'; then kv gnu_cp yes; else kv gnu_cp no; fi",
  ];
  if (containerdRoot) {
    lines.push(
      `c=${shQuote(containerdRoot)}`,
      'if [ -d "$c" ]; then set -- $(size "$c"); kv containerd.kib "${2:-}"; fi',
      // As hex: any bytes, one line (bounded: a config larger than 64 KiB is not one dockhand edits).
      `if [ -f ${shQuote(CONTAINERD_CONFIG_PATH)} ]; then kv containerd.config_hex "$(head -c 65537 ${shQuote(CONTAINERD_CONFIG_PATH)} | od -An -v -tx1 | tr -d ' \n')"; else kv containerd.config absent; fi`,
    );
  }
  return lines.join('\n');
}

/** containerd's config (src/plan/daemon-containerd.ts edits it). */
export const CONTAINERD_CONFIG_PATH = '/etc/containerd/config.toml';
const CONFIG_MAX = 65536;

const FS_TYPE = /^[a-z0-9._-]{1,32}$/;
const KIB = /^\d{1,15}$/;

/** The script's output: only the keys it prints, values checked (anything else the host says is ignored). */
export function parseDataRootTarget(stdout: string): DataRootTargetFacts {
  const kv = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const tab = line.indexOf('\t');
    if (tab > 0) kv.set(line.slice(0, tab), line.slice(tab + 1).trim());
  }
  const num = (k: string) => {
    const v = kv.get(k);
    return v !== undefined && KIB.test(v) ? Number(v) : undefined;
  };
  const fsType = kv.get('target.fstype');
  const by = kv.get('old.by');
  const probeDir = kv.get('target.probe_dir');
  const ftype = kv.get('target.xfs_ftype');
  const same = kv.get('target.same_fs');
  const hex = kv.get('containerd.config_hex');
  const config =
    kv.get('containerd.config') === 'absent'
      ? null
      : hex !== undefined && /^(?:[0-9a-f]{2})*$/.test(hex) && hex.length <= CONFIG_MAX * 2
        ? Buffer.from(hex, 'hex').toString('utf8')
        : undefined;
  return {
    usedKiB: num('old.kib'),
    containerdConfig: config,
    measuredBy: by === 'du' || by === 'df' ? by : undefined,
    containerdUsedKiB: num('containerd.kib'),
    target: {
      exists: kv.get('target.exists') === 'yes',
      isDir: kv.get('target.dir') === 'yes',
      entries: num('target.entries'),
      marker: kv.get('target.marker') === 'yes',
      probeDir: probeDir !== undefined && probeDir.startsWith('/') && probeDir.length < 4096 ? probeDir : undefined,
      fsType: fsType !== undefined && FS_TYPE.test(fsType) ? fsType : undefined,
      xfsFtype: ftype === '1' ? true : ftype === '0' ? false : undefined,
      availKiB: num('target.avail_kib'),
      sameFilesystem: same === 'yes' ? true : same === 'no' ? false : undefined,
    },
    gnuCp: kv.get('gnu_cp') === 'yes',
  };
}
