/**
 * Step 6: the overlay2 storage driver. Checks what overlay2 needs (kernel, overlay filesystem,
 * d_type on the backing filesystem), loads and persists the module where needed, and merges
 * "storage-driver" into /etc/docker/daemon.json — keeping every other key, backing the old file up,
 * validating the new one and refusing to act if the file changed since the plan was made.
 *
 * Engine ≥ 29 uses the containerd image store (overlayfs snapshotter) on fresh installs. dockhand
 * keeps the classic overlay2 graph driver — what `docker info` reports as overlay2 and what existing
 * hosts and tooling expect — so it writes "features": {"containerd-snapshotter": false} explicitly
 * whenever the engine is (or, on a fresh install, may be) 29 or newer.
 */
import { DockhandError, ExitCode } from '../../core/errors.js';
import { shQuote } from '../../shell/quote.js';
import type { PlanContext } from '../context.js';
import { contentHash, DAEMON_JSON, parseDaemonJson } from '../daemon-json.js';
import { DEFAULT_DOCKER_ROOT } from '../../facts/areas/docker.js';
import { STORAGE_DRIVERS } from '../../facts/areas/storage.js';
import { dataRootMoveCommand, UNSUPPORTED_BACKING } from '../daemon-data-root.js';
import { planDaemonSettings, PROXY_DROPIN } from '../daemon-settings.js';
import type { PlannedCommand } from '../model.js';
import { pruneBackupsLines, script, writeFileLines } from '../script.js';
import { change, ok, rootCommand, type StepResult } from './result.js';
import type { PlanState, StorageWork } from './state.js';
import { daemonJsonFunction, wantsFunction } from './daemon-json-shell.js';
import type { HostTask, Preflight, Target } from './task.js';

export type { StorageWork };


function planError(ctx: PlanContext, message: string, hint: string): DockhandError {
  return new DockhandError(`${ctx.facts.host}: ${message}`, { exitCode: ExitCode.hostFailed, hint });
}

/** Pure analysis; throws a typed error when overlay2 cannot work or would hide existing data. */
export function storageWork(ctx: PlanContext): StorageWork | undefined {
  const params = ctx.step('storage');
  if (!params) return undefined;
  const { facts } = ctx;
  const driver = params.driver;
  if (facts.kernel.major < 4) {
    throw planError(ctx, `kernel ${facts.kernel.release} is too old for ${driver} (needs 4.0 or newer)`, 'upgrade the kernel first');
  }
  const root = facts.dockerRoot;
  if (root.dType === false || (root.fsType !== undefined && UNSUPPORTED_BACKING.has(root.fsType))) {
    throw planError(
      ctx,
      `${root.path} is on ${root.fsType ?? 'a filesystem'}${root.dType === false ? ' without d_type support' : ''}; ${driver} cannot run there`,
      'put the Docker data root on ext4, or xfs formatted with ftype=1 (daemon.json "data-root")',
    );
  }
  const inContainer = facts.init.container !== undefined;
  if (!facts.overlay.supported && inContainer) {
    throw planError(ctx, `the overlay filesystem is not available and this host is a ${facts.init.container} container`, 'load the overlay module on the container host');
  }
  const loadModule = !facts.overlay.supported;
  // A built-in overlay (supported, no module) needs nothing; containers cannot load modules anyway.
  const persistModule = !inContainer && !facts.overlay.persisted && (facts.overlay.moduleLoaded || loadModule);

  const settings = planDaemonSettings(
    {
      facts,
      options: ctx.daemon,
      driver,
      dockerVersion: ctx.dockerVersion,
      hasSystemd: ctx.serviceManager.kind === 'systemd',
      allowStorageSwitch: ctx.allowStorageSwitch,
    },
    parseDaemonJson(facts.daemonJson),
    facts.daemonJson.exists ? contentHash(facts.daemonJson.content ?? '') : 'absent',
  );
  const { daemonJson } = settings;
  if (!daemonJson && !settings.proxyDropIn && !loadModule && !persistModule) return undefined;
  return { daemonJson, loadModule, persistModule, settings };
}

/** Backups of daemon.json kept (`daemon.json.bak-<UTC time>`, newest first); older ones are deleted. */
export const DAEMON_JSON_BACKUPS_KEPT = 5;

