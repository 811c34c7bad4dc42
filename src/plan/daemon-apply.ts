/**
 * How a daemon configuration change reaches the running daemon with the least disruption: when every
 * changed key is one dockerd reloads on SIGHUP, a reload (containers untouched, same PID), checked
 * through `docker info`; otherwise exactly one restart, with the plan saying how many running
 * containers it affects and whether live-restore keeps them up. Pure.
 */
import { normalizeMirror } from '../core/daemon-values.js';
import type { Facts } from '../facts/types.js';
import { shQuote } from '../shell/quote.js';
import type { DaemonChange, DaemonSettingsPlan } from './daemon-settings.js';
import type { PlannedCommand } from './model.js';
import { fail, script } from './script.js';

const rootCommand = (summary: string, text: string): PlannedCommand => ({ summary, script: text, sudo: true });

/**
 * Top-level daemon.json keys dockerd applies on SIGHUP as a whole (moby daemon/reload.go, and the
 * CLI's reload of the authorization plugins); everything else — log-driver and log-opts among them —
 * needs a restart. The rendered script matches changed top-level keys against this list.
 */
export const RELOADABLE_KEYS: ReadonlySet<string> = new Set([
  'debug',
  'labels',
  'live-restore',
  'max-concurrent-downloads',
  'max-concurrent-uploads',
  'max-download-attempts',
  'shutdown-timeout',
  'insecure-registries',
  'registry-mirrors',
  'allow-nondistributable-artifacts',
  'default-runtime',
  'runtimes',
  'authorization-plugins',
]);

/**
 * Also reloaded, judged by the plan's dotted keys only (the rendered script sees top-level keys and
 * restarts for them, the safe side): network-diagnostic-port, and `features.*` except the image store
 * (features.containerd-snapshotter is reloaded into the config but read only when dockerd starts).
 */
const RELOADABLE_MORE: ReadonlySet<string> = new Set(['network-diagnostic-port']);
const READ_AT_START: ReadonlySet<string> = new Set(['features', 'features.containerd-snapshotter']);

export const isReloadable = (c: DaemonChange) => {
  const top = c.key.split('.')[0]!;
  if (RELOADABLE_KEYS.has(top) || RELOADABLE_MORE.has(top)) return true;
  return top === 'features' && !READ_AT_START.has(c.key);
};

/**
 * What log rotation means for the containers running now: daemon log settings are the defaults of
 * containers created afterwards; a running one keeps the log config it was created with.
 */
export function logSettingsNote(facts: Facts, changes: readonly DaemonChange[]): string | undefined {
  const log = changes.filter((c) => c.key === 'log-driver' || c.key === 'log-opts' || c.key.startsWith('log-opts.'));
  if (log.length === 0) return undefined;
  const running = facts.daemonInfo?.containersRunning;
  const driver = log.find((c) => c.key === 'log-driver')?.from ?? facts.daemonInfo?.logDriver ?? 'json-file';
  const size = changes.find((c) => c.key === 'log-opts.max-size');
  // The old defaults had no max-size for json-file: what the running containers got is unbounded.
  const unbounded = driver === 'json-file' && size !== undefined && size.from === undefined;
  const who =
    running === undefined
      ? 'the running containers (docker info did not say how many)'
      : `${running} running container${running === 1 ? '' : 's'}`;
  if (running === 0) return 'log-driver/log-opts are read when dockerd starts (SIGHUP does not reload them) and apply to containers created afterwards; no container is running';
  return (
    `log-driver/log-opts are read when dockerd starts (SIGHUP does not reload them) and apply to containers created afterwards: ${who} ` +
    `${running === 1 ? 'keeps' : 'keep'} the log config ${running === 1 ? 'it was' : 'they were'} created with` +
    `${unbounded ? ' (json-file without max-size: unbounded, unless set with --log-opt at docker run)' : ''}; recreate ${running === 1 ? 'it' : 'them'} to rotate`
  );
}

export interface DaemonApply {
  mode: 'reload' | 'restart';
  /** One line for the step's reason. */
  reason: string;
  /** What the user must know (containers affected). */
  notes: string[];
  /** Restart only: reload first, so live-restore (being turned on) already holds when dockerd stops. */
  reloadFirst: boolean;
  /** Shell conditions that hold once the running daemon uses the new settings (docker info). */
  checks: Array<{ what: string; condition: string }>;
}

/**
 * The decision for a running daemon (callers restart as before when the engine was just installed:
 * nothing runs on it yet). `extraRestart`: a change outside daemon.json that only a restart applies
 * (the proxy drop-in).
 */
export function decideApply(facts: Facts, changes: readonly DaemonChange[], extraRestart?: string): DaemonApply | undefined {
  if (changes.length === 0 && !extraRestart) return undefined;
  const checks = reloadChecks(changes);
  const needRestart = changes.filter((c) => !isReloadable(c)).map((c) => c.key);
  if (extraRestart) needRestart.push(extraRestart);
  if (needRestart.length === 0) {
    return {
      mode: 'reload',
      reason: `reload docker (${changes.map((c) => c.key).join(', ')} apply on SIGHUP; containers and dockerd's PID unchanged)`,
      notes: [],
      reloadFirst: false,
      checks,
    };
  }
  const info = facts.daemonInfo;
  const turningOn = changes.some((c) => c.key === 'live-restore' && c.to === true);
  const liveRestore = turningOn || (info?.liveRestore === true && !changes.some((c) => c.key === 'live-restore' && c.to === false));
  const running = info?.containersRunning;
  const who =
    running === undefined
      ? 'running containers: unknown (docker info did not answer this user)'
      : `${running} running container${running === 1 ? '' : 's'}`;
  const one = running === 1;
  const effect =
    running === 0
      ? 'no container is running'
      : liveRestore
        ? `${who} ${one ? 'keeps' : 'keep'} running (live-restore${turningOn ? ', reloaded in first' : ''})`
        : `${who} ${one ? 'stops' : 'stop'}, and only those with a restart policy start again (live-restore is off)`;
  const logNote = logSettingsNote(facts, changes);
  return {
    mode: 'restart',
    reason: `restart docker once (${needRestart.join(', ')} need${needRestart.length === 1 ? 's' : ''} a restart)`,
    notes: [`restarts dockerd once: ${effect}`, ...(logNote ? [logNote] : [])],
    reloadFirst: turningOn,
    checks,
  };
}

