/**
 * The host's service manager, beside the package managers: one object per init system (systemd,
 * OpenRC, sysvinit's `service`, none), chosen from the facts. Plan steps and the doctor's fixes
 * render service operations through it, so neither writes `systemctl` (or `rc-service`) itself.
 *
 * Names are service names (`docker`, `containerd`); a name ending in `.socket` is a systemd socket
 * unit, which only systemd has — the other managers leave it out.
 */
import type { Facts, InitSystem } from '../facts/types.js';
import { shJoin, shQuote } from '../shell/quote.js';
import { writeFileLines } from './script.js';

export type ServiceOperation = 'start' | 'stop' | 'restart' | 'try-restart' | 'reset-failed' | 'enable' | 'enable-now' | 'disable-now' | 'logs';
export const SERVICE_OPERATIONS: readonly ServiceOperation[] = ['start', 'stop', 'restart', 'try-restart', 'reset-failed', 'enable', 'enable-now', 'disable-now', 'logs'];

export interface ServiceManager {
  kind: InitSystem;
  /** Shown in step summaries where the manager is not the obvious one ("OpenRC"). */
  label?: string;
  /**
   * The facts report each service's running and enabled state exactly (systemd units): the plan
   * decides what to do. Otherwise the commands test the state on the host.
   */
  exactFacts: boolean;
  /** How the facts name the service (`docker.service` under systemd). */
  unit(name: string): string;
  /** From the facts: undefined when they do not say. */
  running(facts: Facts, name: string): boolean | undefined;
  enabled(facts: Facts, name: string): boolean | undefined;
  /** Shell condition: the service runs. */
  isActive(name: string): string;
  /** Shell condition: the service starts at boot; undefined where the manager has no such notion (sysvinit via `service`, none). */
  isEnabled?(name: string): string;
  /** Shell condition: the service can be managed at all (an init script exists); undefined: always. */
  installed?(name: string): string;
  /**
   * One command line for an operation on the services, in order; undefined when the operation means
   * nothing for this manager (reset-failed outside systemd, enable without runlevels, anything without one).
   */
  render(op: ServiceOperation, names: readonly string[]): string | undefined;
  /** Lines that load a kernel module at every boot. */
  loadModuleAtBoot(module: string): string[];
}

const isSocket = (n: string) => n.endsWith('.socket');
const services = (names: readonly string[]) => names.filter((n) => !isSocket(n));
const modulesLoadD = (module: string) => writeFileLines(`/etc/modules-load.d/${module}.conf`, `${module}\n`);

const systemd: ServiceManager = {
  kind: 'systemd',
  exactFacts: true,
  unit: (n) => (isSocket(n) || n.endsWith('.service') ? n : `${n}.service`),
  running: (facts, n) => {
    const u = facts.units[systemd.unit(n)];
    return u ? u.activeState === 'active' : undefined;
  },
  enabled: (facts, n) => {
    const u = facts.units[systemd.unit(n)];
    return u ? u.unitFileState === 'enabled' : undefined;
  },
  isActive: (n) => `systemctl is-active --quiet ${shQuote(systemd.unit(n))}`,
  isEnabled: (n) => `systemctl is-enabled --quiet ${shQuote(systemd.unit(n))}`,
  render(op, names) {
    if (op === 'logs') return `journalctl ${names.map((n) => `-u ${shQuote(systemd.unit(n))}`).join(' ')} -n 50 --no-pager`;
    const verb = op === 'enable-now' ? 'enable --now' : op === 'disable-now' ? 'disable --now' : op;
    return `systemctl ${verb} ${shJoin(names.map(systemd.unit))}`;
  },
  loadModuleAtBoot: modulesLoadD,
};

/** Per-service commands joined with &&, each service in order. */
function each(names: readonly string[], line: (n: string) => string): string | undefined {
  const s = services(names);
  return s.length ? s.map(line).join(' && ') : undefined;
}

/** Where dockerd logs without a journal (Alpine's and Debian's init scripts both write there). */
const logFile = (n: string) => `/var/log/${n}.log`;