/** Exported with the path as a parameter so an integration test can run it on a temp file. */
export function daemonJsonCommand(content: string, previousHash: string, path = DAEMON_JSON): PlannedCommand {
  const f = shQuote(path);
  return rootCommand(
    `merge into ${path} (backup, validate, atomic replace)`,
    script(
      // Refuse if someone changed the file after the plan was made: never overwrite unseen edits.
      `if [ -e ${f} ]; then now=$(printf '%s' "$(cat ${f})" | sha256sum | cut -d ' ' -f 1); else now=absent; fi`,
      `if [ "$now" != ${shQuote(previousHash)} ]; then echo ${shQuote(`${path} changed since the plan was made; run dockhand again`)} >&2; exit 1; fi`,
      ...writeFileLines(path, content, {
        keepOwnerAndMode: true,
        beforeRename: [
          // dockerd ≥ 23 can check a config without starting; the JSON itself was produced by JSON.stringify.
          `if command -v dockerd >/dev/null 2>&1 && dockerd --help 2>&1 | grep -q -- '--validate'; then dockerd --validate --config-file "$tmp" >/dev/null; fi`,
          `if [ -e ${f} ]; then cp -p ${f} ${f}".bak-$(date -u +%Y%m%dT%H%M%SZ)"; fi`,
        ],
      }),
      ...pruneBackupsLines(`${path}.bak-`, DAEMON_JSON_BACKUPS_KEPT),
    ),
  );
}

export function storage(ctx: PlanContext, { storage: work }: PlanState): StepResult {
  const driver = ctx.step('storage')?.driver ?? 'overlay2';
  if (!work) return ok(`${DAEMON_JSON} sets ${driver}; overlay available`);
  const commands: PlannedCommand[] = [];
  const reasons: string[] = [];
  if (work.loadModule) {
    reasons.push('overlay filesystem not loaded');
    commands.push(rootCommand('load the overlay module', script('modprobe overlay')));
  }
  if (work.persistModule) {
    reasons.push('overlay module not loaded at boot');
    commands.push(rootCommand('load overlay at boot', script(...ctx.serviceManager.loadModuleAtBoot('overlay'))));
  }
  // The proxy drop-in first: a data-root move restarts docker itself, and should start it with the drop-in.
  if (work.settings?.proxyDropIn) {
    const { path, content } = work.settings.proxyDropIn;
    reasons.push(`${path}: the daemon's proxy`);
    commands.push(rootCommand(`write ${path} (the daemon's proxy)`, script(...writeFileLines(path, content, { mode: '0600' }), 'systemctl daemon-reload')));
  }
  const move = work.settings?.move;
  if (work.daemonJson) {
    reasons.push(`${DAEMON_JSON}: ${work.daemonJson.changes.join(', ')}`);
    commands.push(move ? dataRootMoveCommand(move, work.daemonJson, { backupsKept: DAEMON_JSON_BACKUPS_KEPT }) : daemonJsonCommand(work.daemonJson.content, work.daemonJson.previousHash));
  }
  const notes = [
    ...(work.settings?.notes ?? []),
    ...(work.daemonJson && ctx.facts.daemonJson.exists ? [`other keys in ${DAEMON_JSON} are kept; the old file is saved as ${DAEMON_JSON}.bak-<time> (the newest ${DAEMON_JSON_BACKUPS_KEPT} backups are kept)`] : []),
  ];
  return change(reasons.join('; '), commands, { notes, ...(move ? { restartsDocker: true } : {}) });
}

/** Shell: this host is a container (the facts' init.container: systemd's marker, podman's, PID 1's environment). */
const IN_CONTAINER =
  "[ -s /run/systemd/container ] || [ -e /run/.containerenv ] || tr '\\000' '\\n' < /proc/1/environ 2>/dev/null | grep -q '^container='";
const OVERLAY_SUPPORTED = "grep -Eq '(^|[[:space:]])overlay$' /proc/filesystems";
const OVERLAY_MODULE = "{ [ -d /sys/module/overlay ] || grep -q '^overlay ' /proc/modules; }";
const OVERLAY_PERSISTED =
  "cat /etc/modules-load.d/*.conf /usr/lib/modules-load.d/*.conf /lib/modules-load.d/*.conf /etc/modules 2>/dev/null | grep -Eq '^overlay([[:space:]]|$)'";

/** The facts-side analysis, or undefined when it refuses (the plan then fails; the script decides on the host). */
function workFromFacts(ctx: Target, facts: PlanContext['facts']): StorageWork | undefined | 'refused' {
  try {
    return storageWork({ ...ctx, facts });
  } catch {
    return 'refused';
  }
}

