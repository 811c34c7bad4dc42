/**
 * Gather a host's doctor evidence in ONE round trip: the facts probe and the doctor probe run as
 * one script; then the Docker API is probed directly over its socket (in this process, as the
 * checked user via setpriv, or through an injected opener for remote hosts).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CommandError, DockhandError, ExitCode } from '../core/errors.js';
import { daemonInfoFromApi, type DaemonInfo } from '../facts/areas/daemon.js';
import { factsFromProbe } from '../facts/gather.js';
import type { Facts } from '../facts/types.js';
import { splitProbeOutput } from '../probe/framing.js';
import { sh } from '../shell/quote.js';
import type { Transport } from '../transport/types.js';
import { API_BOUND_S, queryEndpoints, unixSocketPath, type ApiAnswer, type ApiSettings } from './api.js';
import { DEFAULT_ENDPOINT, resolveEndpoint } from './endpoint.js';
import type { ClientEvidence, DoctorEvidence } from './evidence.js';
import type { SocketOpener } from './http.js';
import { doctorFromProbe } from './parse.js';
import { examinationScript } from './script.js';

export interface GatherOptions {
  /** Check on behalf of this user (default: the user the transport runs as). */
  user?: string;
  /** How to reach sockets on a remote host (the SSH streamlocal opener); none = not probed. */
  opener?: SocketOpener;
  /** The script's bound (default SCRIPT_BOUND_S). */
  timeoutMs?: number;
  /** The whole examination's bound in seconds (default DOCTOR_BOUND_S). */
  boundS?: number;
  /** Run the script as root (sudo), so root-only evidence (the journal) is read whatever sudo asks. */
  sudo?: boolean;
}

export { API_BOUND_S };
/** The host script's bound; each command in it that may block has its own (timeout 20 in the script). */
export const SCRIPT_BOUND_S = 90;
/** One host's whole examination: the script, then the API queries (ping, then /version and /info). */
export const DOCTOR_BOUND_S = SCRIPT_BOUND_S + 3 * API_BOUND_S + 30;

/** TLS for tcp:// endpoints, from the checked user's environment, as the CLI reads it. */
export function tlsSettings(client: ClientEvidence): ApiSettings['tls'] {
  const env = client.env;
  // The CLI: DOCKER_TLS_VERIFY set (any value but empty) verifies; DOCKER_TLS alone encrypts only.
  if (!env.DOCKER_TLS_VERIFY && !env.DOCKER_TLS) return undefined;
  return { verify: Boolean(env.DOCKER_TLS_VERIFY), certPath: env.DOCKER_CERT_PATH || client.configDir.path };
}

/** The endpoints worth probing: the one in use, the default (to prove a fix), SDKs' and the context's. */
export function endpointsToQuery(client: ClientEvidence): string[] {
  const e = resolveEndpoint(client);
  return [...new Set([e.endpoint, DEFAULT_ENDPOINT, e.sdkEndpoint, e.contextEndpoint].filter((x): x is string => Boolean(x)))];
}

/**
 * The whole examination within DOCTOR_BOUND_S: each part has its own bound, and this one holds
 * even if a part forgets (a hung SSH channel, a socket opener that never settles).
 */
