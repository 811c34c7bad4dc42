/**
 * The health gate of a rolling run (`up --serial`), after each host is done: the API answers (as
 * root, with the engine's version), every container that ran before with a restart policy runs again
 * and keeps running (same start time a few seconds later: not a restart loop), and the doctor's
 * daemon checks pass. It passes only on that positive evidence; until the deadline it keeps looking
 * (a daemon restarting after an upgrade takes a while), then it fails naming what it last saw.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { isProblem, runChecks, type Finding } from '../doctor/engine.js';
import type { CheckDecl } from '../doctor/declarations.js';
import { gatherEvidence } from '../doctor/gather.js';
import { checkFns } from '../doctor/checks/index.js';
import type { Transport } from '../transport/types.js';
import { comesBack, listContainers, type ContainerList, type ContainerState } from './containers.js';

export interface GateOptions {
  /** How long the host may take to become healthy (default 120 s). */
  timeoutMs?: number;
  /** How long a container must keep running, unrestarted, to count (default 5 s). */
  settleMs?: number;
  pollMs?: number;
  /** The doctor's check declarations (checks/*.yaml). */
  decls: Promise<readonly CheckDecl[]>;
  /** The engine package (docker-ce, docker.io): its installed version goes into the result. */
  engine?: string;
  /** Stop waiting (Ctrl-C). */
  signal?: AbortSignal;
  /** Each time the gate is still waiting: what it waits for. */
  progress?: (text: string) => void;
  now?: () => number;
}

export interface GateResult {
  ok: boolean;
  /** The engine's version as the API reported it. */
  version?: string;
  /** The engine package's installed version (from the doctor's facts). */
  packageVersion?: string;
  /** What is wrong (empty when ok). */
  problems: string[];
}

export const GATE_DEFAULTS = { timeoutMs: 120_000, settleMs: 5_000, pollMs: 2_000 } as const;

/** Which of the containers that must come back do not run now (pure). */
export function containerProblems(expected: readonly ContainerState[], now: ContainerList): string[] {
  if (!now.answered) return ['the Docker API does not answer'];
  const problems: string[] = [];
  if (now.unreadable) problems.push(`${now.unreadable} container record(s) unreadable`);
  const byId = new Map(now.containers.map((c) => [c.id, c]));
  for (const c of expected) {
    const seen = byId.get(c.id);
    if (!seen) problems.push(`container ${c.name} (restart ${c.restartPolicy}) is gone`);
    else if (seen.status !== 'running') problems.push(`container ${c.name} (restart ${c.restartPolicy}) is ${seen.status}`);
  }
  return problems;
}

/** Containers that were restarted (or stopped) between two looks: a restart loop is not "running again" (pure). */
export function unsettled(first: ContainerList, second: ContainerList): string[] {
  const later = new Map(second.containers.map((c) => [c.id, c]));
  return first.containers.flatMap((c) => {
    const s = later.get(c.id);
    if (!s || s.status !== 'running') return [`container ${c.name} stopped again`];
    if (s.startedAt !== c.startedAt || s.restartCount !== c.restartCount) return [`container ${c.name} keeps restarting (restart count ${s.restartCount})`];
    return [];
  });
}

/** The doctor's daemon checks (daemon.*): each must have run and not found an error; daemon.running must pass (pure). */
export function daemonCheckProblems(findings: readonly Finding[]): string[] {
  const daemon = findings.filter((f) => f.id.startsWith('daemon.'));
  const problems = daemon.filter(isProblem).map((f) => `doctor ${f.id}: ${f.summary}`);
  const running = daemon.find((f) => f.id === 'daemon.running');
  if (!running) problems.push('doctor daemon.running did not run');
  else if (running.status !== 'pass' && !isProblem(running)) problems.push(`doctor daemon.running: ${running.status}: ${running.summary}`);
  return problems;
}

const VERSION = /^[0-9][0-9A-Za-z.+~-]{0,63}$/;

/** The engine's version as the API answers it (as root), or undefined. */
export async function serverVersion(transport: Transport): Promise<string | undefined> {
  const r = await transport.exec(`docker version --format '{{.Server.Version}}'`, { sudo: true, timeoutMs: 30_000 });
  const text = r.stdout.trim();
  return r.code === 0 && VERSION.test(text) ? text : undefined;
}

/** Containers of `before` that the daemon should start again by itself. */
export const mustComeBack = (before: readonly ContainerState[]) => before.filter((c) => c.status === 'running' && comesBack(c));

export async function healthGate(transport: Transport, before: readonly ContainerState[], opts: GateOptions): Promise<GateResult> {
  const now = opts.now ?? Date.now;
  const timeoutMs = opts.timeoutMs ?? GATE_DEFAULTS.timeoutMs;
  const pollMs = opts.pollMs ?? GATE_DEFAULTS.pollMs;
  const settleMs = opts.settleMs ?? GATE_DEFAULTS.settleMs;
  const deadline = now() + timeoutMs;
  const expected = mustComeBack(before);
  const ids = expected.map((c) => c.id);
  let problems: string[] = [];
  let version: string | undefined;
  let packageVersion: string | undefined;
  for (;;) {
    if (opts.signal?.aborted) return { ok: false, version, packageVersion, problems: ['interrupted before the gate passed', ...problems] };
    version = await serverVersion(transport);
    if (!version) problems = ['the Docker API does not answer'];
    else {
      const first = await listContainers(transport, ids);
      problems = containerProblems(expected, first);
      if (problems.length === 0 && ids.length) {
        opts.progress?.(`waiting ${settleMs / 1000} s: do ${expected.length} container(s) keep running?`);
        await sleep(settleMs, undefined, { signal: opts.signal }).catch(() => {});
        problems = unsettled(first, await listContainers(transport, ids));
      }
      if (problems.length === 0) {
        const evidence = await gatherEvidence(transport);
        packageVersion = opts.engine ? evidence.facts.packages[opts.engine] : undefined;
        problems = daemonCheckProblems(runChecks(await opts.decls, checkFns, evidence));
        if (problems.length === 0) return { ok: true, version, packageVersion, problems: [] };
      }
    }
    if (now() + pollMs > deadline) return { ok: false, version, packageVersion, problems };
    opts.progress?.(`waiting: ${problems[0]}`);
    await sleep(pollMs, undefined, { signal: opts.signal }).catch(() => {});
  }
}