const openrc: ServiceManager = {
  kind: 'openrc',
  label: 'OpenRC',
  exactFacts: false,
  unit: (n) => n,
  running: (facts, n) => facts.serviceRunning?.[n as 'docker' | 'containerd'],
  enabled: (facts, n) => facts.serviceEnabled?.[n as 'docker' | 'containerd'],
  isActive: (n) => `rc-service ${shQuote(n)} status`,
  isEnabled: (n) => `rc-update show default 2>/dev/null | grep -Eq ${shQuote(`^ *${n} \\|`)}`,
  installed: (n) => `[ -e ${shQuote(`/etc/init.d/${n}`)} ]`,
  render(op, names) {
    switch (op) {
      case 'reset-failed':
        return undefined;
      case 'enable':
        return each(names, (n) => `rc-update add ${shQuote(n)} default`);
      case 'enable-now':
        return each(names, (n) => `rc-update add ${shQuote(n)} default && rc-service ${shQuote(n)} start`);
      case 'disable-now':
        return each(names, (n) => `rc-service ${shQuote(n)} stop; rc-update del ${shQuote(n)} default`);
      case 'try-restart':
        return each(names, (n) => `if rc-service ${shQuote(n)} status >/dev/null 2>&1; then rc-service ${shQuote(n)} restart; fi`);
      case 'logs':
        return each(names, (n) => `tail -n 50 ${shQuote(logFile(n))}`);
      default:
        return each(names, (n) => `rc-service ${shQuote(n)} ${op}`);
    }
  },
  // OpenRC's modules service loads what /etc/modules lists.
  loadModuleAtBoot: (module) => [`grep -qx ${shQuote(module)} /etc/modules 2>/dev/null || echo ${shQuote(module)} >> /etc/modules`],
};

/** sysvinit scripts through `service` (also the fallback of WSL and containers that have the command). */
const sysvinit: ServiceManager = {
  kind: 'sysvinit',
  exactFacts: false,
  unit: (n) => n,
  running: (facts, n) => facts.serviceRunning?.[n as 'docker' | 'containerd'],
  // The facts do not read rc?.d links: whether a service starts at boot is unknown.
  enabled: () => undefined,
  isActive: (n) => `service ${shQuote(n)} status`,
  installed: (n) => `[ -e ${shQuote(`/etc/init.d/${n}`)} ]`,
  render(op, names) {
    switch (op) {
      case 'reset-failed':
      case 'enable':
        return undefined;
      case 'enable-now':
        return each(names, (n) => `service ${shQuote(n)} start`);
      // Whether it starts at boot is the init scripts' links, which the packages' removal takes away.
      case 'disable-now':
        return each(names, (n) => `service ${shQuote(n)} stop`);
      case 'try-restart':
        return each(names, (n) => `if service ${shQuote(n)} status >/dev/null 2>&1; then service ${shQuote(n)} restart; fi`);
      case 'logs':
        return each(names, (n) => `tail -n 50 ${shQuote(logFile(n))}`);
      default:
        return each(names, (n) => `service ${shQuote(n)} ${op}`);
    }
  },
  loadModuleAtBoot: modulesLoadD,
};

/** No init system and no `service` command: nothing can start a service; the commands say so and fail. */
const none: ServiceManager = {
  ...sysvinit,
  kind: 'none',
  isActive: (n) => `pgrep -x ${shQuote(n === 'docker' ? 'dockerd' : n)} >/dev/null`,
  render: () => undefined,
};

/** The host's service manager. Without an init system, `service` (when present) is what starts scripts. */
export function serviceManagerFor(facts: Pick<Facts, 'init'>): ServiceManager {
  switch (facts.init.system) {
    case 'systemd':
      return systemd;
    case 'openrc':
      return openrc;
    case 'sysvinit':
      return sysvinit;
    case 'none':
      return facts.init.hasServiceCommand ? { ...sysvinit, kind: 'none' } : none;
  }
}
