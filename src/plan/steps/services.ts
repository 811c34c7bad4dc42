/**
 * Steps 8–9: the daemon running and enabled under the host's init system (restarted only when this
 * plan changes its configuration), then a check from a fresh login that it answers without sudo.
 */
import type { Facts } from '../../facts/types.js';
import { shJoin, shQuote } from '../../shell/quote.js';
import type { PlanContext } from '../context.js';
import { applyCommands, checkLines, reloadLines, RELOADABLE_KEYS } from '../daemon-apply.js';
import { storageCheckLines } from '../daemon-settings.js';
import type { PlannedCommand } from '../model.js';
import type { ServiceManager } from '../service-managers.js';
import { fail, script } from '../script.js';
import type { PlanState } from './state.js';
import { change, ok, rootCommand, type StepResult } from './result.js';
import { allOf, type HostTask, type Target } from './task.js';
import { settingsChecks } from './daemon-json-shell.js';

/** The units whose failed state the facts report (systemd only), in the order systemctl is given them. */
const STUCK_UNITS = ['docker.service', 'docker.socket', 'containerd.service'] as const;

/** The units an earlier start left failed or start-limited (and not running since). */
function stuckUnits(facts: Facts): string[] {
  return STUCK_UNITS.filter((u) => {
    const state = facts.units[u];
    return state !== undefined && state.activeState !== 'active' && (state.activeState === 'failed' || (state.result !== undefined && state.result !== 'success'));
  });
}

function dockerRunning(ctx: PlanContext): boolean {
  const { facts } = ctx;
  return facts.dockerd !== undefined || facts.units['docker.service']?.activeState === 'active' || facts.serviceRunning?.docker === true;
}

export function services(ctx: PlanContext, { storage, earlier }: PlanState): StepResult {
  const packagesChange = (earlier.find((s) => s.id === 'packages')?.commands.length ?? 0) > 0;
  const names = ctx.step('services')?.services ?? ['docker'];
  const { facts, serviceManager: sm } = ctx;
  // daemon.json changes reach a running daemon through a reload or a restart (daemon-apply.ts). The
  // engine package may have started it during this run (Debian/Ubuntu policy), so a package install
  // counts as "may be running".
  const configChanged = storage?.daemonJson !== undefined || storage?.settings?.proxyDropIn !== undefined;
  let restart = configChanged && (dockerRunning(ctx) || packagesChange);
  const commands: PlannedCommand[] = [];
  const reasons: string[] = [];
  const notes: string[] = [];
  if (sm.exactFacts) {
    // The facts know each unit: act on exactly those that need it.
    const notReady = names.filter((n) => !(sm.running(facts, n) && sm.enabled(facts, n)));
    const units = notReady.map((n) => sm.unit(n));
    // A unit an earlier attempt left failed or start-limited refuses to start until its state is reset.
    const stuck = stuckUnits(facts);
    const reset = stuck.length ? sm.render('reset-failed', stuck) : undefined;
    if (reset) {
      reasons.push(`left failed by an earlier start: ${stuck.join(', ')}`);
      commands.push(rootCommand(`reset the failed state of ${stuck.join(' ')}`, script(reset)));
    }
    const apply = applyCommands(facts, storage?.settings, { configChanged, running: dockerRunning(ctx), packagesChange });
    restart = apply.restartsDocker;
    if (apply.reason) reasons.push(apply.reason);
    commands.push(...apply.commands);
    notes.push(...apply.notes);
    if (notReady.length) {
      reasons.push(`not enabled and running: ${units.join(', ')}`);
      commands.push(rootCommand(`enable and start ${units.join(' ')}`, script(sm.render('enable-now', notReady))));
    }
  } else {
    const running = sm.running(facts, 'docker') === true;
    const notEnabled = names.filter((n) => sm.enabled(facts, n) === false);
    if (restart || !running || notEnabled.length) {
      if (restart) reasons.push('daemon.json changes: restart docker');
      else if (!running) reasons.push('docker is not running');
      if (notEnabled.length) reasons.push(`not enabled at boot: ${notEnabled.join(', ')}`);
      commands.push(hostDecidedStart(sm, names, restart));
    }
  }
  if (commands.length === 0) return ok(`${names.join(', ')} enabled and running`);
  return change(reasons.join('; '), commands, { restartsDocker: restart || undefined, notes });
}