/** The options ask for the daemon's proxy: under systemd it may be a drop-in (engines before daemon.json "proxies"). */
const proxied = (ctx: Target) => ctx.serviceManager.kind === 'systemd' && (ctx.daemon.proxy !== undefined || ctx.daemon.noProxy !== undefined);

export function storageHelpers(ctx: Target): string[] {
  const params = ctx.step('storage');
  return params ? [...daemonJsonFunction(), ...wantsFunction(ctx, params.driver)] : daemonJsonFunction();
}

/** The script's exit code when the host cannot run the storage wanted, or a switch would hide data (README "render"). */
export const STORAGE_REFUSED_EXIT = 6;

/** Shell: $r the data root (daemon.json's data-root, else the default), $d its nearest existing directory. */
const DATA_ROOT_LINES = [
  `r=$(sed -n 's/.*"data-root"[[:space:]]*:[[:space:]]*"\\([^"]*\\)".*/\\1/p' ${shQuote(DAEMON_JSON)} 2>/dev/null | head -n 1); r=\${r:-${DEFAULT_DOCKER_ROOT}}`,
  'd=$r; while [ ! -d "$d" ]; do d=${d%/*}; [ -n "$d" ] || d=/; done',
];

/**
 * The plan's up-front refusals (storageWork, refuseHidingData), checked on the host before any step:
 * a kernel too old for overlay2, a data root on a filesystem overlay2 cannot use (overlay, aufs, zfs,
 * btrfs, xfs without d_type), and a storage driver / image store switch that would hide the images
 * and containers of the current one (DOCKHAND_ALLOW_STORAGE_SWITCH=1 allows it, as
 * --allow-storage-switch does for `up`). Unknown (no findmnt/stat, no docker): not refused, as the plan.
 */
function storageRefusals(ctx: Target, driver: string): Preflight[] {
  const store = ctx.daemon.imageStore ?? 'overlay2';
  // The directory the wanted store keeps its data in (overlayfs: containerd's snapshotter).
  const target = store === 'containerd' ? 'overlayfs' : driver;
  const others = [...STORAGE_DRIVERS, 'overlayfs'].filter((x) => x !== target);
  const dataOf = (x: string) =>
    x === 'overlayfs'
      ? '"$r/containerd/daemon/io.containerd.snapshotter.v1.overlayfs/snapshots"'
      : `"$r/"${shQuote(x)}`;
  return [
    {
      what: `the kernel is new enough for ${driver}`,
      shell: `k=$(uname -r); m=\${k%%.*}; case $m in ''|*[!0-9]*) exit 0 ;; esac; [ "$m" -ge 4 ] || { echo "this host runs kernel $k" >&2; exit 1; }`,
      refusal: `the kernel is too old for ${driver} (needs 4.0 or newer): nothing was changed; upgrade the kernel first`,
      exitCode: STORAGE_REFUSED_EXIT,
    },
    {
      what: `the data root is on a filesystem ${driver} can use`,
      shell: [
        ...DATA_ROOT_LINES,
        't=$(findmnt -n -o FSTYPE -T "$d" 2>/dev/null | head -n 1); [ -n "$t" ] || t=$(stat -f -c %T "$d" 2>/dev/null)',
        `case $t in ${[...UNSUPPORTED_BACKING].join('|')}) echo "$r is on $t" >&2; exit 1 ;; esac`,
        'if [ "$t" = xfs ] && command -v xfs_info >/dev/null 2>&1; then',
        '  mnt=$(findmnt -n -o TARGET -T "$d" 2>/dev/null | head -n 1)',
        '  if xfs_info "${mnt:-$d}" 2>/dev/null | grep -q "ftype=0"; then echo "$r is on xfs formatted without d_type (ftype=0)" >&2; exit 1; fi',
        'fi',
      ].join('\n'),
      refusal: `${driver} cannot run on the filesystem of the Docker data root (see above): nothing was changed; put it on ext4, or xfs formatted with ftype=1`,
      exitCode: STORAGE_REFUSED_EXIT,
    },
    {
      what: 'no images or containers would be hidden by a storage switch',
      shell: [
        '[ -z "${DOCKHAND_ALLOW_STORAGE_SWITCH:-}" ] || exit 0',
        // The running daemon knows best: its driver, and what it holds (a stopped one is not asked:
        // docker info would socket-activate it).
        "if { pidof dockerd || pgrep -x dockerd; } >/dev/null 2>&1 && drv=$(docker info --format '{{.Driver}}' 2>/dev/null) && [ -n \"$drv\" ]; then",
        `  case $drv in ${shQuote(target)}) exit 0 ;; esac`,
        "  n=$(docker info --format '{{.Images}} image(s) and {{.Containers}} container(s)' 2>/dev/null)",
        "  case $n in '0 image(s) and 0 container(s)'|'') exit 0 ;; esac",
        '  echo "the running daemon uses the $drv driver and holds $n" >&2; exit 1',
        'fi',
        ...DATA_ROOT_LINES,
        `for x in ${others.map(shQuote).join(' ')}; do`,
        `  case $x in overlayfs) p=${dataOf('overlayfs')} ;; *) p="$r/$x" ;; esac`,
        '  if [ -n "$(ls -A "$p" 2>/dev/null)" ]; then echo "$p holds data of the $x store" >&2; exit 1; fi',
        'done',
      ].join('\n'),
      refusal: `switching to ${store === 'containerd' ? "containerd's image store" : `the ${driver} driver`} would hide the images and containers above (they stay on disk, unseen): nothing was changed; save what you need (docker save / docker export), or run with DOCKHAND_ALLOW_STORAGE_SWITCH=1`,
      exitCode: STORAGE_REFUSED_EXIT,
    },
  ];
}

