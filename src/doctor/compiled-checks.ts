/**
 * The shipped check declarations (checks/*.yaml), parsed and validated at build time
 * (scripts/compile-checks.mjs) into dist/checks.json, as the playbooks are (src/playbook/compiled.ts).
 * Parsing them with yaml and validating with zod took longer than the rest of a local doctor's own
 * work (about 0.1–0.2 s of CPU on an idle machine, competing with the probes for the same cores);
 * JSON.parse of the result is a millisecond. The file records a digest of every declaration file: if
 * any was added, removed or edited since (a checkout without a rebuild), or another directory is
 * asked for, the YAML is loaded and checked as before, with its file:line errors.
 */
import { join, relative } from 'node:path';
import { checksDir, packageRoot } from '../core/paths.js';
import { matchingCompiled, playbookDigests as yamlDigests } from '../playbook/compiled.js';
import type { CheckDecl } from './declarations.js';

export const compiledChecksFile = join(packageRoot, 'dist', 'checks.json');

export interface CompiledChecks {
  /** file name → sha256 of its content, for every declaration file of checks/ */
  digests: Record<string, string>;
  /** The declarations, each with `file`: its file name in checks/ (`source` is made at load time). */
  checks: Array<Omit<CheckDecl, 'source'> & { file: string }>;
}

/** What scripts/compile-checks.mjs writes: the declarations as loadDeclarations returns them. */
export async function compileChecks(dir: string = checksDir): Promise<CompiledChecks> {
  const { loadDeclarations } = await import('./declarations.js');
  const decls = await loadDeclarations(dir);
  const digests = yamlDigests(dir);
  const byPath = new Map(Object.keys(digests).map((f) => [relative(process.cwd(), join(dir, f)) || join(dir, f), f]));
  return { digests, checks: decls.map(({ source, ...c }) => ({ ...c, file: byPath.get(source)! })) };
}

/** The compiled declarations when they match checks/ exactly; undefined otherwise. */
export function loadCompiledChecks(dir: string = checksDir, file: string = compiledChecksFile): CheckDecl[] | undefined {
  const compiled = matchingCompiled<CompiledChecks>(file, dir);
  if (!compiled || !Array.isArray(compiled.checks)) return undefined;
  return compiled.checks.map(({ file: f, ...c }) => ({ ...c, source: relative(process.cwd(), join(dir, f)) || join(dir, f) }));
}

/** The check declarations of `dir`: compiled when they are the shipped ones, unchanged; else parsed. */
export async function checkDeclarations(dir: string = checksDir): Promise<CheckDecl[]> {
  const compiled = dir === checksDir ? loadCompiledChecks(dir) : undefined;
  if (compiled) return compiled;
  // yaml and zod are loaded only on this path.
  const { loadDeclarations } = await import('./declarations.js');
  return loadDeclarations(dir);
}
