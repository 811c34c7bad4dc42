/**
 * Runs the declared checks over the evidence: dependency order, children of a failed check
 * skipped (not reported as noise), fix templates filled with shell-quoted vars.
 */
import { serviceManagerFor, type ServiceManager, type ServiceOperation } from '../plan/service-managers.js';
import { shQuote } from '../shell/quote.js';
import { unixSocketPath, type ApiAnswer } from './api.js';
import type { CheckDecl, FixClass, FixDecl, Severity } from './declarations.js';
import { DEFAULT_ENDPOINT, resolveEndpoint } from './endpoint.js';
import { ABSENCE_IS_A_FACT, type DoctorEvidence, type SocketStat } from './evidence.js';
import type { CheckFn, CheckInput, CheckResult, CheckStatus } from './checks/types.js';

export interface FindingFix {
  class: FixClass;
  as: 'root' | 'user';
  commands: string[];
  note?: string;
}

export interface Finding {
  id: string;
  title: string;
  severity: Severity;
  security: boolean;
  status: CheckStatus;
  /** What was found (the check function's summary, else the title). */
  summary: string;
  evidence: string[];
  explanation?: string;
  fix?: FindingFix;
  /** Set when skipped because a check it depends on failed. */
  skippedBecause?: string;
}

/** A finding that is a problem (counts toward exit code 1). */
export const isProblem = (f: Finding) => f.status === 'fail' && f.severity === 'error';
export const isWarning = (f: Finding) => f.status === 'warn' || (f.status === 'fail' && f.severity !== 'error');

function statOf(ev: DoctorEvidence, path: string): SocketStat {
  return ev.client.sockets?.find((s) => s.path === path) ?? (ev.facts.socket?.path === path ? ev.facts.socket : { path, exists: false });
}

/**
 * Without a connection (over SSH for a --user other than the login user, whose permissions sshd's
 * socket forwarding does not have) some outcomes are still certain from a stat: nothing at the path,
 * a directory, a plain file.
 */
export function inferFromStat(endpoint: string, s: SocketStat): ApiAnswer | undefined {
  const error = !s.exists
    ? { kind: 'ENOENT' as const, message: `no such file (stat of ${s.path})` }
    : s.type === 'directory'
      ? { kind: 'EISDIR' as const, message: `${s.path} is a directory (stat)` }
      : s.type === 'file'
        ? { kind: 'ENOTSOCK' as const, message: `${s.path} is a regular file (stat)` }
        : undefined;
  return error ? { endpoint, ok: false, inferred: true, error } : undefined;
}

/** The evidence the endpoint resolution reads: without any of it, the endpoint is a guess. */
const ENDPOINT_EVIDENCE = ['env', 'configJson', 'contextMeta'] as const;

export function deriveInput(ev: DoctorEvidence): CheckInput {
  const c = ev.client;
  const endpoint = resolveEndpoint({ env: c.env ?? {}, configJson: c.configJson ?? { path: '', exists: false }, contextMeta: c.contextMeta ?? {} });
  const socketPath = unixSocketPath(endpoint.endpoint);
  const socket = socketPath ? statOf(ev, socketPath) : undefined;
  const probed = (e: string, path: string | undefined, s: SocketStat | undefined) =>
    ev.api.find((p) => p.endpoint === e) ?? (ev.apiVia === 'not-probed' && path && s ? inferFromStat(e, s) : undefined);
  const primary = probed(endpoint.endpoint, socketPath, socket);
  const defaultPath = unixSocketPath(DEFAULT_ENDPOINT)!;
  const defaultApi = probed(DEFAULT_ENDPOINT, defaultPath, statOf(ev, defaultPath));
  return { ...ev, endpoint, primary, defaultApi, socketPath, socket };
}

/**
 * Run a check function, recording every piece of evidence it read that was not there (a facts/client field,
 * a unit record, the API answer, the socket's stat). A pass that rests on missing evidence is not a
 * pass: it becomes a skip naming what is missing. A check function that throws on missing evidence skips too.
 */
export function evaluate(check: CheckFn, input: CheckInput): CheckResult {
  const missing = new Set<string>();
  const watch = <T extends object>(obj: T, prefix: string, maps: Record<string, string> = {}): T =>
    new Proxy(obj, {
      get(target, key, recv) {
        const value = Reflect.get(target, key, recv);
        if (typeof key !== 'string') return value;
        const piece = `${prefix}.${key}`;
        if (value === undefined && !ABSENCE_IS_A_FACT.has(piece)) missing.add(piece);
        return maps[key] && value && typeof value === 'object' ? watch(value as object, maps[key]!) : value;
      },
    });
  const traced = new Proxy(
    { ...input, facts: watch(input.facts, 'facts', { units: 'facts.units' }), client: watch(input.client, 'client') },
    {
      get(target, key, recv) {
        const value = Reflect.get(target, key, recv);
        if (value === undefined && (key === 'primary' || key === 'defaultApi')) missing.add('the API answer');
        if (value === undefined && key === 'socket' && input.socketPath) missing.add(`a stat of ${input.socketPath}`);
        if (key === 'endpoint' || key === 'socket' || key === 'socketPath' || key === 'primary') {
          for (const k of ENDPOINT_EVIDENCE) if (input.client[k] === undefined) missing.add(`client.${k}`);
        }
        if ((key === 'socket' || key === 'primary') && input.client.sockets === undefined) missing.add('client.sockets');
        return value;
      },
    },
  );
  let r: CheckResult;
  try {
    r = check(traced);
  } catch (err) {
    const what = missing.size ? [...missing].join(', ') : (err as Error).message;
    return { status: 'skip', summary: `not checked: evidence missing (${what})`, evidence: [] };
  }
  if (r.status === 'pass' && missing.size) return { status: 'skip', summary: `not checked: no evidence of ${[...missing].join(', ')}`, evidence: r.evidence };
  return r;
}

