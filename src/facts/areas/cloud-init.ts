/** Fact area cloud-init (cloud-init.sh): installed or not, and `cloud-init status`. */
import { sectionOf, stdoutOf, type ProbeOutput } from '../../probe/framing.js';
import type { FactArea } from './area.js';

export interface CloudInitAreaFacts {
  cloudInit: {
    present: boolean;
    /** running | done | error | disabled | degraded … from `cloud-init status`. */
    status?: string;
  };
}

/** `cloud-init status` → `done`, `running`, `error`, `disabled`, `degraded done`… (first line's value). */
export function parseCloudInitStatus(text: string): string | undefined {
  const m = /^\s*status:\s*(.+?)\s*$/m.exec(text);
  return m ? m[1] : undefined;
}

function parse(out: ProbeOutput): CloudInitAreaFacts {
  const s = sectionOf(out, 'cloud_init');
  const status = stdoutOf(s, 'status');
  return { cloudInit: { present: s.kv.present === 'yes', status: status !== undefined ? parseCloudInitStatus(status) : undefined } };
}

export const cloudInitArea: FactArea<CloudInitAreaFacts> = { script: 'cloud-init.sh', parse };
