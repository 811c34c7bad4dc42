/**
 * Gather a host's doctor evidence in ONE round trip: the facts probe and the doctor probe run as
 * one script; then the Docker API is probed directly over its socket (in this process, as the
 * checked user via setpriv, or through an injected opener for remote hosts).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CommandError, DockhandError, ExitCode } from '../core/errors.js';
import { factsFromProbe } from '../facts/gather.js';
import { splitProbeOutput } from '../probe/framing.js';
import { sh } from '../shell/quote.js';
import type { Transport } from '../transport/types.js';
import { probeEndpoints, unixSocketPath, type ApiProbe, type ProbeSettings } from './api.js';
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
  timeoutMs?: number;
}

/** Each API request's bound (connect + answer), in seconds: a daemon slower than this is a finding. */
export const API_BOUND_S = 5;

/** TLS for tcp:// endpoints, from the checked user's environment, as the CLI reads it. */
export function tlsSettings(client: ClientEvidence): ProbeSettings['tls'] {
  const env = client.env;
  // The CLI: DOCKER_TLS_VERIFY set (any value but empty) verifies; DOCKER_TLS alone encrypts only.
  if (!env.DOCKER_TLS_VERIFY && !env.DOCKER_TLS) return undefined;
  return { verify: Boolean(env.DOCKER_TLS_VERIFY), certPath: env.DOCKER_CERT_PATH || client.configDir.path };
}

/** The endpoints worth probing: the one in use, the default (to prove a fix), SDKs' and the context's. */
export function endpointsToProbe(client: ClientEvidence): string[] {
  const e = resolveEndpoint(client);
  return [...new Set([e.endpoint, DEFAULT_ENDPOINT, e.sdkEndpoint, e.contextEndpoint].filter((x): x is string => Boolean(x)))];
}

export async function gatherEvidence(transport: Transport, opts: GatherOptions = {}): Promise<DoctorEvidence> {
  const r = await transport.exec(examinationScript(opts.user), { timeoutMs: opts.timeoutMs ?? 120_000 });
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
  const endpoints = endpointsToProbe(client);
  // Over SSH the socket is opened by sshd with the LOGIN user's permissions: right for that user,
  // wrong for another one (--user), whose checks then rest on the socket's stat instead.
  const ownOpener =
    transport.openUnixSocket && client.user.name === facts.user.name
      ? (path: string) => transport.openUnixSocket!(path)
      : undefined;
  const { api, via } = await probeAsUser(transport, client, endpoints, { ...opts, opener: opts.opener ?? ownOpener });
  return { facts, client, api, apiVia: via };
}

const apiMain = fileURLToPath(new URL('./api-main.js', import.meta.url));

async function probeAsUser(
  transport: Transport,
  client: ClientEvidence,
  endpoints: string[],
  opts: GatherOptions,
): Promise<{ api: ApiProbe[]; via: DoctorEvidence['apiVia'] }> {
  if (transport.kind !== 'local') {
    return opts.opener ? { api: await probeEndpoints(opts.opener, endpoints, { timeoutMs: API_BOUND_S * 1000 }), via: 'process' } : { api: [], via: 'not-probed' };
  }
  const uid = process.getuid?.();
  if (client.user.uid === uid) {
    // The CLI's own view: every endpoint form, from this machine, with the user's TLS settings.
    const { localOpeners } = await import('./local-opener.js');
    return { api: await probeEndpoints(localOpeners, endpoints, { timeoutMs: API_BOUND_S * 1000, tls: tlsSettings(client) }), via: 'process' };
  }
  // Another user: only their own process meets their permissions. A fresh login's groups (--init-groups).
  const unix = endpoints.filter((e) => unixSocketPath(e));
  const argv = ['setpriv', `--reuid=${client.user.uid}`, `--regid=${client.user.gid}`, '--init-groups', process.execPath, apiMain, ...unix];
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
