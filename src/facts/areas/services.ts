/**
 * Fact area services (services.sh): the Docker units under systemd; without systemd, what the init
 * scripts say about docker and containerd running, and (OpenRC) starting at boot.
 */
import { sectionOf, stdoutOf, type ProbeOutput } from '../../probe/framing.js';
import type { FactArea } from './area.js';
import { nonEmpty, parseIntOrUndefined, pick, yes } from './values.js';

/** Units whose state matters to Docker on systemd hosts. */
export const UNITS = ['docker.service', 'docker.socket', 'containerd.service'] as const;

export interface UnitState {
  name: string;
  /** loaded | not-found | masked | error … */
  loadState: string;
  /** active | inactive | failed | activating | deactivating … */
  activeState: string;
  subState?: string;
  /** enabled | disabled | static | masked | indirect | generated … ('' when not-found). */
  unitFileState?: string;
  /** success | exit-code | start-limit-hit | … */
  result?: string;
  mainPid?: number;
}

export interface ServicesAreaFacts {
  /** docker.service, docker.socket, containerd.service — only with systemd; empty otherwise. */
  units: Record<string, UnitState>;
  /** Non-systemd service status: `service docker status` / `rc-service` exit code 0 = running. */
  serviceRunning?: { docker?: boolean; containerd?: boolean };
  /**
   * OpenRC only: the service is in the `default` runlevel (/etc/runlevels/default/NAME), i.e. starts at
   * boot. A name is undefined when it has no init script (/etc/init.d/NAME) to enable.
   */
  serviceEnabled?: { docker?: boolean; containerd?: boolean };
}

/** `systemctl show -p …` for several units: blocks separated by blank lines, each with `Id=`. */
export function parseSystemctlShow(text: string): Record<string, UnitState> {
  const units: Record<string, UnitState> = {};
  for (const block of text.split(/\n\s*\n/)) {
    const props: Record<string, string> = {};
    for (const line of block.split('\n')) {
      const eq = line.indexOf('=');
      if (eq > 0) props[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
    }
    const name = props.Id;
    if (!name) continue;
    const mainPid = parseIntOrUndefined(props.MainPID);
    units[name] = {
      name,
      loadState: props.LoadState ?? 'unknown',
      activeState: props.ActiveState ?? 'unknown',
      subState: nonEmpty(props.SubState),
      unitFileState: props.UnitFileState,
      result: nonEmpty(props.Result),
      mainPid: mainPid ? mainPid : undefined,
    };
  }
  return units;
}

/** OpenRC runlevel membership: `enabled_NAME=yes|no`, absent when NAME has no init script. */
export function parseServiceEnabled(kv: Record<string, string>): ServicesAreaFacts['serviceEnabled'] {
  const docker = yes(kv.enabled_docker);
  const containerd = yes(kv.enabled_containerd);
  if (docker === undefined && containerd === undefined) return undefined;
  return { ...(docker !== undefined ? { docker } : {}), ...(containerd !== undefined ? { containerd } : {}) };
}

function parse(out: ProbeOutput): ServicesAreaFacts {
  const show = stdoutOf(sectionOf(out, 'units'), 'show');
  const services = sectionOf(out, 'services').kv;
  const running = (name: 'docker' | 'containerd') => {
    const code = parseIntOrUndefined(services[name]);
    return code === undefined ? undefined : code === 0;
  };
  return {
    units: show !== undefined ? pick(parseSystemctlShow(show), UNITS) : {},
    serviceRunning:
      services.docker !== undefined || services.containerd !== undefined ? { docker: running('docker'), containerd: running('containerd') } : undefined,
    serviceEnabled: parseServiceEnabled(services),
  };
}

export const servicesArea: FactArea<ServicesAreaFacts> = { script: 'services.sh', vars: { DH_UNITS: UNITS }, parse };