export async function gatherEvidence(transport: Transport, opts: GatherOptions = {}): Promise<DoctorEvidence> {
  const boundS = opts.boundS ?? DOCTOR_BOUND_S;
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new DockhandError(`${transport.name}: the examination did not finish within its bound of ${boundS} s`, { exitCode: ExitCode.couldNotCheck })),
      boundS * 1000,
    );
  });
  try {
    return await Promise.race([gatherUnbounded(transport, opts), bound]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The local doctor checking the user it runs as asks the default socket while the script runs
 * (issue 15: the API's answers took ~25 ms after the script, on the doctor's critical path). It is
 * safe to ask before the script says anything: the default endpoint is always one of those asked
 * (endpointsToQuery), this process asks as itself either way (queryAsUser: the checked user is
 * this process's), and a unix socket takes no TLS settings from the user's environment. Every
 * other case waits for the script, which names the user, the endpoints and their TLS settings.
 */
function askDefaultEarly(transport: Transport, opts: GatherOptions): Promise<ApiAnswer[]> | undefined {
  if (transport.kind !== 'local' || opts.user !== undefined || opts.sudo || opts.opener) return undefined;
  const early = import('./local-opener.js').then(({ localOpeners }) => queryEndpoints(localOpeners, [DEFAULT_ENDPOINT], { timeoutMs: API_BOUND_S * 1000 }));
  // Awaited once the script has answered; dropped unawaited when it fails (no unhandled rejection).
  early.catch(() => undefined);
  return early;
}

/**
 * The system daemon's /info, as the probe's `docker info` would have read it: asked only when a
 * dockerd of root's runs in this mount namespace (docker.sh's dh_pid, as daemon-info.sh asks), from
 * the default socket, which is that daemon's.
 */
function daemonInfoOfSystemDaemon(facts: Facts, api: ApiAnswer[]): DaemonInfo | undefined {
  if (!facts.dockerd) return undefined;
  const answer = api.find((a) => a.endpoint === DEFAULT_ENDPOINT);
  return answer?.ok ? daemonInfoFromApi(answer.info) : undefined;
}

async function gatherUnbounded(transport: Transport, opts: GatherOptions): Promise<DoctorEvidence> {
  const scriptS = opts.timeoutMs === undefined ? SCRIPT_BOUND_S : opts.timeoutMs / 1000;
  const early = askDefaultEarly(transport, opts);
  const r = await transport.exec(examinationScript(opts.user, { daemonInfoViaApi: early !== undefined }), { timeoutMs: scriptS * 1000, sudo: opts.sudo });
  if (r.timedOut) {
    throw new DockhandError(`${transport.name}: the doctor probe did not finish within ${scriptS} s`, { exitCode: ExitCode.couldNotCheck });
  }
  // A malformed frame (forged records) throws ProbeTamperError: the host could not be checked.
  const out = r.code === 0 ? splitProbeOutput(r.stdout, transport.name, ExitCode.couldNotCheck) : undefined;
  if (!out?.complete) {
    throw new CommandError(transport.name, 'doctor probe (sh)', r.code, r.stderr, 'is /bin/sh a POSIX shell on this host?');
  }
  const facts = factsFromProbe(transport.name, out);
  const client = doctorFromProbe(out).evidence;
  if (!client.user.name || Number.isNaN(client.user.uid)) {
    throw new DockhandError(`${transport.name}: no such user ${opts.user ?? ''}`.trim(), { exitCode: ExitCode.couldNotCheck });
  }
  const endpoints = endpointsToQuery(client);
  // Over SSH the socket is opened by sshd with the LOGIN user's permissions: right for that user,
  // wrong for another one (--user), whose checks then rest on the socket's stat instead.
  const ownOpener =
    transport.openUnixSocket && client.user.name === facts.user.name
      ? (path: string) => transport.openUnixSocket!(path)
      : undefined;
  const { api, via } = await queryAsUser(transport, client, endpoints, { ...opts, opener: opts.opener ?? ownOpener }, early);
  // The script left out docker info when the API was asked early: the daemon's facts come from its /info.
  return { facts: early ? { ...facts, daemonInfo: daemonInfoOfSystemDaemon(facts, api) } : facts, client, api, apiVia: via };
}

// Beside this module: tsc's dist/src/doctor/, or the bundle's chunks/ when this code is in a chunk;
// chunks/ below it when the bundler inlined this code into dist/src/cli.js itself.
const apiMainFile = () => ['./api-main.js', './chunks/api-main.js'].map((f) => fileURLToPath(new URL(f, import.meta.url))).find((f) => existsSync(f)) ?? '';

async function queryAsUser(
  transport: Transport,
  client: ClientEvidence,
  endpoints: string[],
  opts: GatherOptions,
  early?: Promise<ApiAnswer[]>,
): Promise<{ api: ApiAnswer[]; via: DoctorEvidence['apiVia'] }> {
  if (transport.kind !== 'local') {
    return opts.opener ? { api: await queryEndpoints(opts.opener, endpoints, { timeoutMs: API_BOUND_S * 1000 }), via: 'process' } : { api: [], via: 'not-probed' };
  }
  const uid = process.getuid?.();
  if (client.user.uid === uid) {
    // The CLI's own view: every endpoint form, from this machine, with the user's TLS settings.
    const { localOpeners } = await import('./local-opener.js');
    const rest = early ? endpoints.filter((e) => e !== DEFAULT_ENDPOINT) : endpoints;
    const answers = (await Promise.all([early ?? [], queryEndpoints(localOpeners, rest, { timeoutMs: API_BOUND_S * 1000, tls: tlsSettings(client) })])).flat();
    // In the order asked for, as one query would have answered (the default one among them).
    return { api: endpoints.flatMap((e) => answers.filter((a) => a.endpoint === e)), via: 'process' };
  }
  // Another user: only their own process meets their permissions. A fresh login's groups (--init-groups).
  const unix = endpoints.filter((e) => unixSocketPath(e));
  const main = apiMainFile();
  // Not built (the TypeScript sources run under vitest): nothing to start as the user; the checks
  // decide from modes and groups, as when the start fails (`node ''` waited for the 30 s bound).
  if (!main) return { api: [], via: 'not-probed' };
  const argv = ['setpriv', `--reuid=${client.user.uid}`, `--regid=${client.user.gid}`, '--init-groups', process.execPath, main, ...unix];
  try {
    if (uid === 0) {
      const { stdout } = await promisify(execFile)(argv[0]!, argv.slice(1), { timeout: 30_000 });
      return { api: JSON.parse(stdout), via: 'as-user' };
    }
    const res = await transport.exec(sh`${argv}`, { sudo: true, timeoutMs: 30_000 });
    if (res.code === 0) return { api: JSON.parse(res.stdout), via: 'as-user' };
  } catch {
    /* fall through: decided from modes and groups instead */
  }
  return { api: [], via: 'not-probed' };
}
