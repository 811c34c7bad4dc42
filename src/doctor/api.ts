/**
 * Probe the Docker API directly over its socket — no docker CLI needed. The result is evidence
 * (JSON-serialisable) that the pure checks read; nothing here decides what is wrong.
 */
import type { SocketOpener } from './http.js';
import { httpRequest } from './http.js';

/** Why a connection could not be made, in the words the checks reason with. */
export type ConnectErrorKind =
  | 'EACCES' // permission: the user may not open the socket
  | 'ENOENT' // nothing at the path
  | 'ECONNREFUSED' // a socket file with no listener (stale), or not a socket at all
  | 'ETIMEDOUT' // accepted but no answer: socket activation with a service that cannot start
  | 'ENOTSOCK' // the path is a regular file
  | 'EISDIR' // the path is a directory (a bind mount created it while Docker was down)
  | 'EPROTO' // something answered, but not HTTP
  | 'UNSUPPORTED' // an endpoint scheme we cannot open from here (ssh://, tcp with TLS)
  | 'OTHER';

export interface ApiProbe {
  /** The endpoint as the client would write it (unix:///var/run/docker.sock). */
  endpoint: string;
  ok: boolean;
  /** Not a connection attempt: concluded from a stat of the path (the API could not be probed). */
  inferred?: boolean;
  error?: { kind: ConnectErrorKind; message: string };
  /** HTTP status of /_ping when something answered. */
  pingStatus?: number;
  /** Api-Version header. */
  apiVersion?: string;
  /** Libpod-Api-Version header: podman answers on this socket. */
  libpodVersion?: string;
  /** Selected fields of /version. */
  version?: { Version?: string; ApiVersion?: string; Os?: string; Arch?: string; Components?: Array<{ Name?: string; Version?: string }> };
  /** Selected fields of /info. */
  info?: DockerInfo;
}

export interface DockerInfo {
  Driver?: string;
  DriverStatus?: Array<[string, string]>;
  DockerRootDir?: string;
  Warnings?: string[] | null;
  CgroupVersion?: string;
  SecurityOptions?: string[];
  ServerVersion?: string;
  OperatingSystem?: string;
  Name?: string;
}

const KNOWN_KINDS = new Set(['EACCES', 'ENOENT', 'ECONNREFUSED', 'ETIMEDOUT', 'ENOTSOCK', 'EISDIR', 'EPROTO']);

export function classifyError(err: unknown): { kind: ConnectErrorKind; message: string } {
  const e = err as NodeJS.ErrnoException;
  const code = e?.code ?? '';
  const message = e?.message ?? String(err);
  if (KNOWN_KINDS.has(code)) return { kind: code as ConnectErrorKind, message };
  if (code === 'EPERM') return { kind: 'EACCES', message };
  if (code === 'ENOTDIR') return { kind: 'ENOENT', message };
  return { kind: 'OTHER', message };
}

/** Split an endpoint URL into what an opener needs; undefined for schemes we do not open. */
export function unixSocketPath(endpoint: string): string | undefined {
  if (endpoint.startsWith('unix://')) return endpoint.slice('unix://'.length) || undefined;
  if (endpoint.startsWith('/')) return endpoint;
  return undefined;
}

/**
 * GET /_ping, then /version and /info on the same endpoint. A failed ping ends the probe: the
 * first error is the one that explains the others.
 */
export async function probeApi(open: SocketOpener, endpoint: string, timeoutMs = 3000): Promise<ApiProbe> {
  const path = unixSocketPath(endpoint);
  if (!path) return { endpoint, ok: false, error: { kind: 'UNSUPPORTED', message: `cannot probe ${endpoint} directly` } };
  const probe: ApiProbe = { endpoint, ok: false };
  try {
    const ping = await httpRequest(open, path, '/_ping', { timeoutMs });
    probe.pingStatus = ping.status;
    probe.apiVersion = ping.headers['api-version'];
    probe.libpodVersion = ping.headers['libpod-api-version'];
    probe.ok = ping.status === 200;
    if (!probe.ok) return probe;
  } catch (err) {
    probe.error = classifyError(err);
    return probe;
  }
  const [version, info] = await Promise.all([
    getJson(open, path, '/version', timeoutMs),
    getJson(open, path, '/info', timeoutMs),
  ]);
  if (version && typeof version === 'object') {
    const v = version as NonNullable<ApiProbe['version']>;
    probe.version = { Version: v.Version, ApiVersion: v.ApiVersion, Os: v.Os, Arch: v.Arch, Components: v.Components };
  }
  if (info && typeof info === 'object') {
    const i = info as DockerInfo;
    probe.info = {
      Driver: i.Driver,
      DriverStatus: i.DriverStatus,
      DockerRootDir: i.DockerRootDir,
      Warnings: i.Warnings,
      CgroupVersion: i.CgroupVersion,
      SecurityOptions: i.SecurityOptions,
      ServerVersion: i.ServerVersion,
      OperatingSystem: i.OperatingSystem,
      Name: i.Name,
    };
  }
  return probe;
}

async function getJson(open: SocketOpener, path: string, url: string, timeoutMs: number): Promise<unknown> {
  try {
    const res = await httpRequest(open, path, url, { timeoutMs });
    return res.status === 200 ? JSON.parse(res.body) : undefined;
  } catch {
    return undefined;
  }
}

/** Probe several endpoints at once, each at most once. */
export async function probeEndpoints(open: SocketOpener, endpoints: string[], timeoutMs?: number): Promise<ApiProbe[]> {
  const unique = [...new Set(endpoints)];
  return Promise.all(unique.map((e) => probeApi(open, e, timeoutMs)));
}
