/** Fact area os (os.sh): the distribution (os-release), the architecture, the kernel. */
import { sectionOf, type ProbeOutput } from '../../probe/framing.js';
import { parseOsRelease, type OsRelease } from '../os-release.js';
import type { FactArea } from './area.js';
import { nonEmpty } from './values.js';

export interface OsAreaFacts {
  os: OsRelease;
  arch: {
    /** `uname -m`: x86_64, aarch64, armv7l, … */
    machine: string;
    /** The package manager's name for it: amd64/arm64/armhf (dpkg), x86_64/aarch64 (rpm). */
    package?: string;
  };
  kernel: { release: string; major: number; minor: number };
}

/** `6.8.0-45-generic` → {6, 8}; unknown parts become 0. */
export function parseKernelRelease(release: string): { release: string; major: number; minor: number } {
  const m = /^(\d+)\.(\d+)/.exec(release.trim());
  return { release: release.trim(), major: m ? Number(m[1]) : 0, minor: m ? Number(m[2]) : 0 };
}

function parse(out: ProbeOutput): OsAreaFacts {
  const osFile = Object.values(sectionOf(out, 'os').files).find((f) => f.content !== undefined);
  const arch = sectionOf(out, 'arch').kv;
  return {
    os: parseOsRelease(osFile?.content ?? ''),
    arch: {
      machine: arch.machine ?? '',
      package: nonEmpty(arch.dpkg) ?? nonEmpty(arch.rpm) ?? nonEmpty(arch.apk),
    },
    kernel: parseKernelRelease(arch.kernel ?? ''),
  };
}

export const osArea: FactArea<OsAreaFacts> = { script: 'os.sh', parse };