/** What docker info shows of the reloadable keys, as shell conditions. */
export function reloadChecks(changes: readonly DaemonChange[]): DaemonApply['checks'] {
  const out: DaemonApply['checks'] = [];
  for (const c of changes) {
    if (c.key === 'registry-mirrors' && Array.isArray(c.to)) {
      for (const m of c.to as string[]) {
        const url = normalizeMirror(m);
        out.push({ what: `registry mirror ${url}`, condition: `docker info --format '{{range .RegistryConfig.Mirrors}}{{println .}}{{end}}' | grep -qxF ${shQuote(url)}` });
      }
    } else if ((c.key === 'live-restore' || c.key === 'debug') && typeof c.to === 'boolean') {
      const field = c.key === 'debug' ? '.Debug' : '.LiveRestoreEnabled';
      out.push({ what: `${c.key} ${c.to}`, condition: `[ "$(docker info --format '{{${field}}}')" = ${c.to} ]` });
    }
  }
  return out;
}

/**
 * The shell lines of a reload under systemd: `systemctl reload` (the unit's ExecReload sends SIGHUP),
 * or SIGHUP to the unit's main PID when the unit has no ExecReload; elsewhere SIGHUP to dockerd.
 */
export function reloadLines(systemd: boolean): string[] {
  return systemd
    ? ['systemctl reload docker.service 2>/dev/null || kill -HUP "$(systemctl show -p MainPID --value docker.service)"']
    : ['pid=$(pidof dockerd 2>/dev/null || pgrep -x dockerd)', `[ -n "$pid" ] || ${fail('dockerd is not running: nothing to reload')}`, 'kill -HUP $pid'];
}

/** Lines polling docker info (at most `seconds`) until every check holds. */
export function checkLines(checks: DaemonApply['checks'], seconds = 20): string[] {
  if (checks.length === 0) return [];
  return [
    `took() { ${checks.map((c) => c.condition).join(' && ')}; }`,
    'i=0',
    'until took; do',
    '  i=$((i + 1))',
    `  if [ "$i" -ge ${seconds} ]; then ${fail(`the daemon did not take the new settings within ${seconds}s (docker info does not show ${checks.map((c) => c.what).join(', ')}); see its log`)}; fi`,
    '  sleep 1',
    'done',
    `echo ${shQuote(`docker info shows ${checks.map((c) => c.what).join(', ')}`)}`,
  ];
}

export interface ApplyCommands {
  commands: PlannedCommand[];
  reason?: string;
  notes: string[];
  restartsDocker: boolean;
}

/**
 * The services step's part for a changed configuration under systemd. A daemon that may have been
 * (re)started by this run's package install gets the restart it always got (nothing of the user's
 * runs on it yet); a running one gets the least disruptive of reload and restart.
 */
export function applyCommands(
  facts: Facts,
  settings: DaemonSettingsPlan | undefined,
  opts: { configChanged: boolean; running: boolean; packagesChange: boolean },
): ApplyCommands {
  const none: ApplyCommands = { commands: [], notes: [], restartsDocker: false };
  if (!opts.configChanged || !(opts.running || opts.packagesChange)) return none;
  // A deliberate restart is not a crash loop: clear systemd's start-rate counter first, or a few runs
  // in a minute (converge, change a setting, change another) end in start-limit-hit.
  const restartLines = ['systemctl reset-failed docker.service 2>/dev/null || true', 'systemctl try-restart docker.service'];
  const tryRestart = (summary: string, ...lines: string[]) => rootCommand(summary, script(...restartLines, ...lines));
  // A data-root move stopped and started docker with the new daemon.json already (storage step).
  if (settings?.move && !opts.packagesChange) return none;
  if (opts.packagesChange || !settings) {
    return { commands: [tryRestart('restart docker if it is running (new daemon.json)')], reason: 'daemon.json changes: restart docker if running', notes: [], restartsDocker: true };
  }
  const decision = decideApply(facts, settings.changes, settings.proxyDropIn ? 'the proxy drop-in' : undefined);
  if (!decision) return none;
  if (decision.mode === 'reload') {
    return {
      commands: [rootCommand('reload docker (SIGHUP) and check that docker info shows the new settings', script(...reloadLines(true), ...checkLines(decision.checks)))],
      reason: decision.reason,
      notes: decision.notes,
      restartsDocker: false,
    };
  }
  const first = decision.reloadFirst ? [...reloadLines(true), ...checkLines(decision.checks.filter((c) => c.what.startsWith('live-restore')))] : [];
  return {
    commands: [rootCommand('restart docker once (new daemon settings)', script(...first, ...restartLines, ...checkLines(decision.checks, 60)))],
    reason: decision.reason,
    notes: decision.notes,
    restartsDocker: true,
  };
}
