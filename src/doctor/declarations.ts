/**
 * Check declarations (checks/*.yaml) as data: loaded, validated with a zod schema, and mapped back
 * to file:line:field on error. The checks' logic lives in src/doctor/checks/*.ts, named by `logic`.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { InputError } from '../core/errors.js';
// The loader imports yaml statically: this module is only reached through the lazily loaded doctor run,
// and a dynamic import of a CommonJS package loses its named exports once bundled (scripts/bundle.mjs).
import { readYaml, validateData } from '../data/yaml-schema.js';
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

// zod is imported lazily: it costs ~40 ms of startup, and the schema is only needed at load (and by
// `npm run schema`, which writes schemas/checks.schema.json from it).
export async function checkDeclarationsSchema() {
  const { z } = await import('zod');
  const serviceCommand = z
    .strictObject({
      service: z
        .string()
        .regex(
          new RegExp(`^(?:${SERVICE_OPERATIONS.join('|')})(?: [a-z0-9][a-z0-9@_.-]*)+$`),
          `must be an operation (${SERVICE_OPERATIONS.join(', ')}) and service names, e.g. \`restart docker.socket docker\``,
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
    id: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*(?:\.[a-z0-9]+(?:-[a-z0-9]+)*)+$/, 'must be a dotted kebab-case id like `socket.permission`'),
    title: z.string().min(1),
    severity: z.enum(['error', 'warning', 'info']),
    security: z.boolean().default(false),
    dependsOn: z.array(z.string()).default([]),
    logic: z.string().regex(/^[a-zA-Z][a-zA-Z0-9]*$/, 'must be the name of a check function (a letter, then letters and digits)'),
    explanation: z.string().min(1),
    fix: fix.optional(),
    fixes: z.record(z.string(), fix).default({}),
  });
  return z.strictObject({ checks: z.array(check).min(1) });
}

/** The JSON Schema editors use for checks/*.yaml (schemas/checks.schema.json, written by `npm run schema`). */
export async function checkDeclarationsJsonSchema(): Promise<Record<string, unknown>> {
  const { z } = await import('zod');
  return { ...z.toJSONSchema(await checkDeclarationsSchema(), { io: 'input', unrepresentable: 'any' }), title: 'dockhand check declarations' };
}

/** Parse and validate one YAML text; every problem is reported as file:line:col: field: message. */
export async function parseDeclarations(text: string, file: string): Promise<CheckDecl[]> {
  const { data, locate } = readYaml(text, file);
  const declarations = validateData(await checkDeclarationsSchema(), data, file, locate);
  return declarations.checks.map((c) => ({ ...c, source: file }));
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