function fill(template: string, vars: Record<string, string>): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) => (vars[name] === undefined ? whole : shQuote(vars[name]!)));
}

/** `{{service start docker}}` in a note: the operation as this host's init system writes it. */
const SERVICE_IN_NOTE = /\{\{service ([a-z-]+) ([a-z0-9@_. -]+)\}\}/g;

/** Only the host's service manager knows how to start a service: without one, the fix says so. */
const NO_SERVICE_MANAGER = 'this host has no init system and no `service` command: start dockerd yourself (e.g. `dockerd &`)';

function renderFix(decl: FixDecl, vars: Record<string, string>, services: ServiceManager): FindingFix {
  let dropped = false;
  const commands = decl.commands.flatMap((c) => {
    if (typeof c === 'string') return [fill(c, vars)];
    const line = services.render(c.service, c.names);
    if (line === undefined && services.kind === 'none') dropped = true;
    return line === undefined ? [] : [line];
  });
  const note =
    decl.note === undefined
      ? undefined
      : decl.note
          .replace(SERVICE_IN_NOTE, (w, op: string, names: string) => services.render(op as ServiceOperation, names.split(' ')) ?? w)
          .replace(/\{\{\s*(\w+)\s*\}\}/g, (w, n: string) => vars[n] ?? w);
  return {
    class: decl.class,
    as: decl.as,
    commands,
    note: dropped ? [note, NO_SERVICE_MANAGER].filter(Boolean).join('; ') : note,
  };
}

export function runChecks(decls: readonly CheckDecl[], fns: Record<string, CheckFn>, evidence: DoctorEvidence): Finding[] {
  const input = deriveInput(evidence);
  // Without init evidence (never from a real probe) no service command can be rendered for the host.
  const services = serviceManagerFor(evidence.facts.init ? evidence.facts : { init: { system: 'none', hasServiceCommand: false, wsl: false } });
  const baseVars: Record<string, string> = {
    user: evidence.client.user?.name ?? '',
    home: evidence.client.user?.home ?? '',
    configDir: evidence.client.configDir?.path ?? '',
    ...(input.socketPath ? { socket: input.socketPath } : {}),
  };
  const byId = new Map<string, Finding>();
  const findings: Finding[] = [];
  for (const decl of decls) {
    const blocker = decl.dependsOn.map((d) => byId.get(d)).find((f) => f && (f.status === 'fail' || f.skippedBecause));
    let finding: Finding;
    if (blocker) {
      finding = {
        id: decl.id,
        title: decl.title,
        severity: decl.severity,
        security: decl.security,
        status: 'skip',
        summary: decl.title,
        evidence: [],
        skippedBecause: blocker.skippedBecause ?? blocker.id,
      };
    } else {
      const fn = fns[decl.logic];
      if (!fn) throw new Error(`check ${decl.id}: check function ${decl.logic} is not implemented`);
      const r = evaluate(fn, input);
      const fixDecl = r.fix !== undefined ? decl.fixes[r.fix] ?? decl.fix : decl.fix;
      const failing = r.status === 'fail' || r.status === 'warn';
      finding = {
        id: decl.id,
        title: decl.title,
        severity: decl.severity,
        security: decl.security,
        status: r.status,
        summary: r.summary ?? decl.title,
        evidence: r.evidence,
        explanation: failing ? decl.explanation.trim() : undefined,
        fix: failing && fixDecl ? renderFix(fixDecl, { ...baseVars, ...r.vars }, services) : undefined,
      };
    }
    byId.set(decl.id, finding);
    findings.push(finding);
  }
  return findings;
}

export interface Summary {
  problems: number;
  warnings: number;
  ok: number;
  skipped: number;
}

export function summarize(findings: readonly Finding[]): Summary {
  return {
    problems: findings.filter(isProblem).length,
    warnings: findings.filter(isWarning).length,
    ok: findings.filter((f) => f.status === 'pass').length,
    skipped: findings.filter((f) => f.status === 'skip').length,
  };
}

export function summaryLine(s: Summary): string {
  const n = (k: number, one: string, many: string) => `${k} ${k === 1 ? one : many}`;
  return `${n(s.problems, 'problem', 'problems')}, ${n(s.warnings, 'warning', 'warnings')}, ${s.ok} ok, ${s.skipped} skipped`;
}
