/**
 * `docker context` per host on the operator's machine, so `docker --context web-1 ps` reaches each host
 * over SSH. A pure planner: the contexts that exist (`docker context ls --format json`) and the hosts go
 * in, exact docker CLI argument lists come out (none when a context is already right). It never switches
 * the current context unless asked to.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CommandError, InputError, UsageError } from '../core/errors.js';
import { shJoin } from '../shell/quote.js';
import type { HostEntry } from '../inventory/types.js';
import type { TargetSpec } from '../transport/types.js';

export interface ExistingContext {
  name: string;
  endpoint: string;
  current: boolean;
  description: string;
}

export type ContextActionKind = 'create' | 'update' | 'unchanged' | 'skip';

export interface ContextAction {
  host: string;
  context: string;
  endpoint?: string;
  action: ContextActionKind;
  /** Why a host is skipped. */
  reason?: string;
  /** `docker` arguments to run; absent when nothing is to be done. */
  argv?: string[];
}

export interface ContextPlan {
  actions: ContextAction[];
  /** `docker context use NAME`, only with --use. */
  use?: { context: string; argv: string[] };
  warnings: string[];
}

/** Docker's own rule for context names (checked by `docker context create`). */
const contextNamePattern = /^[a-zA-Z0-9][a-zA-Z0-9_.+-]+$/;
const description = (host: string) => `dockhand: ${host}`;

/** Parse `docker context ls --format json`: one JSON object per line (older CLIs print an array). */
export function parseContextList(output: string, source = 'docker context ls'): ExistingContext[] {
  const text = output.trim();
  if (text === '') return [];
  let records: unknown[];
  try {
    records = text.startsWith('[') ? (JSON.parse(text) as unknown[]) : text.split('\n').map((line) => JSON.parse(line) as unknown);
  } catch (err) {
    throw new InputError(source, `not JSON: ${(err as Error).message}`);
  }
  return records.map((r) => {
    const o = r as Record<string, unknown>;
    return {
      name: String(o.Name ?? ''),
      endpoint: String(o.DockerEndpoint ?? ''),
      current: o.Current === true,
      description: String(o.Description ?? ''),
    };
  });
}

/** `ssh://[user@]host[:port]`; user and port left out when unknown so ~/.ssh/config decides, as for ssh. */
export function dockerEndpoint(spec: TargetSpec): string {
  const host = spec.host ?? spec.name;
  const bracketed = host.includes(':') ? `[${host}]` : host;
  return `ssh://${spec.user ? `${spec.user}@` : ''}${bracketed}${spec.port ? `:${spec.port}` : ''}`;
}

export function planContexts(hosts: readonly HostEntry[], existing: readonly ExistingContext[], opts: { use?: string; prefix?: string } = {}): ContextPlan {
  const byName = new Map(existing.map((c) => [c.name, c]));
  const warnings: string[] = [];
  const actions = hosts.map((h): ContextAction => {
    const context = contextName(h, opts.prefix ?? '');
    if (h.spec.kind === 'local') return { host: h.name, context, action: 'skip', reason: "this machine: Docker's default context already reaches it" };
    if (!contextNamePattern.test(context) || context === 'default') {
      return { host: h.name, context, action: 'skip', reason: `'${context}' is not a valid docker context name (letters, digits, _ . + -)` };
    }
    const endpoint = dockerEndpoint(h.spec);
    if (h.spec.sshConfigFile) {
      warnings.push(`${h.name}: resolved through ${h.spec.sshConfigFile}, but docker's ssh reads only ~/.ssh/config: copy the Host ${h.spec.host ?? h.name} block there`);
    } else if (h.spec.jump || h.spec.identityFiles?.length) warnings.push(sshConfigAdvice(h.spec));
    const have = byName.get(context);
    if (!have) {
      return { host: h.name, context, endpoint, action: 'create', argv: ['context', 'create', context, '--description', description(h.name), '--docker', `host=${endpoint}`] };
    }
    if (have.endpoint === endpoint) return { host: h.name, context, endpoint, action: 'unchanged' };
    if (!have.description.startsWith('dockhand:')) {
      warnings.push(`context '${context}' was not made by dockhand (endpoint ${have.endpoint || 'none'}); updating its endpoint`);
    }
    return { host: h.name, context, endpoint, action: 'update', argv: ['context', 'update', context, '--docker', `host=${endpoint}`] };
  });
  const plan: ContextPlan = { actions, warnings };
  if (opts.use !== undefined) {
    const usable = actions.some((a) => a.context === opts.use && a.action !== 'skip') || byName.has(opts.use);
    if (!usable) throw new UsageError(`--use ${opts.use}: no such context`, `contexts: ${actions.filter((a) => a.action !== 'skip').map((a) => a.context).join(', ')}`);
    plan.use = { context: opts.use, argv: ['context', 'use', opts.use] };
  }
  return plan;
}