/** Before any change: the storage refusals, then exit 4 when daemon.json exists but cannot be merged safely, or the engine cannot do what is asked. */
export function storagePreflight(ctx: Target): Preflight[] {
  const params = ctx.step('storage');
  if (!params) return [];
  const o = ctx.daemon;
  const rotation = o.logMaxSize !== undefined || o.logMaxFile !== undefined;
  return [
    ...storageRefusals(ctx, params.driver),
    // The plan's refuseLogOptsForOtherDrivers on the host's own file (a wanted log-driver was judged when rendering).
    ...(rotation && o.settings?.['log-driver'] === undefined
      ? [
          {
            what: 'log rotation applies to the log driver daemon.json sets',
            shell: `ld=$(sed -n 's/.*"log-driver"[[:space:]]*:[[:space:]]*"\\([^"]*\\)".*/\\1/p' ${shQuote(DAEMON_JSON)} 2>/dev/null | head -n 1); case $ld in ''|json-file|local) ;; *) echo "${DAEMON_JSON} sets log-driver $ld" >&2; exit 1 ;; esac`,
            refusal: '--log-max-size/--log-max-file apply to the json-file and local log drivers (see above): nothing was changed; rotate with that driver\'s own settings (--daemon-opt log-opts.…), or switch with --daemon-opt log-driver=local',
            exitCode: 4,
          },
        ]
      : []),
    {
      what: `${DAEMON_JSON} can be merged safely`,
      shell: `dh_wants || exit 4; rc=0; dh_daemon_json ${shQuote(DAEMON_JSON)} >/dev/null || rc=$?; [ "$rc" -ne 4 ]`,
      refusal: `${DAEMON_JSON} cannot be merged safely, or the daemon settings asked for cannot be made (see above): nothing was changed; fix it, then run again`,
      exitCode: 4,
    },
  ];
}

/** A line recording, for the services step, what this run changed in the daemon's configuration. */
const recordChanged = (what: string) => `printf '%s\\n' ${what} >> "$dh_state/changed-keys"`;

