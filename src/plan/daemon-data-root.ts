/**
 * `--data-root PATH --move-data-root`: the old root's images, containers and volumes move with it.
 * The refusals a careful operator would want (target not empty, on a filesystem overlay2 cannot use,
 * too small for what the old root holds, no GNU cp), what the plan says (containers stopped, the old
 * root kept), and the one script doing it: stop the containers and the daemon, copy preserving
 * everything, compare the trees, and only then switch daemon.json, start, check docker info (the
 * new root, the same image and container counts) and keep the old root renamed. Any failure before
 * that last check puts the old daemon.json back and starts docker on the old root: daemon.json never
 * points at an unverified copy. Pure.
 */
import { dataRootProblem } from '../core/daemon-values.js';
import { PreconditionError } from '../core/errors.js';
import { fsSupportsDType } from '../facts/areas/storage.js';
import { MOVE_MARKER, type DataRootTargetFacts } from '../facts/data-root-target.js';
import { CONTAINERD_CONFIG, CONTAINERD_DEFAULT_ROOT, containerdRootFor, setContainerdRoot, type ContainerdRootEdit } from './daemon-containerd.js';
import type { Facts } from '../facts/types.js';
import { shQuote } from '../shell/quote.js';
import type { PlannedCommand } from './model.js';
import { ensureDirLine, fail, progressEcho, pruneBackupsLines, script } from './script.js';

/** Backing filesystems overlay2 cannot sit on (they need their own driver, or stack overlays). */
export const UNSUPPORTED_BACKING: ReadonlySet<string> = new Set(['overlay', 'overlayfs', 'aufs', 'zfs', 'btrfs']);

/** Headroom over the measured size: directories and metadata may take a little more on the new filesystem. */
const HEADROOM = 1.05;

/** The suffix the old root gets once the move is verified (kept, never deleted by dockhand). */
export const MOVED_SUFFIX = '.dockhand-moved-';

export interface DataRootMove {
  from: string;
  to: string;
  usedKiB: number;
  measuredBy?: 'du' | 'df';
  /** Containers running now (stopped for the copy, started again after). */
  running?: number;
  images?: number;
  containers?: number;
  /** The old root's name once the move is verified: `<from>.dockhand-moved-<UTC time>`. */
  keepAs: string;
  /** An interrupted copy of an earlier run is in the target: it is cleared and redone. */
  redo: boolean;
  /** The containerd image store on the system containerd: its root moves too, into the new data root. */
  containerd?: {
    from: string;
    to: string;
    usedKiB: number;
    /** The new /etc/containerd/config.toml (top-level root set), and whether there was one. */
    config: string;
    configExisted: boolean;
    /** Lines of config.toml still naming paths under the old containerd root (left as they are). */
    mentionsOldRoot: number[];
  };
}

/** The keys of a container's config.v2.json holding absolute paths into the data root. */
const CONTAINER_PATH_KEYS = ['Source', 'LogPath', 'HostnamePath', 'HostsPath', 'ResolvConfPath'] as const;
/** sed's delimiter; escaped where a path holds it (GNU sed reads `\|` as a literal one on both sides). */
const SED = '|';
const sedRegex = (p: string) => p.replace(/[\\[\].*^$|]/g, '\\$&');
const sedReplacement = (p: string) => p.replace(/[\\&|]/g, '\\$&');

/** sed -i rewriting, in `file` (a shell word), the container paths under `from` to `to` (exported for its test on a real file). */
export function containerPathsRewrite(from: string, to: string, file: string): string {
  return `sed -i ${CONTAINER_PATH_KEYS.map((k) => `-e ${shQuote(`s${SED}"${k}":"${sedRegex(from)}/${SED}"${k}":"${sedReplacement(to)}/${SED}g`)}`).join(' ')} ${file}`;
}

/** The root the daemon uses now: what docker info says, else daemon.json's (the probe's) path. */
export function currentRoot(facts: Facts): string {
  return facts.daemonInfo?.rootDir ?? facts.dockerRoot.path;
}

/** Whether `inner` is `outer` or below it. */
const within = (inner: string, outer: string) => inner === outer || inner.startsWith(`${outer}/`);

export function humanKiB(kib: number): string {
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = kib;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) (v /= 1024), i++;
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

