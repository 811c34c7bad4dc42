/**
 * Reading playbooks: YAML → validated Playbook. Every error names the file, the line and the field,
 * because a playbook typo must be fixable from the message alone.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { isMap, isNode, isPair, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { InputError } from '../core/errors.js';
import { playbooksDir } from '../core/paths.js';
import { Playbook } from './schema.js';

type Path = ReadonlyArray<PropertyKey>;

export function parsePlaybook(text: string, file: string): Playbook {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const yamlError = doc.errors[0];
  if (yamlError) {
    const pos = lineCounter.linePos(yamlError.pos[0]);
    throw new InputError(file, `invalid YAML: ${firstLine(yamlError.message)}`, { line: pos.line, column: pos.col });
  }
  const result = Playbook.safeParse(doc.toJS());
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const { line, column, field } = locateIssue(doc, lineCounter, issue);
  throw new InputError(file, describeIssue(issue), { line, column, field: field || undefined });
}

export function loadPlaybookFile(path: string): Playbook {
  const display = relative(process.cwd(), path) || path;
  const pb = parsePlaybook(readFileSync(path, 'utf8'), display.startsWith('..') ? path : display);
  const expected = basename(path).replace(/\.ya?ml$/, '');
  if (pb.id !== expected) {
    throw new InputError(display, `id '${pb.id}' must match the file name '${expected}'`, { field: 'id' });
  }
  return pb;
}

/** All playbooks shipped in playbooks/ (or another directory), sorted by id. */
export function loadPlaybooks(dir: string = playbooksDir): Playbook[] {
  return playbookFiles(dir).map(loadPlaybookFile);
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

function locateIssue(doc: Document, lc: LineCounter, issue: z.core.$ZodIssue) {
  let path: Path = issue.path;
  // An unknown key is reported on its object; point at the key itself.
  if (issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined) path = [...path, issue.keys[0]];
  const offset = offsetOf(doc, path);
  const pos = offset === undefined ? undefined : lc.linePos(offset);
  return { line: pos?.line, column: pos?.col, field: fieldName(path) };
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
