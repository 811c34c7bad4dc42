/**
 * Reading playbooks: YAML → validated Playbook. Every error names the file, the line and the field,
 * because a playbook typo must be fixable from the message alone. A playbook may `extends` another
 * (its family, a file in the same directory): the parent's data with the child's merged over it.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import type { z } from 'zod';
import { playbooksDir } from '../core/paths.js';
import { inputProblem, readYaml, validateData, type Locate, type YamlFile } from '../data/yaml-schema.js';
import { Playbook, PlaybookExtension } from './schema.js';

/** Finds the playbook an `extends` names; undefined when there is none. */
type Lookup = (id: string) => YamlFile | undefined;

/** Validate one source's data (or a merged one: each field is located in the first file of `chain` that has it). */
function validate<T>(schema: z.ZodType<T>, data: unknown, chain: readonly YamlFile[]): T {
  // A merged field comes from the nearest file that sets it; a missing one is the child's to add.
  const locate: Locate = (path) => (chain.find((s) => s.doc.hasIn(path as unknown[])) ?? chain[0]!).locate(path);
  return validateData(schema, data, chain[0]!.file, locate);
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Mappings merge key by key, everything else (lists, scalars) replaces. */
function deepMerge(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = k in base ? deepMerge(base[k], v) : v;
  return out;
}

/** The child's data over its parent's: `match` (which hosts it is for) is the child's alone. */
function extendData(parent: Record<string, unknown>, child: Record<string, unknown>): Record<string, unknown> {
  const { extends: _extends, match, ...rest } = child;
  return { ...(deepMerge(parent, rest) as Record<string, unknown>), match };
}

/**
 * The data of `source` with everything it extends merged in, and the files that contributed (the
 * child first). `seen` holds the ids on the way here, to name a cycle.
 */
function resolve(source: YamlFile, lookup: Lookup | undefined, seen: readonly string[]): { data: unknown; chain: YamlFile[] } {
  const data = source.data;
  if (!isPlainObject(data) || data.extends === undefined) return { data, chain: [source] };
  validate(PlaybookExtension, data, [source]);
  const parentId = data.extends as string;
  const at = (detail: string, hint?: string) => inputProblem(source.file, source.locate, ['extends'], detail, hint);
  if (seen.includes(parentId)) throw at(`extends makes a cycle: ${[...seen, parentId].join(' → ')}`, 'a playbook cannot extend itself, directly or through others');
  const parent = lookup?.(parentId);
  if (!parent) throw at(`no playbook '${parentId}' to extend`, `extends names the id of another playbook (${parentId}.yaml in the same directory)`);
  const base = resolve(parent, lookup, [...seen, parentId]);
  // The parent must be complete on its own before anything extends it.
  validate(Playbook, base.data, base.chain);
  return { data: extendData(base.data as Record<string, unknown>, data), chain: [source, ...base.chain] };
}

function playbookFrom(source: YamlFile, lookup: Lookup | undefined): Playbook {
  const ownId = isPlainObject(source.data) && typeof source.data.id === 'string' ? source.data.id : source.file;
  const { data, chain } = resolve(source, lookup, [ownId]);
  return validate(Playbook, data, chain);
}

/** One playbook from its text. An `extends` is resolved through `lookup` (loadPlaybooks gives one). */
export function parsePlaybook(text: string, file: string, lookup?: Lookup): Playbook {
  return playbookFrom(readYaml(text, file), lookup);
}

function displayPath(path: string): string {
  const display = relative(process.cwd(), path) || path;
  return display.startsWith('..') ? path : display;
}

/** Reads playbook files of one directory on demand, each at most once. */
function directoryLookup(dir: string): Lookup {
  const cache = new Map<string, YamlFile | undefined>();
  return (id) => {
    if (!cache.has(id)) {
      const file = ['.yaml', '.yml'].map((ext) => join(dir, `${id}${ext}`)).find((f) => existsSync(f));
      cache.set(id, file === undefined ? undefined : readYaml(readFileSync(file, 'utf8'), displayPath(file)));
    }
    return cache.get(id);
  };
}

export function loadPlaybookFile(path: string, lookup: Lookup = directoryLookup(dirname(path))): Playbook {
  const source = readYaml(readFileSync(path, 'utf8'), displayPath(path));
  const pb = playbookFrom(source, lookup);
  const expected = basename(path).replace(/\.ya?ml$/, '');
  if (pb.id !== expected) throw inputProblem(source.file, source.locate, ['id'], `must match the file name: \`${expected}\`, not '${pb.id}'`);
  return pb;
}

/** All playbooks shipped in playbooks/ (or another directory), sorted by id. */
export function loadPlaybooks(dir: string = playbooksDir): Playbook[] {
  const lookup = directoryLookup(dir);
  return playbookFiles(dir).map((f) => loadPlaybookFile(f, lookup));
}

/** The playbook files of a directory, sorted by id (what loadPlaybooks loads). */
export function playbookFiles(dir: string = playbooksDir): string[] {
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => join(dir, f));
}
