/**
 * Steps 8–9: the daemon running and enabled under the host's init system (restarted only when this
 * plan changes its configuration), then a check from a fresh login that it answers without sudo.
 */
import { shJoin, shQuote } from '../../shell/quote.js';
import type { PlanContext } from '../context.js';
import type { PlannedCommand } from '../model.js';
import { fail, script } from '../script.js';
import type { PlanState } from './state.js';
import { change, ok, rootCommand, type StepResult } from './result.js';

function dockerRunning(ctx: PlanContext): boolean {
  const { facts } = ctx;
  return facts.dockerd !== undefined || facts.units['docker.service']?.activeState === 'active' || facts.serviceRunning?.docker === true;
}

export function services(ctx: PlanContext, { storage, earlier }: PlanState): StepResult {
  const packagesChange = (earlier.find((s) => s.id === 'packages')?.commands.length ?? 0) > 0;
  const names = ctx.step('services')?.services ?? ['docker'];
  const { facts } = ctx;
  // daemon.json changes reach a running daemon only through a restart. The engine package may have
  // started it during this run (Debian/Ubuntu policy), so a package install counts as "may be running".
  const configChanged = storage?.daemonJson !== undefined;
  const restart = configChanged && (dockerRunning(ctx) || packagesChange);
  const commands: PlannedCommand[] = [];
  const reasons: string[] = [];
  if (facts.init.system === 'systemd') {
    const units = names.map((n) => `${n}.service`);
    const notReady = units.filter((u) => facts.units[u]?.activeState !== 'active' || facts.units[u]?.unitFileState !== 'enabled');
    if (restart) {
      reasons.push('daemon.json changes: restart docker if running');
      commands.push(rootCommand('restart docker if it is running (new daemon.json)', script('systemctl try-restart docker.service')));
    }
    if (notReady.length) {
      reasons.push(`not enabled and running: ${notReady.join(', ')}`);
      commands.push(rootCommand(`enable and start ${notReady.join(' ')}`, script(`systemctl enable --now ${shJoin(notReady)}`)));
    }
  } else {
    const openrc = facts.init.system === 'openrc';
    const status = (n: string) => (openrc ? `rc-service ${shQuote(n)} status` : `service ${shQuote(n)} status`);
    const run = (n: string, action: string) => (openrc ? `rc-service ${shQuote(n)} ${action}` : `service ${shQuote(n)} ${action}`);
    const running = facts.serviceRunning?.docker === true;
    // OpenRC facts say whether each service with an init script is in the default runlevel.
    const notEnabled = openrc ? names.filter((n) => facts.serviceEnabled?.[n as 'docker' | 'containerd'] === false) : [];
    if (restart || !running || notEnabled.length) {
      if (restart) reasons.push('daemon.json changes: restart docker');
      else if (!running) reasons.push('docker is not running');
      if (notEnabled.length) reasons.push(`not enabled at boot: ${notEnabled.join(', ')}`);
      // Helper services (containerd) may have no init script: Debian's containerd ships only a systemd
      // unit, and dockerd then starts and supervises a containerd of its own. docker itself must have one.
      const ifScript = (n: string, line: string) => (n === 'docker' ? line : `if [ -e ${shQuote(`/etc/init.d/${n}`)} ]; then ${line}; fi`);
      const lines = names.map((n) =>
        ifScript(n, `if ${status(n)} >/dev/null 2>&1; then ${n === 'docker' && restart ? run(n, 'restart') : ':'}; else ${run(n, 'start')}; fi`),
      );
      if (openrc) lines.unshift(...names.map((n) => ifScript(n, `rc-update add ${shQuote(n)} default`)));
      commands.push(rootCommand(openrc ? `enable and start ${names.join(' ')} (OpenRC)` : `start ${names.join(' ')}`, script(...lines)));
    }
  }
  if (commands.length === 0) return ok(`${names.join(', ')} enabled and running`);
  return change(reasons.join('; '), commands, { restartsDocker: restart || undefined });
}

/** Fresh-login check: group membership applies, the API answers without sudo, the driver is right. */
export function verify(ctx: PlanContext, { earlier }: PlanState): StepResult {
  const changed = earlier.filter((s) => s.commands.length > 0).map((s) => s.id);
  if (changed.length === 0) return ok('nothing changed; `dockhand doctor` checks a running host');
  const driver = ctx.step('storage')?.driver;
  const commands: PlannedCommand[] = [
    rootCommand(
      'wait for the daemon to answer',
      script(
        'i=0',
        'until docker version >/dev/null 2>&1; do',
        '  i=$((i + 1))',
        `  if [ "$i" -ge 60 ]; then docker version >&2 || true; ${fail('the Docker daemon did not answer within 60s')}; fi`,
        '  sleep 1',
        'done',
      ),
    ),
  ];
  for (const user of ctx.users) {
    // su -l starts a login session: groups come from the group database, as for the user's next login.
    const inner = shJoin(['docker', 'version', '--format', 'client {{.Client.Version}}, server {{.Server.Version}}']);
    commands.push(
      rootCommand(
        `docker answers ${user} without sudo (fresh login)`,
        script(`su -l -s /bin/sh ${shQuote(user)} -c ${shQuote(inner)} || ${fail(`${user} cannot reach the Docker API without sudo`)}`),
      ),
    );
  }
  if (driver) {
    commands.push(
      rootCommand(
        `storage driver is ${driver}`,
        script(
          `driver=$(docker info --format '{{.Driver}}')`,
          `if [ "$driver" != ${shQuote(driver)} ]; then echo "storage driver is $driver, expected ${driver}" >&2; exit 1; fi`,
          'echo "storage driver: $driver"',
        ),
      ),
    );
  }
  return change(`changed: ${changed.join(', ')}`, commands);
}
