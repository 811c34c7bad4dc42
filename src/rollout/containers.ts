/**
 * The host's containers as the Docker daemon reports them (as root, `docker inspect`): what a
 * rolling upgrade must bring back, and what the plan says will restart. The answer is untrusted:
 * every field is checked against the shape Docker gives it, and what does not fit is dropped
 * (counted as `unreadable`, so a gate never passes on records it could not read).
 */
import type { Transport } from '../transport/types.js';

export type RestartPolicy = 'no' | 'always' | 'unless-stopped' | 'on-failure';

export interface ContainerState {
  /** Full 64-hex id. */
  id: string;
  /** Without the leading slash. */
  name: string;
  restartPolicy: RestartPolicy;
  /** created, running, paused, restarting, removing, exited, dead */
  status: string;
  startedAt: string;
  restartCount: number;
}

export interface ContainerList {
  /** The daemon answered (false: no docker CLI, or the daemon is down). */
  answered: boolean;
  containers: ContainerState[];
  /** Records that did not have Docker's shape. */
  unreadable: number;
}

/** The most containers one answer may list (more is not a host a gate should pass on). */
export const MAX_CONTAINERS = 1000;

const FORMAT = '{{.Id}}|{{.Name}}|{{.HostConfig.RestartPolicy.Name}}|{{.State.Status}}|{{.State.StartedAt}}|{{.RestartCount}}';
const NO_DAEMON = 'DH_NO_DAEMON';

/** Lines: NO_DAEMON when there is nothing to ask; else one FORMAT record per container (ids given, or the running ones). */
export function containersScript(ids?: readonly string[]): string {
  for (const id of ids ?? []) if (!/^[0-9a-f]{64}$/.test(id)) throw new Error(`not a container id: ${id}`);
  const list = ids ? `ids='${ids.join(' ')}'` : `ids=$(docker ps -q --no-trunc | head -n ${MAX_CONTAINERS + 1})`;
  return [
    `command -v docker >/dev/null 2>&1 || { echo ${NO_DAEMON}; exit 0; }`,
    `docker version --format '{{.Server.Version}}' >/dev/null 2>&1 || { echo ${NO_DAEMON}; exit 0; }`,
    list,
    // A container removed meanwhile makes inspect fail for it alone: the others still print.
    `[ -z "$ids" ] || docker inspect --format '${FORMAT}' $ids 2>/dev/null || true`,
  ].join('\n');
}

const POLICIES = new Set<string>(['no', '', 'always', 'unless-stopped', 'on-failure']);
const STATUSES = new Set(['created', 'running', 'paused', 'restarting', 'removing', 'exited', 'dead']);

export function parseContainers(stdout: string): ContainerList {
  const lines = stdout.split('\n').filter((l) => l.trim() !== '');
  if (lines.some((l) => l.trim() === NO_DAEMON)) return { answered: false, containers: [], unreadable: 0 };
  const containers: ContainerState[] = [];
  let unreadable = 0;
  for (const line of lines.slice(0, MAX_CONTAINERS)) {
    const [id, name, policy, status, startedAt, count, ...rest] = line.split('|');
    const ok =
      rest.length === 0 &&
      /^[0-9a-f]{64}$/.test(id ?? '') &&
      /^\/?[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/.test(name ?? '') &&
      POLICIES.has(policy ?? 'x') &&
      STATUSES.has(status ?? '') &&
      /^[0-9T:.Z+-]{1,40}$/.test(startedAt ?? '') &&
      /^\d{1,9}$/.test(count ?? '');
    if (!ok) {
      unreadable++;
      continue;
    }
    containers.push({
      id: id!,
      name: name!.replace(/^\//, ''),
      restartPolicy: (policy === '' ? 'no' : policy) as RestartPolicy,
      status: status!,
      startedAt: startedAt!,
      restartCount: Number(count),
    });
  }
  unreadable += Math.max(0, lines.length - MAX_CONTAINERS);
  return { answered: true, containers, unreadable };
}

/** The containers (running ones, or those `ids`) as root; a failing command is "the daemon did not answer". */
export async function listContainers(transport: Transport, ids?: readonly string[]): Promise<ContainerList> {
  const r = await transport.exec(containersScript(ids), { sudo: true, timeoutMs: 60_000 });
  if (r.code !== 0) return { answered: false, containers: [], unreadable: 0 };
  return parseContainers(r.stdout);
}

/** Containers the daemon starts again by itself after it restarts. */
export const comesBack = (c: ContainerState) => c.restartPolicy !== 'no';