/** The move, or a PreconditionError naming what stops it. `target`: facts.dataRootTarget (measured as root). */
export function planDataRootMove(facts: Facts, to: string, opts: { hasSystemd: boolean; containerd?: boolean }): DataRootMove {
  const from = currentRoot(facts);
  const refuse = (message: string, hint: string): never => {
    throw new PreconditionError(facts.host, `--move-data-root ${from} → ${to}: ${message}`, hint);
  };
  // The inventory's data-root is not a flag checked before connecting: the path goes into the move's script, so check it here.
  const problem = dataRootProblem(to) ?? dataRootProblem(from);
  if (problem) refuse(problem, 'use a plain absolute path');
  if (!opts.hasSystemd) refuse('dockhand moves a data root on systemd hosts only', 'stop docker, copy the root with cp -a, set data-root, start docker');
  if (within(to, from) || within(from, to)) refuse('one path is inside the other', 'choose a data root outside the old one (and not one of its parents)');
  const t: DataRootTargetFacts | undefined = facts.dataRootTarget;
  if (!t) refuse('the old root and the target were not measured', 'run dockhand plan/up with sudo rights on the host');
  const target = t!.target;
  if (target.exists && !target.isDir) refuse(`${to} exists and is not a directory`, 'remove it or choose another path');
  if (target.isDir && (target.entries ?? 1) > 0 && !target.marker) {
    refuse(`${to} is not empty (${target.entries ?? 'unknown number of'} entries)`, 'choose an empty or new directory: dockhand never merges into or overwrites a directory it did not create');
  }
  const fs = target.fsType;
  const dType = fsSupportsDType(fs, target.xfsFtype);
  if (fs === undefined) refuse(`the filesystem of ${target.probeDir ?? to} could not be read`, 'check that findmnt or stat works there');
  if (UNSUPPORTED_BACKING.has(fs!) || dType === false) {
    refuse(`${target.probeDir ?? to} is on ${fs}${dType === false ? ' without d_type (xfs needs ftype=1)' : ''}; overlay2 cannot run there`, 'put the data root on ext4, or xfs formatted with ftype=1');
  }
  if (!t!.gnuCp) refuse('the copy needs GNU cp (coreutils): it keeps xattrs, hard links and sparse files, and stays on one filesystem', 'install coreutils, then run again');
  if (t!.usedKiB === undefined) refuse(`the size of ${from} could not be measured`, 'check that du works on the host as root');
  const containerd = opts.containerd ? containerdPart(facts, t!, to, refuse) : undefined;
  const used = t!.usedKiB! + (containerd?.usedKiB ?? 0);
  const need = Math.ceil(used * HEADROOM);
  if (target.availKiB === undefined) refuse(`the free space at ${target.probeDir ?? to} could not be read`, 'check that df works there');
  if (target.availKiB! < need) {
    refuse(`${target.probeDir ?? to} has ${humanKiB(target.availKiB!)} free; the copy needs ${humanKiB(need)} (${humanKiB(used)} measured by ${t!.measuredBy ?? 'du'}, +5%)`, 'free space there or choose a larger filesystem');
  }
  const info = facts.daemonInfo;
  return {
    from,
    to,
    usedKiB: t!.usedKiB!,
    measuredBy: t!.measuredBy,
    running: info?.containersRunning,
    images: info?.images,
    containers: info?.containers,
    keepAs: `${from}${MOVED_SUFFIX}<UTC time>`,
    redo: target.marker,
    containerd,
  };
}

/** containerd's root and config.toml for the move (refused where the file cannot be edited safely). */
function containerdPart(facts: Facts, t: DataRootTargetFacts, to: string, refuse: (m: string, h: string) => never): DataRootMove['containerd'] {
  if (t.containerdConfig === undefined) refuse(`${CONTAINERD_CONFIG} could not be read`, 'run with sudo rights on the host');
  const dest = containerdRootFor(to);
  const edit = setContainerdRoot(t.containerdConfig ?? undefined, dest);
  if (!edit.ok) {
    refuse(
      `${CONTAINERD_CONFIG}${edit.line ? `:${edit.line}` : ''} cannot be edited safely (${edit.problem}); containerd's root (the containerd image store's images) would not follow`,
      `set root = "${dest}" at the top of ${CONTAINERD_CONFIG} yourself (and move ${CONTAINERD_DEFAULT_ROOT} there), or simplify the file, then run again`,
    );
  }
  const ok = edit as Extract<ContainerdRootEdit, { ok: true }>;
  if (ok.from !== CONTAINERD_DEFAULT_ROOT) refuse(`containerd's root is ${ok.from} (${CONTAINERD_CONFIG}), not ${CONTAINERD_DEFAULT_ROOT}: dockhand moves only the default one`, `move ${ok.from} yourself, or leave --data-root out`);
  if (t.containerdUsedKiB === undefined) refuse(`the size of ${CONTAINERD_DEFAULT_ROOT} could not be measured`, 'check that du works on the host as root');
  return { from: ok.from, to: dest, usedKiB: t.containerdUsedKiB!, config: ok.content, configExisted: t.containerdConfig !== null, mentionsOldRoot: ok.mentionsOldRoot };
}