export function storageTasks(ctx: Target): HostTask[] {
  const params = ctx.step('storage');
  if (!params) return [];
  const driver = params.driver;
  const f = shQuote(DAEMON_JSON);
  const merge = `dh_daemon_json ${f}`;
  const keys = describeWanted(ctx);
  const tasks: HostTask[] = [
    {
      summary: 'load the overlay module',
      test: { what: 'the overlay filesystem is available', shell: OVERLAY_SUPPORTED, holds: (facts) => facts.overlay.supported },
      action: ['modprobe overlay'],
    },
    {
      summary: 'load overlay at boot',
      test: {
        what: 'overlay is loaded at boot (or built in, or this is a container)',
        shell: `${IN_CONTAINER} || ${OVERLAY_PERSISTED} || { ! ${OVERLAY_MODULE} && ${OVERLAY_SUPPORTED}; }`,
        holds: (facts) => {
          const w = workFromFacts(ctx, facts);
          return w === 'refused' ? undefined : !w?.persistModule;
        },
      },
      action: ctx.serviceManager.loadModuleAtBoot('overlay'),
    },
    {
      summary: `merge ${keys} into ${DAEMON_JSON} (other keys kept, backup, validate, atomic replace)`,
      test: {
        what: `${DAEMON_JSON} sets ${keys}`,
        shell: `dh_wants >/dev/null 2>&1 || exit 1; rc=0; ${merge} >/dev/null 2>&1 || rc=$?; [ "$rc" -eq 3 ]`,
        holds: (facts) => {
          const w = workFromFacts(ctx, facts);
          return w === 'refused' ? undefined : w?.daemonJson === undefined;
        },
      },
      action: [
        'dh_wants || exit 4',
        'rc=0',
        `new=$(${merge}) || rc=$?`,
        `if [ "$rc" -eq 3 ]; then exit 0; fi`,
        `if [ "$rc" -ne 0 ]; then echo ${shQuote(`${DAEMON_JSON} cannot be merged safely; it is left as it is: fix it by hand (keep "storage-driver": "${driver}"), then run again`)} >&2; exit 4; fi`,
        `changed=$(${merge} keys)`,
        ...writeFileLines(DAEMON_JSON, '', {
          contentFrom: `printf '%s\\n' "$new"`,
          keepOwnerAndMode: true,
          beforeRename: [
            `if command -v dockerd >/dev/null 2>&1 && dockerd --help 2>&1 | grep -q -- '--validate'; then dockerd --validate --config-file "$tmp" >/dev/null; fi`,
            `if [ -e ${f} ]; then cp -p ${f} ${f}".bak-$(date -u +%Y%m%dT%H%M%SZ)"; echo "saved the old ${DAEMON_JSON} as ${DAEMON_JSON}.bak-<time>"; fi`,
          ],
        }),
        `echo "changed in ${DAEMON_JSON}: $(printf '%s' "$changed" | tr '\\n' ' ')"`,
        recordChanged('"$changed"'),
        ...pruneBackupsLines(`${DAEMON_JSON}.bak-`, DAEMON_JSON_BACKUPS_KEPT),
      ],
      changesDaemonConfig: true,
      notes: [`other keys in ${DAEMON_JSON} are kept; the old file is saved as ${DAEMON_JSON}.bak-<time>`],
    },
  ];
  if (proxied(ctx)) {
    const p = shQuote(PROXY_DROPIN);
    tasks.push({
      summary: `write ${PROXY_DROPIN} (the daemon's proxy, for engines before daemon.json "proxies")`,
      test: {
        what: `the daemon's proxy as asked (daemon.json "proxies", or ${PROXY_DROPIN} for older engines)`,
        shell: `dh_wants >/dev/null 2>&1 || exit 1; [ -z "$dh_dropin" ] || printf '%s' "$dh_dropin" | cmp -s - ${p}`,
        holds: (facts) => {
          const w = workFromFacts(ctx, facts);
          return w === 'refused' ? undefined : w?.settings?.proxyDropIn === undefined;
        },
      },
      action: [
        'dh_wants || exit 4',
        '[ -n "$dh_dropin" ] || exit 0',
        ...writeFileLines(PROXY_DROPIN, '', { contentFrom: `printf '%s' "$dh_dropin"`, mode: '0600' }),
        'systemctl daemon-reload',
        recordChanged('proxy-drop-in'),
      ],
      changesDaemonConfig: true,
    });
  }
  return tasks;
}

/** The daemon.json keys the options set, for the task's words ("storage-driver overlay2, log-opts.max-size, …"). */
function describeWanted(ctx: Target): string {
  const driver = ctx.step('storage')?.driver ?? 'overlay2';
  const o = ctx.daemon;
  const words = [o.imageStore === 'containerd' ? 'the containerd image store' : `storage-driver ${driver}`];
  if (o.logMaxSize !== undefined || o.logMaxFile !== undefined) words.push('log rotation');
  if (o.liveRestore !== undefined) words.push('live-restore');
  if (o.registryMirrors !== undefined) words.push('registry-mirrors');
  if (o.proxy !== undefined || o.noProxy !== undefined) words.push('the proxy');
  for (const k of Object.keys(o.settings ?? {})) words.push(k);
  return words.join(', ');
}
