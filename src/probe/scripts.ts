/**
 * The probe scripts' text, read from probes/*.sh (shipped in the npm package) on first use and
 * kept: a run needs each at most once per process, and startup should not pay for them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { probesDir } from '../core/paths.js';

const cache = new Map<string, string>();

export function probeFile(name: 'framing.sh' | 'doctor.sh'): string {
  let text = cache.get(name);
  if (text === undefined) cache.set(name, (text = readFileSync(join(probesDir, name), 'utf8')));
  return text;
}
