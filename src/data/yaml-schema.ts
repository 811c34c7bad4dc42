/**
 * The one way dockhand reads a YAML file against a schema — playbooks, inventories (native, and
 * Ansible's once converted) and check declarations alike: the document is parsed keeping positions
 * (yaml's LineCounter), validated with its zod schema, and EVERY problem of the file is reported, one
 * per line, as `file:line:col: field.path: message` (src/data/schema-words.ts says it in plain words).
 * Field paths have one format everywhere: `steps[3].lockTimeoutSeconds`, `hosts["web 1"].port`.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type Tags, type YAMLError } from 'yaml';
import type { z } from 'zod';
import { InputError } from '../core/errors.js';
import { explain } from './schema-words.js';

export { words, type FieldWords } from './schema-words.js';

/**
 * Where a field came from, for messages: the file (when not the one being validated: an Ansible
 * directory's files, a playbook's family), line and column, and the field's name as the user wrote it
 * when that differs from the model's path (an Ansible inventory says `ansible_port`, not `port`).
 */
export interface FieldLocation {
  file?: string;
  line?: number;
  column?: number;
  field?: string;
}

export type Locate = (path: ReadonlyArray<PropertyKey>) => FieldLocation;

/** One problem of an input file. */
export interface Problem {
  file: string;
  line?: number;
  column?: number;
  field?: string;
  message: string;
}

/**
 * Bad input, every problem of it (exit 65 as any InputError): the message is one line per problem,
 * sorted by file (in the order met) and position. `file`/`line`/`field` are the first problem's.
 */
export class InputProblems extends InputError {
  readonly problems: readonly Problem[];
  constructor(problems: readonly Problem[]) {
    const files = [...new Set(problems.map((p) => p.file))];
    const sorted = [...problems].sort(
      (a, b) => files.indexOf(a.file) - files.indexOf(b.file) || (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0),
    );
    const first = sorted[0]!;
    super(first.file, first.message, first);
    this.problems = sorted;
    this.message = sorted.map((p) => new InputError(p.file, p.message, p).message).join('\n');
  }
}

/** A field path as one string: `a.b[0].c`; keys other than letters, digits, `_` and `-` are quoted. */
export function fieldPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (/^[A-Za-z0-9_$-]+$/.test(String(key))) out += out ? `.${String(key)}` : String(key);
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

/** Find the YAML node for a field path: the key of a map entry, the item of a list; for a missing field, the closest enclosing node. */
export function yamlLocator(doc: Document, lines: LineCounter, file?: string): Locate {
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
    if (offset === undefined) return file === undefined ? {} : { file };
    const { line, col } = lines.linePos(offset);
    return { ...(file === undefined ? {} : { file }), line, column: col };
  };
}

/** A YAML file as read: its document (positions), its data, and how to find a field in it. */
export interface YamlFile {
  file: string;
  doc: Document;
  lines: LineCounter;
  data: unknown;
  locate: Locate;
}

/** Parse YAML text; syntax errors (all of them) are InputProblems at file:line:col. */
export function readYaml(text: string, file: string, customTags?: Tags): YamlFile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, customTags });
  if (doc.errors.length > 0) {
    throw new InputProblems(
      doc.errors.map((e) => {
        const { line, col } = lines.linePos(e.pos[0]);
        return { file, line, column: col, message: `invalid YAML: ${syntaxWords(e)}` };
      }),
    );
  }
  let data: unknown;
  try {
    data = doc.toJS();
  } catch (err) {
    // Aliases past yaml's limit (a "billion laughs" file) and the like: bad input, not a crash.
    const message = firstLine((err as Error).message);
    const words = /^Excessive alias count/.test(message) ? 'too many alias references (`*name`) — a file that expands this much is refused' : message;
    throw new InputProblems([{ file, message: `invalid YAML: ${words}` }]);
  }
  return { file, doc, lines, data, locate: yamlLocator(doc, lines, file) };
}

/** The YAML library's messages, where a plainer one helps (the rest are clear enough, first line only). */
function syntaxWords(e: YAMLError): string {
  const flow = /^Flow (map|sequence) in block collection must be sufficiently indented and end with an? ([}\]])/.exec(e.message);
  if (flow) return `an unclosed \`${flow[2] === '}' ? '{' : '['}\` above — a ${flow[1] === 'map' ? 'map' : 'list'} written inline must end with \`${flow[2]}\``;
  switch (e.code) {
    case 'DUPLICATE_KEY':
      return 'the same key twice in one map';
    case 'TAB_AS_INDENT':
      return 'a tab in the indentation — YAML indents with spaces only';
    case 'MULTILINE_IMPLICIT_KEY':
    case 'BLOCK_AS_IMPLICIT_KEY':
      return 'a key must fit on one line — is a `:` missing, or is this line indented wrongly?';
    case 'BAD_INDENT':
      return `wrong indentation (${firstLine(e.message)})`;
    default:
      return firstLine(e.message);
  }
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}

/**
 * Validate `data` with `schema`; on failure throw InputProblems listing every problem, each located by
 * `locate` (a YAML file's, or a converted inventory's own).
 */
export function validateData<S extends z.ZodType>(schema: S, data: unknown, file: string, locate: Locate): z.output<S> {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const problems = explain(result.error.issues, schema as never, data).map(({ path, at, message }): Problem => {
    const where = locate(at ?? path);
    const exact = at === undefined ? where.field : undefined;
    return { file: where.file ?? file, line: where.line, column: where.column, field: exact ?? (fieldPath(path) || undefined), message };
  });
  throw new InputProblems(problems);
}

/** One problem as an error (semantic checks after the schema: unknown group, cycle…), same format. */
export function inputProblem(file: string, locate: Locate, path: ReadonlyArray<PropertyKey>, message: string, hint?: string): InputError {
  const where = locate(path);
  return new InputError(where.file ?? file, message, { line: where.line, column: where.column, field: where.field ?? (fieldPath(path) || undefined), hint });
}