/** What the plan says about the move, in the order it happens. */
export function moveNotes(m: DataRootMove): string[] {
  const running = m.running === undefined ? 'the running containers (docker info did not say how many)' : `${m.running} running container${m.running === 1 ? '' : 's'}`;
  const counted = m.images !== undefined && m.containers !== undefined ? `${m.images} image(s), ${m.containers} container(s)` : 'images and containers';
  return [
    `moves the data root ${m.from} → ${m.to} (${humanKiB(m.usedKiB)}, measured by ${m.measuredBy ?? 'du'}): ${counted} and every volume`,
    m.running === 0
      ? 'no container is running; docker.socket and docker.service stop for the copy'
      : `stops ${running} and docker.socket/docker.service for the copy (live-restore cannot keep containers across a data-root change), then starts ${m.running === 1 ? 'it' : 'them'} again`,
    'copies with GNU cp -ax --preserve=xattr (ownership, modes, times, xattrs, hard links, sparse files; one filesystem), then compares the two trees (files, directories, bytes)',
    `daemon.json gets data-root only after the copy matches; docker then starts and must report DockerRootDir ${m.to} and the same image and container counts, else the old daemon.json is put back and docker starts on ${m.from} again`,
    `the old root is kept as ${m.keepAs} (dockhand never deletes it: remove it once the host works)`,
    ...(m.redo ? [`${m.to} holds an interrupted copy of an earlier run (${MOVE_MARKER}): it is cleared and copied again`] : []),
    ...(m.containerd ? containerdNotes(m.containerd) : []),
  ];
}

function containerdNotes(c: NonNullable<DataRootMove['containerd']>): string[] {
  return [
    `containerd image store: the images are the system containerd's, so its root moves too: ${c.from} → ${c.to} (${humanKiB(c.usedKiB)}); containerd.service stops for the copy`,
    `${CONTAINERD_CONFIG}: top-level root = "${c.to}" ${c.configExisted ? 'set, every other line kept (the old file saved as config.toml.bak-<time>)' : 'in a new file'}; containerd restarts, then docker`,
    `containerd must then hold its metadata under ${c.to}; the old root is kept as ${c.from}${MOVED_SUFFIX}<UTC time>`,
    ...(c.mentionsOldRoot.length
      ? [`${CONTAINERD_CONFIG} line${c.mentionsOldRoot.length === 1 ? '' : 's'} ${c.mentionsOldRoot.join(', ')} still name${c.mentionsOldRoot.length === 1 ? 's' : ''} paths under ${c.from} (left as they are: plugins that keep their own data there)`]
      : []),
  ];
}

/**
 * The move as one root command. `daemonJson`: the new file (with data-root) and the hash of the one
 * the plan saw. The new daemon.json (and config.toml) are written to temporary files and validated
 * before anything stops; they replace the old ones only after the copies matched.
 */