/**
 * Without exact facts the script decides on the host: enable each service at boot where the manager
 * has runlevels, start it unless running, restart docker when its configuration changed.
 */
function hostDecidedStart(sm: ServiceManager, names: readonly string[], restart: boolean): PlannedCommand {
  const start = sm.render('start', ['docker']);
  if (start === undefined) {
    return rootCommand('start docker', script(fail('no init system and no `service` command here: start dockerd yourself, then run dockhand again')));
  }
  // Helper services (containerd) may have no init script: Debian's containerd ships only a systemd
  // unit, and dockerd then starts and supervises a containerd of its own. docker itself must have one.
  const ifInstalled = (n: string, line: string) => (n === 'docker' || !sm.installed ? line : `if ${sm.installed(n)}; then ${line}; fi`);
  const enables = names.flatMap((n) => {
    const line = sm.render('enable', [n]);
    return line === undefined ? [] : [ifInstalled(n, line)];
  });
  const starts = names.map((n) =>
    ifInstalled(n, `if ${sm.isActive(n)} >/dev/null 2>&1; then ${n === 'docker' && restart ? sm.render('restart', [n]) : ':'}; else ${sm.render('start', [n])}; fi`),
  );
  const summary = `${enables.length ? 'enable and start' : 'start'} ${names.join(' ')}${sm.label ? ` (${sm.label})` : ''}`;
  return rootCommand(summary, script(...enables, ...starts));
}

/** The checks verify runs: the daemon answers, each user reaches it from a fresh login, the driver is right. */
function verifyChecks(ctx: Target): Array<{ summary: string; lines: string[] }> {
  const driver = ctx.step('storage')?.driver;
  const checks = [
    {
      summary: 'wait for the daemon to answer',
      lines: [
        'i=0',
        'until docker version >/dev/null 2>&1; do',
        '  i=$((i + 1))',
        `  if [ "$i" -ge 60 ]; then docker version >&2 || true; ${fail('the Docker daemon did not answer within 60s')}; fi`,
        '  sleep 1',
        'done',
      ],
    },
  ];
  // Rootless users reach their own daemon, checked by step rootless; the docker group's members reach this one.
  for (const user of ctx.rootless ? [] : ctx.users) {
    // su -l starts a login session: groups come from the group database, as for the user's next login.
    const inner = shJoin(['docker', 'version', '--format', 'client {{.Client.Version}}, server {{.Server.Version}}']);
    checks.push({
      summary: `docker answers ${user} without sudo (fresh login)`,
      lines: [`su -l -s /bin/sh ${shQuote(user)} -c ${shQuote(inner)} || ${fail(`${user} cannot reach the Docker API without sudo`)}`],
    });
  }
  if (driver) {
    const check = storageCheckLines(ctx.daemon.imageStore ?? 'overlay2', driver, ctx.daemon.dataRoot);
    checks.push(check);
  }
  return checks;
}

/**
 * Fresh-login check: group membership applies, the API answers without sudo, the driver is right.
 * Its commands only check: the step counts as a check, never as a change (issue 14).
 */
export function verify(ctx: PlanContext, { earlier }: PlanState): StepResult {
  const changed = earlier.filter((s) => s.commands.length > 0 && !s.checksOnly).map((s) => s.id);
  if (changed.length === 0) return ok('nothing changed; `dockhand doctor` checks a running host');
  const commands = verifyChecks(ctx).map((c) => rootCommand(c.summary, script(...c.lines)));
  return change(`changed: ${changed.join(', ')}`, commands, { checksOnly: true });
}

export function verifyTasks(ctx: Target): HostTask[] {
  const inner = shJoin(['docker', 'version', '--format', 'client {{.Client.Version}}, server {{.Server.Version}}']);
  const runtime = {
    summary: 'docker answers each user named in DOCKHAND_USERS without sudo (fresh login)',
    lines: [
      `for u in $(printf '%s' "\${DOCKHAND_USERS:-}" | tr ',' ' '); do`,
      `  su -l -s /bin/sh "$u" -c ${shQuote(inner)} || { echo "$u cannot reach the Docker API without sudo" >&2; exit 1; }`,
      'done',
    ],
  };
  return [...verifyChecks(ctx), runtime].map((c) => ({ summary: c.summary, test: { what: c.summary, shell: 'false' }, action: c.lines, check: true }));
}

