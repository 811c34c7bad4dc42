/**
 * Turning schema problems into errors a person can act on: FILE:LINE:COLUMN, the field, what is wrong.
 * YAML positions come from the parsed document's node ranges (yaml's LineCounter turns offsets into lines).
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type Tags } from 'yaml';
import type { z } from 'zod';
import { InputError } from '../core/errors.js';
import type { FieldLocation, Locate } from './types.js';
import { editDistance } from '../core/suggest.js';

/** Find the YAML node for a field path; for a missing field, the closest enclosing node. */
export function yamlLocator(doc: Document, lines: LineCounter): Locate {
  return (path) => {
    let node: unknown = doc.contents;
    let best: Node | undefined = doc.contents ?? undefined;
    for (const segment of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment));
        if (!pair) break;
        // The key is where the user wrote the field; point there rather than at a multi-line value.
        best = (pair.key as Node) ?? best;
        node = pair.value;
      } else if (isSeq(node) && typeof segment === 'number') {
        const item = node.items[segment];
        if (!item) break;
        best = item as Node;
        node = item;
      } else break;
    }
    const offset = best?.range?.[0];
    if (offset === undefined) return {};
    const { line, col } = lines.linePos(offset);
    return { line, column: col };
  };
}

export function fieldName(path: ReadonlyArray<PropertyKey>): string {
  return path.map(String).join('.');
}

/** Validate `data` against `schema`; on failure throw an InputError for the first problem. */
export function validateInventory<T extends z.ZodType>(
  schema: T,
  data: unknown,
  file: string,
  locate: Locate,
  knownFields: readonly string[] = [],
): z.infer<T> {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const issues = result.error.issues;
  const issue = issues[0]!;
  let path: PropertyKey[] = [...issue.path];
  let detail = issue.message;
  let hint: string | undefined;
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]!;
    path = [...path, key];
    const where = locate(path);
    const shown = where.field ? lastSegment(where.field) : key;
    detail = `unknown field '${shown}'`;
    const close = suggest(key, knownFields);
    if (close) hint = `did you mean '${close}'?`;
  }
  const where: FieldLocation = locate(path);
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : '';
  throw new InputError(where.file ?? file, detail + more, {
    line: where.line,
    column: where.column,
    field: where.field ?? fieldName(path),
    hint,
  });
}

function lastSegment(field: string): string {
  return field.slice(field.lastIndexOf('.') + 1);
}

/** The known name closest to a misspelt one, when it is close enough to be a typo. */
export function suggest(word: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const candidate of known) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/** Parse YAML text into a document, turning syntax errors into InputErrors with a line. */
export function parseYamlDocument(text: string, file: string, customTags?: Tags): { doc: Document; lines: LineCounter } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, customTags });
  const error = doc.errors[0];
  if (error) {
    const { line, col } = lines.linePos(error.pos[0]);
    throw new InputError(file, `YAML syntax: ${error.message.split('\n')[0]}`, { line, column: col });
  }
  return { doc, lines };
}
