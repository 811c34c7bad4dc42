/**
 * Reading playbooks: YAML → validated Playbook. Every error names the file, the line and the field,
 * because a playbook typo must be fixable from the message alone. A playbook may `extends` another
 * (its family, a file in the same directory): the parent's data with the child's merged over it.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { isMap, isNode, isPair, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { InputError } from '../core/errors.js';
import { playbooksDir } from '../core/paths.js';
import { Playbook, PlaybookExtension } from './schema.js';

type Path = ReadonlyArray<PropertyKey>;

/** One playbook file as read: its YAML document (for positions) and its plain data. */
interface PlaybookSource {
  file: string;
  doc: Document;
  lineCounter: LineCounter;
  data: unknown;
}

/** Finds the playbook an `extends` names; undefined when there is none. */
type Lookup = (id: string) => PlaybookSource | undefined;

function readSource(text: string, file: string): PlaybookSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const yamlError = doc.errors[0];
  if (yamlError) {
    const pos = lineCounter.linePos(yamlError.pos[0]);
    throw new InputError(file, `invalid YAML: ${firstLine(yamlError.message)}`, { line: pos.line, column: pos.col });
  }
  return { file, doc, lineCounter, data: doc.toJS() };
}

/** Validate one source's data (or a merged one, located in the first file of `chain` that has the field). */
function validate<T>(schema: z.ZodType<T>, data: unknown, chain: readonly PlaybookSource[]): T {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw issueError(chain, issue);
}

function issueError(chain: readonly PlaybookSource[], issue: z.core.$ZodIssue): InputError {
  let path: Path = issue.path;
  // An unknown key is reported on its object; point at the key itself.
  if (issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined) path = [...path, issue.keys[0]];
  // A merged field comes from the nearest file that sets it; a missing one is the child's to add.
  const source = chain.find((s) => s.doc.hasIn(path as unknown[])) ?? chain[0]!;
  const offset = offsetOf(source.doc, path);
  const pos = offset === undefined ? undefined : source.lineCounter.linePos(offset);
  return new InputError(source.file, describeIssue(issue), { line: pos?.line, column: pos?.col, field: fieldName(path) || undefined });
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
function resolve(source: PlaybookSource, lookup: Lookup | undefined, seen: readonly string[]): { data: unknown; chain: PlaybookSource[] } {
  const data = source.data;
  if (!isPlainObject(data) || data.extends === undefined) return { data, chain: [source] };
  validate(PlaybookExtension, data, [source]);
  const parentId = data.extends as string;
  const at = (detail: string, hint?: string) => {
    const offset = offsetOf(source.doc, ['extends']);
    const pos = offset === undefined ? undefined : source.lineCounter.linePos(offset);
    return new InputError(source.file, detail, { line: pos?.line, column: pos?.col, field: 'extends', hint });
  };
  if (seen.includes(parentId)) throw at(`extends makes a cycle: ${[...seen, parentId].join(' → ')}`, 'a playbook cannot extend itself, directly or through others');
  const parent = lookup?.(parentId);
  if (!parent) throw at(`no playbook '${parentId}' to extend`, `extends names the id of another playbook (${parentId}.yaml in the same directory)`);
  const base = resolve(parent, lookup, [...seen, parentId]);
  // The parent must be complete on its own before anything extends it.
  validate(Playbook, base.data, base.chain);
  return { data: extendData(base.data as Record<string, unknown>, data), chain: [source, ...base.chain] };
}

function playbookFrom(source: PlaybookSource, lookup: Lookup | undefined): Playbook {
  const ownId = isPlainObject(source.data) && typeof source.data.id === 'string' ? source.data.id : source.file;
  const { data, chain } = resolve(source, lookup, [ownId]);
  return validate(Playbook, data, chain);
}

/** One playbook from its text. An `extends` is resolved through `lookup` (loadPlaybooks gives one). */
export function parsePlaybook(text: string, file: string, lookup?: Lookup): Playbook {
  return playbookFrom(readSource(text, file), lookup);
}

function displayPath(path: string): string {
  const display = relative(process.cwd(), path) || path;
  return display.startsWith('..') ? path : display;
}

/** Reads playbook files of one directory on demand, each at most once. */
function directoryLookup(dir: string): Lookup {
  const cache = new Map<string, PlaybookSource | undefined>();
  return (id) => {
    if (!cache.has(id)) {
      const file = ['.yaml', '.yml'].map((ext) => join(dir, `${id}${ext}`)).find((f) => existsSync(f));
      cache.set(id, file === undefined ? undefined : readSource(readFileSync(file, 'utf8'), displayPath(file)));
    }
    return cache.get(id);
  };
}

export function loadPlaybookFile(path: string, lookup: Lookup = directoryLookup(dirname(path))): Playbook {
  const display = displayPath(path);
  const pb = parsePlaybook(readFileSync(path, 'utf8'), display, lookup);
  const expected = basename(path).replace(/\.ya?ml$/, '');
  if (pb.id !== expected) {
    throw new InputError(display, `id '${pb.id}' must match the file name '${expected}'`, { field: 'id' });
  }
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

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
  return issue.message;
}

/** Dotted field name as a user writes it: steps[3].lockTimeoutSeconds. */
export function fieldName(path: Path): string {
  return path.reduce<string>((acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc ? `${acc}.${String(k)}` : String(k)), '');
}

/**
 * Source offset for a field path: the key of the deepest existing map entry (so a missing field
 * points at its parent), or the node itself for list items.
 */
function offsetOf(doc: Document, path: Path): number | undefined {
  let node: unknown = doc.contents;
  let best: number | undefined = isNode(node) ? node.range?.[0] : undefined;
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === key);
      if (!pair) break;
      if (isNode(pair.key) && pair.key.range) best = pair.key.range[0];
      node = pair.value;
    } else if (isNode(node) && 'items' in node && typeof key === 'number') {
      const item = (node as { items: unknown[] }).items[key];
      if (!isNode(item)) break;
      if (item.range) best = item.range[0];
      node = item;
    } else break;
  }
  return best;
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}