export function dataRootMoveCommand(
  m: DataRootMove,
  daemonJson: { content: string; previousHash: string },
  opts: { backupsKept: number; path?: string },
): PlannedCommand {
  const path = opts.path ?? '/etc/docker/daemon.json';
  const cfg = shQuote(path);
  const dir = path.slice(0, path.lastIndexOf('/')) || '/';
  const c = m.containerd;
  const ccfg = shQuote(CONTAINERD_CONFIG);
  const stamp = '$(date -u +%Y%m%dT%H%M%SZ)';
  // Identical on both sides when the copy is complete (the marker aside); directory sizes differ between filesystems, so only files' bytes count.
  const tree = `find "$1" -xdev ! -name ${shQuote(MOVE_MARKER)} \\( -type f -printf 'f %s\\n' -o -type d -printf 'd 0\\n' -o -printf 'o 0\\n' \\) | awk '{ n[$1]++; s += $2 } END { printf "%d files, %d directories, %d others, %.0f bytes\\n", n["f"], n["d"], n["o"], s }'`;
  /** Copy tree $1 into the (existing) directory $2 and compare; exits on a difference. */
  const copy = [
    'copy() {',
    '  chown --reference="$1" "$2"; chmod --reference="$1" "$2"',
    '  cp -ax --preserve=xattr "$1/." "$2/"',
    '  a=$(tree "$1"); b=$(tree "$2")',
    '  if [ "$a" != "$b" ]; then echo "the copy differs: $1 has $a, $2 has $b" >&2; exit 1; fi',
    '  echo "copied and compared $1: $a"',
    '}',
  ];
  const mountedBelow = (v: string, shown: string) =>
    `if awk -v p="${v}/" 'index($5, p) == 1 { found = 1 } END { exit !found }' /proc/self/mountinfo; then ${fail(`something is still mounted below ${shown}; it would not be copied: unmount it (or move it yourself), then run again`)}; fi`;
  return {
    summary: `move the data root ${m.from} → ${m.to}${c ? ` and containerd's root ${c.from} → ${c.to}` : ''} (stop, copy, compare, switch the config, start, check)`,
    sudo: true,
    script: script(
      `old=${shQuote(m.from)}; new=${shQuote(m.to)}; marker="$new"/${shQuote(MOVE_MARKER)}`,
      c && `cold=${shQuote(c.from)}; cnew=${shQuote(c.to)}`,
      `if [ -e ${cfg} ]; then now=$(printf '%s' "$(cat ${cfg})" | sha256sum | cut -d ' ' -f 1); else now=absent; fi`,
      `if [ "$now" != ${shQuote(daemonJson.previousHash)} ]; then ${fail(`${path} changed since the plan was made; run dockhand again`)}; fi`,
      `cp --version 2>/dev/null | head -n 1 | grep -q GNU || ${fail('moving the data root needs GNU cp (coreutils)')}`,
      `if [ -e "$new" ] && [ ! -d "$new" ]; then ${fail(`${m.to} exists and is not a directory`)}; fi`,
      `if [ -d "$new" ] && [ ! -e "$marker" ] && [ -n "$(ls -A "$new")" ]; then ${fail(`${m.to} is not empty: nothing was changed`)}; fi`,
      c && `if [ -e "$old"/${shQuote(c.to.slice(m.to.length + 1))} ]; then ${fail(`${m.from} already has ${c.to.slice(m.to.length + 1)}: containerd's root would land on it`)}; fi`,
      // The new daemon.json (and config.toml), ready and validated before anything stops.
      ensureDirLine(dir),
      `cfgnew=$(mktemp ${shQuote(`${dir}/.daemon.json.XXXXXX`)}); ccfgnew=`,
      `printf '%s' ${shQuote(daemonJson.content)} > "$cfgnew"`,
      `if [ -e ${cfg} ]; then meta=$(stat -c '%a %u:%g' ${cfg}); chmod "\${meta% *}" "$cfgnew"; chown "\${meta#* }" "$cfgnew"; else chmod 0644 "$cfgnew"; fi`,
      `if command -v dockerd >/dev/null 2>&1 && dockerd --help 2>&1 | grep -q -- '--validate'; then dockerd --validate --config-file "$cfgnew" >/dev/null || { rm -f "$cfgnew"; ${fail('the new daemon.json does not validate: nothing was changed')}; }; fi`,
      ...(c
        ? [
            ensureDirLine('/etc/containerd'),
            `ccfgnew=$(mktemp /etc/containerd/.config.toml.XXXXXX)`,
            `printf '%s' ${shQuote(c.config)} > "$ccfgnew"`,
            `if [ -e ${ccfg} ]; then meta=$(stat -c '%a %u:%g' ${ccfg}); chmod "\${meta% *}" "$ccfgnew"; chown "\${meta#* }" "$ccfgnew"; else chmod 0644 "$ccfgnew"; fi`,
          ]
        : []),
      `counts() { docker info --format '{{.Images}} images, {{.Containers}} containers'; }`,
      `tree() { ${tree}; }`,
      ...copy,
      // An earlier move cut off (connection lost) may have left docker stopped on the old root.
      `if ! docker info >/dev/null 2>&1; then ${c ? 'systemctl start containerd.service; ' : ''}systemctl start docker.socket 2>/dev/null || true; systemctl start docker.service; fi`,
      'before=$(counts)',
      'ids=$(docker ps -q)',
      'switched=; bak=; cswitched=; cbak=',
      // Any failure from here on: the old config back, containerd and docker started on the old roots, the containers too.
      'back() {',
      '  rc=$?',
      '  trap - EXIT',
      '  rm -f "$cfgnew" ${ccfgnew:+"$ccfgnew"}',
      '  [ "$rc" -ne 0 ] || return 0',
      `  if [ -n "$switched" ]; then if [ -n "$bak" ]; then cp -p "$bak" ${cfg}; else rm -f ${cfg}; fi; systemctl stop docker.socket docker.service 2>/dev/null || true; fi`,
      c && `  if [ -n "$cswitched" ]; then if [ -n "$cbak" ]; then cp -p "$cbak" ${ccfg}; else rm -f ${ccfg}; fi; fi`,
      c && '  systemctl restart containerd.service || true',
      '  systemctl reset-failed docker.service 2>/dev/null || true',
      '  systemctl start docker.socket 2>/dev/null || true; systemctl start docker.service || true',
      '  if [ -n "$ids" ]; then docker start $ids >/dev/null 2>&1 || true; fi',
      `  echo "the data root was not moved: docker runs on $old again (the partial copy in $new is redone by the next run)" >&2`,
      '  exit "$rc"',
      '}',
      'trap back EXIT',
      "trap 'exit 1' HUP INT TERM",
      progressEcho(`stopping ${m.running ?? 'the running'} container(s), docker.socket and docker.service${c ? ', containerd.service' : ''}`),
      'if [ -n "$ids" ]; then docker stop $ids >/dev/null; fi',
      'systemctl stop docker.socket 2>/dev/null || true',
      'systemctl stop docker.service',
      c && 'systemctl stop containerd.service',
      // A mount left below an old root (a volume on its own disk) would not be copied (-x): stop here.
      mountedBelow('$old', m.from),
      c && mountedBelow('$cold', c.from),
      '[ -d "$new" ] || install -d -m 0710 "$new"',
      ': > "$marker"',
      `find "$new" -mindepth 1 -maxdepth 1 ! -name ${shQuote(MOVE_MARKER)} -exec rm -rf -- {} +`,
      progressEcho(`copying ${humanKiB(m.usedKiB)} from ${m.from} to ${m.to}`),
      'copy "$old" "$new"',
      // Containers record absolute paths into the data root (a volume's source, their log, hosts and
      // resolv.conf files); dockerd does not recompute them, and a container would fail to start
      // ("error evaluating symlinks from mount source"). Only those keys, in the copy only.
      `for f in "$new"/containers/*/config.v2.json; do [ -f "$f" ] || continue; ${containerPathsRewrite(m.from, m.to, '"$f"')}; done`,
      ...(c ? [progressEcho(`copying ${humanKiB(c.usedKiB)} from ${c.from} to ${c.to}`), 'install -d -m 0711 "$cnew"', 'copy "$cold" "$cnew"'] : []),
      `if [ -e ${cfg} ]; then bak=${cfg}".bak-${stamp}"; cp -p ${cfg} "$bak"; fi`,
      c && `if [ -e ${ccfg} ]; then cbak=${ccfg}".bak-${stamp}"; cp -p ${ccfg} "$cbak"; fi`,
      'sync',
      c && `mv -f "$ccfgnew" ${ccfg}; cswitched=1`,
      `mv -f "$cfgnew" ${cfg}`,
      'switched=1',
      c && 'systemctl start containerd.service',
      'systemctl reset-failed docker.service 2>/dev/null || true',
      'systemctl start docker.socket 2>/dev/null || true',
      'systemctl start docker.service',
      'i=0',
      `until docker info >/dev/null 2>&1; do i=$((i + 1)); if [ "$i" -ge 60 ]; then ${fail('the daemon did not answer within 60s on the new root')}; fi; sleep 1; done`,
      `root=$(docker info --format '{{.DockerRootDir}}')`,
      `if [ "$root" != "$new" ]; then echo "docker info says DockerRootDir $root, expected $new" >&2; exit 1; fi`,
      // containerd holds its metadata database open: positive evidence of the root it runs on.
      c && `cpid=$(systemctl show -p MainPID --value containerd.service)`,
      c && `if ! ls -l /proc/"$cpid"/fd 2>/dev/null | grep -qF -- "-> $cnew/io.containerd.metadata.v1.bolt/meta.db"; then echo "containerd (pid $cpid) does not run on $cnew" >&2; exit 1; fi`,
      'after=$(counts)',
      `if [ "$after" != "$before" ]; then echo "docker info shows $after on the new root, $before before" >&2; exit 1; fi`,
      'trap - EXIT HUP INT TERM',
      'rm -f "$marker"',
      `keep="$old"${shQuote(MOVED_SUFFIX)}"${stamp}"`,
      'mv "$old" "$keep"',
      c && `ckeep="$cold"${shQuote(MOVED_SUFFIX)}"${stamp}"; mv "$cold" "$ckeep"; echo "containerd runs on $cnew; its old root is kept as $ckeep"`,
      ...pruneBackupsLines(`${path}.bak-`, opts.backupsKept),
      `if [ -n "$ids" ] && ! docker start $ids >/dev/null; then echo 'some of the containers stopped for the move did not start again: see docker ps -a' >&2; fi`,
      'echo "moved: docker runs on $new with $after; the old root is kept as $keep (remove it once the host works)"',
    ),
  };
}