/**
 * Docker taking this run's configuration changes, the least disruptive way as `up` does
 * (daemon-apply.ts): a reload when every changed daemon.json key is one dockerd reloads on SIGHUP
 * (containers and dockerd's PID untouched), else one restart; then docker info must show the settings.
 */
function restartTask(ctx: Target): HostTask {
  const sm = ctx.serviceManager;
  const test = { what: "docker's configuration unchanged by this run", shell: '[ -z "${dh_config_changed:-}" ]' };
  const tryRestart = sm.render('try-restart', ['docker']);
  if (sm.kind !== 'systemd' || !tryRestart) {
    return {
      summary: 'restart docker if it is running (this run changed its configuration)',
      test,
      action: [tryRestart ?? `if ${sm.isActive('docker')} >/dev/null 2>&1; then ${fail('restart dockerd yourself: this host has no init system')}; fi`],
    };
  }
  const driver = ctx.step('storage')?.driver ?? 'overlay2';
  const checks = settingsChecks(ctx, driver);
  const reloadable = [...RELOADABLE_KEYS].map((k) => `-e ${shQuote(k)}`).join(' ');
  return {
    summary: 'reload or restart docker if it is running (this run changed its configuration)',
    test,
    action: [
      'changed=$(grep -v \'^$\' "$dh_state/changed-keys" 2>/dev/null || true)',
      'if ! systemctl is-active --quiet docker.service; then exit 0; fi',
      `if [ -n "$changed" ] && ! printf '%s\\n' "$changed" | grep -qvxF ${reloadable}; then`,
      `  echo "reload docker: $(printf '%s' "$changed" | tr '\\n' ' ') apply on SIGHUP (containers and dockerd's PID unchanged)"`,
      ...reloadLines(true).map((l) => `  ${l}`),
      'else',
      '  systemctl reset-failed docker.service 2>/dev/null || true',
      `  ${tryRestart}`,
      'fi',
      ...checkLines(checks, 60),
    ],
  };
}

/**
 * On the host: docker restarted when this run changed its configuration (and it runs), then every
 * service running and enabled at boot. Without a manager the script cannot start anything: it says so.
 */
export function servicesTasks(ctx: Target): HostTask[] {
  const names = ctx.step('services')?.services ?? ['docker'];
  const sm = ctx.serviceManager;
  const tasks: HostTask[] = [];
  const reset = sm.render('reset-failed', [...STUCK_UNITS]);
  if (reset) {
    // The shell twin of stuckUnits(): active, or not failed with a successful last result.
    const fine = STUCK_UNITS.map(
      (u) => `{ systemctl is-active --quiet ${shQuote(u)} || { ! systemctl is-failed --quiet ${shQuote(u)} && r=$(systemctl show -p Result --value ${shQuote(u)} 2>/dev/null); [ -z "$r" ] || [ "$r" = success ]; }; }`,
    );
    tasks.push({
      summary: `reset the failed state of ${STUCK_UNITS.join(' ')}`,
      test: { what: 'no Docker unit left failed by an earlier start', shell: fine.join(' && '), holds: (facts) => stuckUnits(facts).length === 0 },
      action: [`for u in ${STUCK_UNITS.map(shQuote).join(' ')}; do systemctl reset-failed "$u" 2>/dev/null || true; done`],
    });
  }
  tasks.push(restartTask(ctx));
  for (const n of names) {
    const enable = sm.render('enable-now', [n]);
    const active = `${sm.isActive(n)} >/dev/null 2>&1`;
    const state = [active, ...(sm.isEnabled ? [sm.isEnabled(n)] : [])];
    // Helper services (containerd) may have no init script of their own outside systemd.
    const skip = n !== 'docker' && sm.installed ? `! ${sm.installed(n)} || ` : '';
    tasks.push({
      summary: `enable and start ${sm.unit(n)}`,
      test: {
        what: `${sm.unit(n)} ${sm.isEnabled ? 'enabled and ' : ''}running`,
        shell: `${skip}{ ${allOf(state)}; }`,
        holds: (facts) => {
          const running = sm.running(facts, n);
          const enabled = sm.isEnabled ? sm.enabled(facts, n) : true;
          return running === undefined || enabled === undefined ? undefined : running && enabled;
        },
      },
      action: [enable ?? fail(`no init system and no \`service\` command here: start ${n} yourself, then run again`)],
    });
  }
  return tasks;
}
