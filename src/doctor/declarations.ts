/**
 * Check declarations (checks/*.yaml) as data: loaded, validated with a zod schema, and mapped back
 * to file:line:field on error. The checks' logic lives in src/doctor/checks/*.ts, named by `logic`.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
// yaml is imported statically: this module is only reached through the lazily loaded doctor run, and a
// dynamic import of a CommonJS package loses its named exports once bundled (scripts/bundle.mjs).
import { isNode, LineCounter, parseDocument } from 'yaml';
import { InputError } from '../core/errors.js';
import { SERVICE_OPERATIONS, type ServiceOperation } from '../plan/service-managers.js';

export type Severity = 'error' | 'warning' | 'info';
export type FixClass = 'safe' | 'confirm-root-equivalent' | 'manual' | 'never-auto';

/**
 * A service operation (`service: restart docker.socket docker`), rendered for the host's init system
 * (src/plan/service-managers.ts): systemctl, rc-service, service — or left out where it means nothing.
 */
export interface ServiceCommand {
  service: ServiceOperation;
  names: string[];
}

export interface FixDecl {
  class: FixClass;
  /** Command templates ({{user}}, {{socket}}… filled from the check function's vars, shell-quoted) and service operations. */
  commands: Array<string | ServiceCommand>;
  /** Who runs the commands: root (via sudo) or the checked user. */
  as: 'root' | 'user';
  /** Shown with the fix (a manual step, a caveat). */
  note?: string;
}

export interface CheckDecl {
  id: string;
  title: string;
  severity: Severity;
  /** A security finding: always named as such. */
  security: boolean;
  dependsOn: string[];
  /** The check function (src/doctor/checks/*.ts) by name. */
  logic: string;
  explanation: string;
  fix?: FixDecl;
  /** Alternative fixes, picked by the check function's `fix` result (e.g. `service` when there is no systemd). */
  fixes: Record<string, FixDecl>;
  /** Where it was declared, for messages. */
  source: string;
}

// zod is imported lazily: it costs ~40 ms of startup, and the schema is only needed at load.
async function buildSchema() {
  const { z } = await import('zod');
  const serviceCommand = z
    .strictObject({
      service: z
        .string()
        .regex(
          new RegExp(`^(?:${SERVICE_OPERATIONS.join('|')})(?: [a-z0-9][a-z0-9@_.-]*)+$`),
          `an operation (${SERVICE_OPERATIONS.join(', ')}) and service names, e.g. \`restart docker.socket docker\``,
        ),
    })
    .transform(({ service }): ServiceCommand => {
      const [op, ...names] = service.split(' ');
      return { service: op as ServiceOperation, names };
    });
  const fix = z.strictObject({
    class: z.enum(['safe', 'confirm-root-equivalent', 'manual', 'never-auto']),
    commands: z.array(z.union([z.string().min(1), serviceCommand])).default([]),
    as: z.enum(['root', 'user']).default('root'),
    note: z.string().optional(),
  });
  const check = z.strictObject({
    id: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*(?:\.[a-z0-9]+(?:-[a-z0-9]+)*)+$/, 'kebab-case ids like `socket.permission`'),
    title: z.string().min(1),
    severity: z.enum(['error', 'warning', 'info']),
    security: z.boolean().default(false),
    dependsOn: z.array(z.string()).default([]),
    logic: z.string().regex(/^[a-zA-Z][a-zA-Z0-9]*$/, 'a check function name'),
    explanation: z.string().min(1),
    fix: fix.optional(),
    fixes: z.record(z.string(), fix).default({}),
  });
  return z.strictObject({ checks: z.array(check).min(1) });
}

/** Parse and validate one YAML text; errors name file:line and the field path. */
export async function parseDeclarations(text: string, file: string): Promise<CheckDecl[]> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    const pos = lineCounter.linePos(e.pos[0]);
    throw new InputError(file, e.message.split('\n')[0]!, { line: pos.line, column: pos.col });
  }
  const schema = await buildSchema();
  const result = schema.safeParse(doc.toJS());
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const path = issue.path.map((p) => (typeof p === 'number' ? p : String(p)));
    // Walk up the path until a node exists (a missing field is reported on its parent's line).
    let line: number | undefined;
    for (let n = path.length; n >= 0 && line === undefined; n--) {
      const node = doc.getIn(path.slice(0, n), true);
      if (isNode(node) && node.range) line = lineCounter.linePos(node.range[0]).line;
    }
    const field = path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('').replace(/^\./, '');
    throw new InputError(file, issue.message, { line, field: field || undefined });
  }
  return result.data.checks.map((c) => ({ ...c, source: file }));
}

/** Load every checks/*.yaml, in name order; ids must be unique and dependencies must exist. */
export async function loadDeclarations(dir: string): Promise<CheckDecl[]> {
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml') || f.endsWith('.yml')).sort();
  const all: CheckDecl[] = [];
  for (const f of files) {
    const path = join(dir, f);
    all.push(...(await parseDeclarations(readFileSync(path, 'utf8'), relative(process.cwd(), path) || path)));
  }
  validateGraph(all);
  return all;
}

export function validateGraph(checks: CheckDecl[]): void {
  const ids = new Map<string, CheckDecl>();
  for (const c of checks) {
    if (ids.has(c.id)) throw new InputError(c.source, `duplicate check id ${c.id} (also in ${ids.get(c.id)!.source})`, { field: 'id' });
    ids.set(c.id, c);
  }
  for (const c of checks) {
    for (const d of c.dependsOn) {
      if (!ids.has(d)) throw new InputError(c.source, `check ${c.id} depends on unknown check ${d}`, { field: 'dependsOn' });
    }
  }
  // Dependencies must come first in declaration order: that both forbids cycles and makes the
  // report read from causes to consequences.
  const seen = new Set<string>();
  for (const c of checks) {
    for (const d of c.dependsOn) {
      if (!seen.has(d)) throw new InputError(c.source, `check ${c.id} depends on ${d}, which is declared after it`, { field: 'dependsOn' });
    }
    seen.add(c.id);
  }
}
