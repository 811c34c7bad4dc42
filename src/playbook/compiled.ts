/**
 * The shipped playbooks, parsed and validated at build time (scripts/compile-playbooks.mjs) into one
 * JSON file. Parsing a dozen YAML files and validating them with zod was most of a converged run's CPU
 * on this side (and loads yaml and zod at all); JSON.parse of the result is a millisecond. The file
 * records a digest of every playbook it came from: if any playbook file was added, removed or edited
 * since (a checkout without a rebuild), it is not used and the YAML is loaded as before.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot, playbooksDir } from '../core/paths.js';
import type { Playbook } from './schema.js';

export const compiledPlaybooksFile = join(packageRoot, 'dist', 'playbooks.json');

export interface CompiledPlaybooks {
  /** file name → sha256 of its content, for every playbook file of the directory */
  digests: Record<string, string>;
  playbooks: Playbook[];
}

/** The digests of a directory's playbook files (the same files loadPlaybooks reads). */
export function playbookDigests(dir: string = playbooksDir): Record<string, string> {
  const digests: Record<string, string> = {};
  for (const f of readdirSync(dir).filter((n) => /\.ya?ml$/.test(n)).sort()) {
    digests[f] = createHash('sha256').update(readFileSync(join(dir, f))).digest('hex');
  }
  return digests;
}

/**
 * A build-time compiled file (`{ digests, … }`) when its digests match the YAML files of `dir`
 * exactly; undefined otherwise (also for the check declarations, src/doctor/compiled-checks.ts).
 */
export function matchingCompiled<T extends { digests: Record<string, string> }>(file: string, dir: string): T | undefined {
  let compiled: T;
  try {
    compiled = JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined; // not built (tests run from src/), or unreadable: the YAML is the source
  }
  const now = playbookDigests(dir);
  const names = Object.keys(now);
  const same = names.length === Object.keys(compiled.digests ?? {}).length && names.every((n) => compiled.digests[n] === now[n]);
  return same ? compiled : undefined;
}

/** The compiled playbooks when they match the directory's files exactly; undefined otherwise. */
export function loadCompiledPlaybooks(dir: string = playbooksDir, file: string = compiledPlaybooksFile): Playbook[] | undefined {
  const compiled = matchingCompiled<CompiledPlaybooks>(file, dir);
  return compiled && Array.isArray(compiled.playbooks) ? compiled.playbooks : undefined;
}
