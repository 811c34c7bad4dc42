/** Fact area init (init.sh): the init system, and whether the host is a container or WSL. */
import { sectionOf, type ProbeOutput } from '../../probe/framing.js';
import type { FactArea } from './area.js';
import { nonEmpty } from './values.js';

export type InitSystem = 'systemd' | 'openrc' | 'sysvinit' | 'none';

export interface InitFacts {
  system: InitSystem;
  /** PID 1's command name (systemd, init, openrc-init, sh, …). */
  pid1?: string;
  /** `service` command present (sysvinit scripts / no-init fallback). */
  hasServiceCommand: boolean;
  wsl: boolean;
  /** Container technology when the host itself is a container (docker, lxc, systemd-nspawn, podman, …). */
  container?: string;
}

export interface InitAreaFacts {
  init: InitFacts;
}

/** Which init runs the host: systemd as sd_booted() decides it; OpenRC by its run dir; else sysvinit/none. */
export function detectInitSystem(kv: Record<string, string>): InitSystem {
  const pid1 = nonEmpty(kv.pid1);
  if (kv.systemd_booted === 'yes') return 'systemd';
  if (pid1 === 'systemd') return 'systemd';
  if (pid1 === 'openrc-init' || kv.openrc === 'yes') return 'openrc';
  // WSL's own PID 1 is also called `init` but runs no init scripts.
  if (pid1 === 'init' && kv.wsl === 'yes') return 'none';
  if (pid1 === 'init' || pid1 === 'runit' || pid1 === 'runit-init') return 'sysvinit';
  return 'none';
}

/** Container type from the strongest signal available. */
export function detectContainer(kv: Record<string, string>): string | undefined {
  const virt = nonEmpty(kv.detect_virt);
  if (virt && virt !== 'none') return virt;
  const fromSystemd = nonEmpty(kv.systemd_container) ?? nonEmpty(kv.pid1_container);
  if (fromSystemd) return fromSystemd;
  if (kv.containerenv === 'yes') return 'podman';
  if (kv.dockerenv === 'yes') return 'docker';
  return undefined;
}

function parse(out: ProbeOutput): InitAreaFacts {
  const kv = sectionOf(out, 'init').kv;
  return {
    init: {
      system: detectInitSystem(kv),
      pid1: nonEmpty(kv.pid1),
      hasServiceCommand: kv.service_cmd === 'yes' || kv.rc_service_cmd === 'yes',
      wsl: kv.wsl === 'yes',
      container: detectContainer(kv),
    },
  };
}

export const initArea: FactArea<InitAreaFacts> = { script: 'init.sh', parse };
