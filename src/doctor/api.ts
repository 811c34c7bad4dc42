/**
 * Query the Docker API directly over its socket — no docker CLI needed. The result is evidence
 * (JSON-serialisable) that the pure checks read; nothing here decides what is wrong.
 */
import type { Duplex } from 'node:stream';
import type { SocketOpener } from './http.js';
import { httpRequest } from './http.js';
import { parseEndpoint } from './endpoint-url.js';

/** Each API request's bound (connect + answer), in seconds: a daemon slower than this is a finding. */
export const API_BOUND_S = 5;

/** TLS as the docker CLI would use it for a tcp:// endpoint (DOCKER_TLS_VERIFY / DOCKER_TLS). */
export interface TlsSettings {
  verify: boolean;
  /** DOCKER_CERT_PATH, else the config dir: ca.pem, cert.pem, key.pem. */
  certPath: string;
}

/**
 * How to reach each kind of endpoint from where the probe runs. `unix` is the socket opener (local
 * or an SSH streamlocal forward); tcp and ssh are only possible from this machine (the CLI's view).
 */
export interface EndpointOpeners {
  unix: SocketOpener;
  tcp?: (host: string, port: number, tls: TlsSettings | undefined) => Promise<Duplex>;
  /** `ssh [-p PORT] [USER@]HOST docker system dial-stdio`, as the CLI does. */
  ssh?: (target: { user?: string; host: string; port?: number }, timeoutMs: number) => Promise<Duplex>;
}

export interface ApiSettings {
  timeoutMs?: number;
  tls?: TlsSettings;
}

/** Why a connection could not be made, in the words the checks reason with. */
export type ConnectErrorKind =
  | 'EACCES' // permission: the user may not open the socket
  | 'ENOENT' // nothing at the path
  | 'ECONNREFUSED' // a socket file with no listener (stale), or not a socket at all
  | 'ETIMEDOUT' // accepted but no answer: socket activation with a service that cannot start
  | 'ENOTSOCK' // the path is a regular file
  | 'EISDIR' // the path is a directory (a bind mount created it while Docker was down)
  | 'EPROTO' // something answered, but not HTTP
  | 'UNSUPPORTED' // an endpoint we cannot open from where the probe runs (tcp/ssh of a remote host)
  | 'INVALID' // not an endpoint the docker CLI accepts (garbage, fd://, an unknown scheme)
  | 'TLS' // the TLS set-up fails: certificates missing or unreadable, handshake refused
  | 'OTHER';

export interface ApiAnswer {
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
  /** The bound each request had, in seconds (a timeout says "no answer in N s"). */
  boundS?: number;
  /** Probed over TLS (DOCKER_TLS_VERIFY / DOCKER_TLS). */
  tls?: boolean;
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
  // What the facts read from `docker info` (INFO_FORMAT): the local doctor takes them from here
  // (daemonInfoFromApi, src/doctor/gather.ts) instead of starting the CLI.
  ContainersRunning?: number;
  Containers?: number;
  Images?: number;
  LiveRestoreEnabled?: boolean;
  RegistryConfig?: { Mirrors?: string[] | null };
  LoggingDriver?: string;
  Debug?: boolean;
}

const KNOWN_KINDS = new Set(['EACCES', 'ENOENT', 'ECONNREFUSED', 'ETIMEDOUT', 'ENOTSOCK', 'EISDIR', 'EPROTO', 'TLS']);

export function classifyError(err: unknown): { kind: ConnectErrorKind; message: string } {
  const e = err as NodeJS.ErrnoException;
  const code = e?.code ?? '';
  const message = e?.message ?? String(err);
  if (KNOWN_KINDS.has(code)) return { kind: code as ConnectErrorKind, message };
  if (code === 'EPERM') return { kind: 'EACCES', message };
  if (code === 'ENOTDIR') return { kind: 'ENOENT', message };
  if (code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL') || /CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code)) return { kind: 'TLS', message };
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'ECONNRESET') return { kind: 'ECONNREFUSED', message };
  return { kind: 'OTHER', message };
}

/** The socket path of a unix:// endpoint; undefined for every other form. */
export function unixSocketPath(endpoint: string): string | undefined {
  if (endpoint.startsWith('unix://')) return endpoint.slice('unix://'.length) || undefined;
  if (endpoint.startsWith('/')) return endpoint;
  return undefined;
}

/** Where a request for `endpoint` goes: an opener bound to it, and a name for messages. */
function route(openers: EndpointOpeners, endpoint: string, settings: ApiSettings): { open: SocketOpener; target: string; tls?: boolean } | ApiAnswer['error'] {
  const e = parseEndpoint(endpoint);
  switch (e.scheme) {
    case 'invalid':
      return { kind: 'INVALID', message: e.reason };
    case 'unix':
      return { open: openers.unix, target: e.path };
    case 'tcp': {
      const tcp = openers.tcp;
      if (!tcp) return { kind: 'UNSUPPORTED', message: `${endpoint} is reached from the client's machine; not probed from here` };
      return { open: () => tcp(e.host, e.port, settings.tls), target: `${e.host}:${e.port}`, tls: settings.tls !== undefined };
    }
    case 'ssh': {
      const ssh = openers.ssh;
      if (!ssh) return { kind: 'UNSUPPORTED', message: `${endpoint} is reached from the client's machine; not probed from here` };
      return { open: () => ssh(e, settings.timeoutMs ?? API_BOUND_S * 1000), target: endpoint };
    }
  }
}

const asOpeners = (o: SocketOpener | EndpointOpeners): EndpointOpeners => (typeof o === 'function' ? { unix: o } : o);

/**
 * GET /_ping, then /version and /info on the same endpoint. A failed ping ends the probe: the
 * first error is the one that explains the others. Every request is bounded by timeoutMs.
 */
export async function queryApi(openers: SocketOpener | EndpointOpeners, endpoint: string, timeoutMsOrSettings: number | ApiSettings = API_BOUND_S * 1000): Promise<ApiAnswer> {
  const settings = typeof timeoutMsOrSettings === 'number' ? { timeoutMs: timeoutMsOrSettings } : timeoutMsOrSettings;
  const timeoutMs = settings.timeoutMs ?? API_BOUND_S * 1000;
  const r = route(asOpeners(openers), endpoint, settings);
  if (r && 'kind' in r) return { endpoint, ok: false, error: r };
  const { open, target: path } = r!;
  const probe: ApiAnswer = { endpoint, ok: false, boundS: timeoutMs / 1000, ...(r!.tls ? { tls: true } : {}) };
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
    const v = version as NonNullable<ApiAnswer['version']>;
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
      ContainersRunning: i.ContainersRunning,
      Containers: i.Containers,
      Images: i.Images,
      LiveRestoreEnabled: i.LiveRestoreEnabled,
      RegistryConfig: i.RegistryConfig && typeof i.RegistryConfig === 'object' ? { Mirrors: i.RegistryConfig.Mirrors } : undefined,
      LoggingDriver: i.LoggingDriver,
      Debug: i.Debug,
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

/** Query several endpoints at once, each at most once. */
export async function queryEndpoints(open: SocketOpener | EndpointOpeners, endpoints: string[], settings?: number | ApiSettings): Promise<ApiAnswer[]> {
  const unique = [...new Set(endpoints)];
  return Promise.all(unique.map((e) => queryApi(open, e, settings)));
}
