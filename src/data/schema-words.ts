/**
 * Schema problems in plain words. zod says "Invalid input: expected record, received undefined"; a
 * person fixing a YAML file needs "is missing — an inventory needs a `hosts:` map (did you write
 * `host:`?)". Each zod issue code maps to one sentence, built from the schema itself (what the field
 * must be, which keys a map takes, which values an enum allows), so a field added to a schema gets
 * plain messages without code here. Where the type alone says too little ("text" for a user name),
 * the schema names it with `words(schema, { a: 'a user name' })`.
 *
 * Only zod's public issue shapes and its schema definitions (`_zod.def`) are read: no import of zod
 * at run time (it costs startup; the schemas bring it when they are used).
 */
import type { z } from 'zod';
import { suggest } from '../core/suggest.js';
import { printable } from '../core/values.js';

type Path = ReadonlyArray<PropertyKey>;
type Issue = z.core.$ZodIssue;

/** What the type alone cannot say about a field. */
export interface FieldWords {
  /** What a value must be, with its article: 'a user name', 'a map of host names to their settings'. */
  a?: string;
  /** The plural, for a list of them (default: `a` without its article, plus "s"). */
  many?: string;
  /** Why a missing field is needed: 'an inventory needs a `hosts:` map'. */
  missing?: string;
}

const registry = new WeakMap<object, FieldWords>();

/**
 * Give a schema its words. They are kept by the schema's definition, which `.describe()` and `.meta()`
 * share with the copy they make; wrappers added afterwards (`.optional()`, `.partial()`, `.default()`)
 * keep them too. A check added afterwards (`.min()`, `.regex()`) makes a new definition: apply it last.
 */
export function words<T extends object>(schema: T, w: FieldWords): T {
  registry.set((schema as unknown as Schema)._zod.def, w);
  return schema;
}

/** One problem of a file, before it is given a position: the field it is about and what is wrong. */
export interface Explained {
  path: PropertyKey[];
  /** Where to point when that is not the field itself (a missing key the user misspelt: the misspelling). */
  at?: PropertyKey[];
  message: string;
}

// A loose view of zod's schema definitions: only what is read here.
interface Check {
  _zod: { def: { check: string; value?: unknown; inclusive?: boolean; format?: string } };
}
interface Def {
  type: string;
  innerType?: Schema;
  in?: Schema;
  getter?: () => Schema;
  element?: Schema;
  valueType?: Schema;
  shape?: Record<string, Schema>;
  options?: Schema[];
  discriminator?: string;
  entries?: Record<string, string | number>;
  values?: unknown[];
  checks?: Check[];
}
interface Schema {
  _zod: { def: Def };
}

const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional', 'pipe', 'lazy']);

function inner(s: Schema): Schema | undefined {
  const d = s._zod.def;
  if (d.type === 'pipe') return d.in;
  if (d.type === 'lazy') return d.getter?.();
  return d.innerType;
}

/** The schema and the ones it wraps, outermost first. */
function layers(s: Schema): Schema[] {
  const out: Schema[] = [s];
  let cur: Schema | undefined = s;
  while (cur && WRAPPERS.has(cur._zod.def.type) && (cur = inner(cur))) out.push(cur);
  return out;
}

const bare = (s: Schema): Schema => layers(s).at(-1)!;
const wordsOf = (s: Schema): FieldWords => Object.assign({}, ...layers(s).reverse().map((l) => registry.get(l._zod.def) ?? {}));

const isMapValue = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The option of a union that `value` is meant to be (by its discriminator), or undefined. */
function optionFor(d: Def, value: unknown): Schema | undefined {
  if (!d.discriminator || !isMapValue(value)) return undefined;
  return d.options?.find((o) => {
    const tag = bare(o)._zod.def.shape?.[d.discriminator!];
    return tag !== undefined && (bare(tag)._zod.def.values ?? []).includes(value[d.discriminator!]);
  });
}

/** The schema of the field at `path`, walking the data beside it (to pick a union's option). */
function schemaAt(root: Schema, path: Path, data: unknown): Schema | undefined {
  let s: Schema | undefined = root;
  let value = data;
  for (const key of path) {
    if (!s) return undefined;
    s = child(s, key, value);
    value = isMapValue(value) || Array.isArray(value) ? (value as Record<PropertyKey, unknown>)[key] : undefined;
  }
  return s;
}

