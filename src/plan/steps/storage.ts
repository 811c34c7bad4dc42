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
import { dataRootMoveCommand, UNSUPPORTED_BACKING } from '../daemon-data-root.js';
import { majorOf, planDaemonSettings } from '../daemon-settings.js';
import type { PlannedCommand } from '../model.js';
import { pruneBackupsLines, script, writeFileLines } from '../script.js';
import { change, ok, rootCommand, type StepResult } from './result.js';
import type { PlanState, StorageWork } from './state.js';
import { daemonJsonFunction } from './daemon-json-shell.js';
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
    // The rendered merge (dh_daemon_json) writes the storage keys only: judge the facts by those.
    return storageWork({ ...ctx, daemon: {}, facts });
  } catch {
    return 'refused';
  }
}

/**
 * Shell line setting $snap: 1 when the engine is (or may be) 29 or newer — the containerd store must
 * be turned off explicitly — from --docker-version when pinned, else the installed dockerd.
 */
function snapshotterLine(ctx: Target): string {
  const pinned = majorOf(ctx.dockerVersion?.replace(/^\d+:/, ''));
  if (pinned !== undefined) return `snap=${pinned >= 29 ? 1 : 0}`;
  return `snap=1; m=$(dockerd --version 2>/dev/null | sed -n 's/^Docker version \\([0-9][0-9]*\\)\\..*/\\1/p'); if [ -n "$m" ] && [ "$m" -lt 29 ]; then snap=0; fi`;
}

export function storageHelpers(): string[] {
  return daemonJsonFunction();
}

/** Before any change: refuse (exit 4) when daemon.json exists but cannot be merged safely. */
export function storagePreflight(ctx: Target): Preflight[] {
  const params = ctx.step('storage');
  if (!params) return [];
  return [
    {
      what: `${DAEMON_JSON} can be merged safely`,
      shell: `${snapshotterLine(ctx)}; rc=0; dh_daemon_json ${shQuote(DAEMON_JSON)} ${shQuote(params.driver)} "$snap" >/dev/null || rc=$?; [ "$rc" -ne 4 ]`,
      refusal: `${DAEMON_JSON} cannot be merged safely (see above): nothing was changed; fix the file, then run again`,
      exitCode: 4,
    },
  ];
}

export function storageTasks(ctx: Target): HostTask[] {
  const params = ctx.step('storage');
  if (!params) return [];
  const driver = params.driver;
  const f = shQuote(DAEMON_JSON);
  const merge = `dh_daemon_json ${f} ${shQuote(driver)} "$snap"`;
  return [
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
      summary: `merge storage-driver ${driver} into ${DAEMON_JSON} (other keys kept, backup, validate, atomic replace)`,
      test: {
        what: `${DAEMON_JSON} sets ${driver}`,
        shell: `${snapshotterLine(ctx)}; rc=0; ${merge} >/dev/null 2>&1 || rc=$?; [ "$rc" -eq 3 ]`,
        holds: (facts) => {
          const w = workFromFacts(ctx, facts);
          return w === 'refused' ? undefined : w?.daemonJson === undefined;
        },
      },
      action: [
        snapshotterLine(ctx),
        'rc=0',
        `new=$(${merge}) || rc=$?`,
        `if [ "$rc" -eq 3 ]; then exit 0; fi`,
        `if [ "$rc" -ne 0 ]; then echo ${shQuote(`${DAEMON_JSON} cannot be merged safely; it is left as it is: fix it by hand (keep "storage-driver": "${driver}"), then run again`)} >&2; exit 4; fi`,
        ...writeFileLines(DAEMON_JSON, '', {
          contentFrom: `printf '%s\\n' "$new"`,
          keepOwnerAndMode: true,
          beforeRename: [
            `if command -v dockerd >/dev/null 2>&1 && dockerd --help 2>&1 | grep -q -- '--validate'; then dockerd --validate --config-file "$tmp" >/dev/null; fi`,
            `if [ -e ${f} ]; then cp -p ${f} ${f}".bak-$(date -u +%Y%m%dT%H%M%SZ)"; echo "saved the old ${DAEMON_JSON} as ${DAEMON_JSON}.bak-<time>"; fi`,
          ],
        }),
        ...pruneBackupsLines(`${DAEMON_JSON}.bak-`, DAEMON_JSON_BACKUPS_KEPT),
      ],
      changesDaemonConfig: true,
      notes: [`other keys in ${DAEMON_JSON} are kept; the old file is saved as ${DAEMON_JSON}.bak-<time>`],
    },
  ];
}