/** The host's name; for a `-H user@host:port` target (not a valid context name), the host part. */
function contextName(h: HostEntry, prefix: string): string {
  const byName = `${prefix}${h.name}`;
  const byHost = `${prefix}${h.spec.host ?? ''}`;
  return !contextNamePattern.test(byName) && contextNamePattern.test(byHost) ? byHost : byName;
}

/** docker runs the system `ssh` with only user, host and port: jump hosts and keys must come from ~/.ssh/config. */
function sshConfigAdvice(spec: TargetSpec): string {
  const lines = [`Host ${spec.host ?? spec.name}`];
  if (spec.jump) lines.push(`  ProxyJump ${spec.jump}`);
  for (const key of spec.identityFiles ?? []) lines.push(`  IdentityFile ${key}`);
  return `${spec.name}: docker's ssh reads ~/.ssh/config for the jump host/key; add:\n${lines.join('\n')}`;
}

/** Runs the docker CLI with an argument list (no shell) and returns its stdout. */
export type DockerRunner = (args: string[]) => Promise<string>;

export function dockerCli(env: NodeJS.ProcessEnv = process.env): DockerRunner {
  const run = promisify(execFile);
  return async (args) => {
    try {
      return (await run('docker', args, { encoding: 'utf8', env })).stdout;
    } catch (err) {
      const e = err as NodeJS.ErrnoException & { code?: number | string; stderr?: string };
      if (e.code === 'ENOENT') throw new UsageError('the docker CLI is not installed on this machine', 'install the Docker CLI (docker-ce-cli or docker.io)');
      throw new CommandError('local', shJoin(['docker', ...args]), typeof e.code === 'number' ? e.code : null, e.stderr ?? String(err));
    }
  };
}

/** The docker commands (argv after `docker`) that carry out a plan, in order. */
export function contextCommands(plan: ContextPlan): string[][] {
  return [...plan.actions.flatMap((a) => (a.argv ? [a.argv] : [])), ...(plan.use ? [plan.use.argv] : [])];
}

/** Read the existing contexts, plan, and (unless dryRun) run the plan's docker commands in order. */
export async function syncDockerContexts(
  hosts: readonly HostEntry[],
  docker: DockerRunner,
  opts: { use?: string; prefix?: string; dryRun?: boolean; onCommand?: (args: string[]) => void } = {},
): Promise<ContextPlan> {
  const plan = planContexts(hosts, parseContextList(await docker(['context', 'ls', '--format', 'json'])), opts);
  const commands = contextCommands(plan);
  for (const args of commands) {
    opts.onCommand?.(args);
    if (!opts.dryRun) await docker(args);
  }
  return plan;
}

/**
 * One line per host: what happened to its context; with `dryRun`, what would happen (the same plan,
 * nothing run), then the docker commands that would run, in order.
 */
export function renderContextPlan(plan: ContextPlan, opts: { dryRun?: boolean } = {}): string {
  const verb = opts.dryRun
    ? ({ create: 'would create', update: 'would update', unchanged: 'unchanged', skip: 'skipped' } as const)
    : ({ create: 'created', update: 'updated', unchanged: 'unchanged', skip: 'skipped' } as const);
  const width = opts.dryRun ? 12 : 9;
  const lines = plan.actions.map((a) => `${verb[a.action].padEnd(width)} ${a.context}${a.endpoint ? ` → ${a.endpoint}` : ''}${a.reason ? ` (${a.reason})` : ''}`);
  if (plan.use) lines.push(`${opts.dryRun ? 'would make current' : 'current context'}: ${plan.use.context}`);
  if (opts.dryRun) {
    const commands = contextCommands(plan);
    lines.push('', commands.length ? 'docker commands it would run:' : 'nothing to run: every context is up to date', ...commands.map((c) => `  ${shJoin(['docker', ...c])}`));
  }
  return lines.join('\n') + '\n';
}