function child(s: Schema, key: PropertyKey, value: unknown): Schema | undefined {
  const d = bare(s)._zod.def;
  switch (d.type) {
    case 'object':
      return d.shape?.[String(key)];
    case 'record':
      return d.valueType;
    case 'array':
      return typeof key === 'number' ? d.element : undefined;
    case 'union': {
      const picked = optionFor(d, value);
      if (picked) return child(picked, key, value);
      for (const o of d.options ?? []) {
        const c = child(o, key, value);
        if (c) return c;
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

function keysOf(s: Schema | undefined, value: unknown): string[] {
  if (!s) return [];
  const d = bare(s)._zod.def;
  if (d.type === 'object') return Object.keys(d.shape ?? {});
  if (d.type === 'union') {
    const picked = optionFor(d, value);
    return picked ? keysOf(picked, value) : [...new Set((d.options ?? []).flatMap((o) => keysOf(o, value)))];
  }
  return [];
}

const code = (v: unknown): string => `\`${String(v)}\``;

function listOf(items: readonly string[], max = 12): string {
  const shown = items.slice(0, max).map(code);
  return items.length > max ? `${shown.join(', ')}, …` : shown.join(', ');
}

function numberWords(d: Def): string {
  let whole = false;
  let min: number | undefined;
  let max: number | undefined;
  for (const c of d.checks ?? []) {
    const cd = c._zod.def;
    if (cd.check === 'number_format' && /int/.test(cd.format ?? '')) whole = true;
    if (cd.check === 'greater_than' && typeof cd.value === 'number') min = cd.inclusive ? cd.value : cd.value + (whole ? 1 : 0);
    if (cd.check === 'less_than' && typeof cd.value === 'number') max = cd.inclusive ? cd.value : cd.value - (whole ? 1 : 0);
  }
  const noun = whole ? 'a whole number' : 'a number';
  if (min !== undefined && max !== undefined) return `${noun} between ${min} and ${max}`;
  if (whole && min === 1) return 'a positive whole number';
  if (min !== undefined) return `${noun} of at least ${min}`;
  if (max !== undefined) return `${noun} of at most ${max}`;
  return noun;
}

/** What a value of `s` must be, in words: "a whole number between 1 and 65535", "a list of user names". */
export function describe(s: Schema): string {
  const w = wordsOf(s);
  if (w.a) return w.a;
  const ls = layers(s);
  const nullable = ls.some((l) => l._zod.def.type === 'nullable');
  const text = describeBare(bare(s));
  return nullable ? `${text}, or empty` : text;
}

function describeBare(s: Schema): string {
  const d = s._zod.def;
  switch (d.type) {
    case 'string':
      return 'text';
    case 'number':
      return numberWords(d);
    case 'boolean':
      return '`true` or `false`';
    case 'enum':
      return `one of ${listOf(Object.values(d.entries ?? {}).map(String))}`;
    case 'literal':
      return (d.values ?? []).map(code).join(' or ');
    case 'array':
      return `a list of ${plural(d.element!)}`;
    case 'record':
    case 'object':
      return 'a map (`key: value` lines)';
    case 'union':
      return [...new Set((d.options ?? []).map(describe))].join(', or ');
    default:
      return 'something else';
  }
}

function plural(s: Schema): string {
  const w = wordsOf(s);
  if (w.many) return w.many;
  if (w.a) return `${w.a.replace(/^(a|an) /, '')}s`;
  const d = bare(s)._zod.def;
  switch (d.type) {
    case 'string':
      return 'text values';
    case 'number':
      return 'numbers';
    case 'enum':
    case 'literal':
      return `values, each ${describeBare(bare(s))}`;
    case 'record':
    case 'object':
      return 'maps';
    case 'array':
      return 'lists';
    default:
      return 'values';
  }
}

/** The value the user wrote, shown safely and briefly. */
function shown(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'empty';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  if (typeof v === 'string') {
    const t = printable(v);
    return `'${t.length > 60 ? `${t.slice(0, 57)}…` : t}'`;
  }
  return printable(String(v));
}

function valueAt(data: unknown, path: Path): unknown {
  let v = data;
  for (const key of path) v = isMapValue(v) || Array.isArray(v) ? (v as Record<PropertyKey, unknown>)[key] : undefined;
  return v;
}

/** zod's own wording (as opposed to a message the schema's author wrote). */
const LIBRARY_WORDING = /^(Invalid (input|option|string|key|element|value|discriminator)|Too (small|big)|Unrecognized key|Expected )/;

function mustBe(s: Schema | undefined, value: unknown, path: Path, allowed: readonly string[] = []): string {
  const subject = path.length === 0 ? 'the file must be' : 'must be';
  const close = typeof value === 'string' ? suggest(value, allowed) : undefined;
  const what = s ? describe(s) : allowed.length ? `one of ${listOf(allowed)}` : 'something else';
  return `${subject} ${what}, not ${shown(value)}${close ? ` — did you mean ${code(close)}?` : ''}`;
}

function sizeWords(issue: Extract<Issue, { code: 'too_small' | 'too_big' }>, s: Schema | undefined, value: unknown, path: Path): string {
  const small = issue.code === 'too_small';
  const n = Number(small ? issue.minimum : issue.maximum);
  if (issue.origin === 'string') {
    if (small && n === 1) return 'must not be empty';
    return `must be at ${small ? 'least' : 'most'} ${n} characters long, not ${shown(value)}`;
  }
  if (issue.origin === 'array') {
    const items = s && bare(s)._zod.def.element ? plural(bare(s)._zod.def.element!) : 'items';
    if (small && n === 1) return 'must not be an empty list';
    return `must have at ${small ? 'least' : 'most'} ${n} ${items}`;
  }
  return mustBe(s, value, path);
}

/** One zod issue as plain sentences (a union's issue may stand for several). */
function explainIssue(issue: Issue, root: Schema, data: unknown): Explained[] {
  const path = [...issue.path];
  const s = schemaAt(root, path, data);
  const value = valueAt(data, path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = keysOf(s, value);
      return issue.keys.map((key) => {
        const close = suggest(key, allowed);
        const message = close ? `unknown key — did you mean ${code(close)}?` : allowed.length ? `unknown key — allowed here: ${listOf(allowed)}` : 'unknown key';
        return { path: [...path, key], message };
      });
    }
    case 'invalid_type':
      if (path.length === 0 && (value === undefined || value === null)) return [{ path, message: `the file is empty — ${s ? (wordsOf(s).missing ?? `it must be ${describe(s)}`) : 'it needs content'}` }];
      if (value === undefined) return [{ path, message: missing(s) }];
      return [{ path, message: mustBe(s, value, path) }];
    case 'invalid_value':
      if (value === undefined) return [{ path, message: missing(s) }];
      return [{ path, message: mustBe(s, value, path, issue.values.map(String)) }];
    case 'invalid_union': {
      if ('discriminator' in issue && issue.discriminator !== undefined) {
        const options = ((issue as { options?: unknown[] }).options ?? []).map(String);
        if (value === undefined) return [{ path, message: `is missing — it must be one of ${listOf(options)}` }];
        return [{ path, message: mustBe(undefined, value, path, options) }];
      }
      // An option that matched the value's shape and failed deeper says more than "none matched".
      const deeper = issue.errors.filter((errs) => errs.length > 0 && errs.every((e) => e.path.length > 0));
      if (deeper.length > 0) {
        const best = deeper.reduce((a, b) => (b.length < a.length ? b : a));
        return best.flatMap((e) => explainIssue({ ...e, path: [...path, ...e.path] } as Issue, root, data));
      }
      return [{ path, message: mustBe(s, value, path) }];
    }
    case 'invalid_format':
      if (s && wordsOf(s).a) return [{ path, message: mustBe(s, value, path) }];
      if (!LIBRARY_WORDING.test(issue.message)) return [{ path, message: issue.message.startsWith('must ') ? `${issue.message}, not ${shown(value)}` : issue.message }];
      return [{ path, message: `must match the pattern ${issue.pattern ?? issue.format}, not ${shown(value)}` }];
    case 'too_small':
    case 'too_big':
      return [{ path, message: sizeWords(issue, s, value, path) }];
    case 'invalid_key': {
      const inner = issue.issues[0];
      const key = path.at(-1);
      const why = inner?.code === 'too_small' ? 'a key must not be empty' : inner && !LIBRARY_WORDING.test(inner.message) ? inner.message : 'not an allowed key';
      return [{ path, message: `${why}${key === '' ? '' : ` (${shown(key)})`}` }];
    }
    default:
      return [{ path, message: LIBRARY_WORDING.test(issue.message) ? mustBe(s, value, path) : issue.message }];
  }
}

function missing(s: Schema | undefined): string {
  const why = s ? (wordsOf(s).missing ?? `it must be ${describe(s)}`) : 'it is required';
  return `is missing — ${why}`;
}

const samePath = (a: Path, b: Path) => a.length === b.length && a.every((k, i) => k === b[i]);

/**
 * Every issue of a failed parse in plain words. A missing key next to an unknown one that is close to
 * it (`host:` for `hosts:`) is one problem, not two: the missing key, pointing at the misspelling.
 */
export function explain(issues: readonly Issue[], root: Schema, data: unknown): Explained[] {
  const all = issues.flatMap((i) => explainIssue(i, root, data));
  const unknown = issues.flatMap((i) => (i.code === 'unrecognized_keys' ? i.keys.map((k) => [...i.path, k]) : []));
  const folded = new Set<Explained>();
  for (const p of all) {
    if (!p.message.startsWith('is missing') || p.path.length === 0) continue;
    const parent = p.path.slice(0, -1);
    const siblings = unknown.filter((u) => samePath(u.slice(0, -1), parent)).map((u) => String(u.at(-1)));
    const typo = suggest(String(p.path.at(-1)), siblings);
    if (typo === undefined) continue;
    p.message += ` (did you write ${code(`${typo}:`)}?)`;
    p.at = [...parent, typo];
    const dup = all.find((q) => q !== p && samePath(q.path, p.at!));
    if (dup) folded.add(dup);
  }
  // One message per field: a value that breaks two rules (a pattern and a length) is one thing to fix.
  const seen = new Set<string>();
  return all.filter((p) => {
    const key = JSON.stringify((p.at ?? p.path).map(String));
    if (folded.has(p) || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
