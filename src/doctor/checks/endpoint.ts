import { DEFAULT_ENDPOINT, parseEndpoint } from '../endpoint.js';
import { describeApi, pass, fail, warn, skip, type CheckFn, type CheckInput } from './types.js';

const defaultWorks = (i: CheckInput) => i.defaultApi?.ok === true && !i.defaultApi.libpodVersion;

/** Always reported: which endpoint and why. A selected context that does not exist is endpoint.context's failure. */
export const endpointResolved: CheckFn = (i) => {
  const e = i.endpoint;
  const ev = [`endpoint: ${e.endpoint}`, `why: ${e.why}`];
  if (e.missingContext) return warn(`context "${e.missingContext}" is selected but not defined (see endpoint.context)`, ev);
  return pass(ev, { summary: `the client uses ${e.endpoint} (${e.source === 'default' ? 'default' : e.source})` });
};

/** Where DOCKER_HOST is exported, for the fix: unsetting it in this shell does not reach the next one. */
const exportsOf = (i: CheckInput, name: string) => i.client.envExports.filter((l) => l.includes(name)).map((l) => `exported in ${l}`);

/** DOCKER_HOST set and dead or invalid: a stale export, usually in a shell rc file. */
export const dockerHost: CheckFn = (i) => {
  const host = i.client.env.DOCKER_HOST;
  const exports = exportsOf(i, 'DOCKER_HOST');
  if (!host) return pass(exports.length ? ['DOCKER_HOST is not set in this session', ...exports] : ['DOCKER_HOST is not set'], { summary: 'DOCKER_HOST is not set' });
  const ev = [`DOCKER_HOST=${host}`, ...exports];
  const parsed = parseEndpoint(host);
  if (parsed.scheme === 'invalid') return fail(`DOCKER_HOST=${host} is not an endpoint the docker CLI accepts: every docker command fails`, [...ev, parsed.reason], { vars: { host } });
  const p = i.primary;
  if (!p) return skip(`DOCKER_HOST=${host} could not be probed from here`);
  ev.splice(1, 0, describeApi(p));
  if (p.error?.kind === 'UNSUPPORTED') return skip(p.error.message);
  if (p.ok) {
    if (host === DEFAULT_ENDPOINT) return pass(ev);
    // Both answer: legitimate when meant, a classic surprise when a forgotten export does it.
    if (defaultWorks(i)) return warn(`DOCKER_HOST sends the client to ${host}, not to this host's daemon`, [...ev, `the local daemon answers too: ${describeApi(i.defaultApi)}`]);
    return pass(ev, { summary: `DOCKER_HOST points to ${host}, which answers` });
  }
  if (p.error?.kind === 'TLS') ev.push(`TLS: DOCKER_TLS_VERIFY=${i.client.env.DOCKER_TLS_VERIFY ?? ''} DOCKER_CERT_PATH=${i.client.env.DOCKER_CERT_PATH ?? '(unset: the config dir)'}`);
  if (defaultWorks(i)) ev.push(`the default socket works: ${describeApi(i.defaultApi)}`);
  if (i.endpoint.shadowedContext) ev.push(`once unset, context "${i.endpoint.shadowedContext}" applies (${i.endpoint.contextEndpoint ?? 'not defined'})`);
  return fail(`DOCKER_HOST points to ${host}, which does not answer`, ev, { vars: { host } });
};

/** The selected context does not exist, or its endpoint is dead or invalid. */
export const contextEndpoint: CheckFn = (i) => {
  const e = i.endpoint;
  if (e.source !== 'DOCKER_CONTEXT' && e.source !== 'currentContext') {
    return pass([e.context ? `context "${e.context}"` : 'no context selected (default)'], { summary: e.shadowedContext ? `DOCKER_HOST decides, not context "${e.shadowedContext}"` : undefined });
  }
  // The fix that really wins: DOCKER_CONTEXT beats `docker context use`, so only unsetting it helps.
  const viaEnv = e.source === 'DOCKER_CONTEXT';
  const exports = viaEnv ? exportsOf(i, 'DOCKER_CONTEXT') : [];
  if (e.missingContext) {
    const ev = [`${viaEnv ? `DOCKER_CONTEXT=${e.missingContext}` : `currentContext "${e.missingContext}" in ${e.configPath}`}`, e.why, ...exports];
    return fail(`context "${e.missingContext}" does not exist: every docker command fails`, ev, {
      vars: { context: e.missingContext },
      fix: viaEnv ? 'env' : defaultWorks(i) ? undefined : 'manual',
    });
  }
  const ev = [`context "${e.context}" -> ${e.endpoint} (${e.source})`, ...exports];
  const parsed = parseEndpoint(e.endpoint);
  if (parsed.scheme === 'invalid') return fail(`context "${e.context}" has an endpoint the docker CLI refuses: ${parsed.reason}`, ev, { vars: { context: e.context! }, fix: viaEnv ? 'env' : 'manual' });
  const p = i.primary;
  if (!p) return skip(`context "${e.context}" could not be probed from here`);
  ev.push(describeApi(p));
  if (p.error?.kind === 'UNSUPPORTED') return skip(p.error.message);
  if (p.ok) return pass(ev);
  if (defaultWorks(i)) {
    ev.push(`the default context works: ${describeApi(i.defaultApi)}`);
    return fail(`context "${e.context}" points to a dead endpoint`, ev, { vars: { context: e.context! }, fix: viaEnv ? 'env' : undefined });
  }
  return fail(`context "${e.context}" points to a dead endpoint (and the default socket does not answer either)`, ev, { vars: { context: e.context! }, fix: viaEnv ? 'env' : 'manual' });
};

/** SDKs read only DOCKER_HOST: when the CLI follows a context, scripts and the CLI disagree. */
export const sdkMismatch: CheckFn = (i) => {
  const e = i.endpoint;
  if (e.shadowedContext) {
    return warn(`DOCKER_HOST silently overrides context "${e.shadowedContext}"`, [
      `DOCKER_HOST=${e.endpoint}`,
      `context "${e.shadowedContext}" -> ${e.contextEndpoint ?? '?'}`,
    ]);
  }
  if (e.sdkEndpoint !== e.endpoint) {
    return warn('the docker CLI and SDKs (dockerode, docker-py, compose libraries) use different endpoints', [
      `CLI: ${e.endpoint} (${e.why})`,
      `SDKs: ${e.sdkEndpoint} (they read DOCKER_HOST only)`,
    ]);
  }
  return pass([`CLI and SDKs both use ${e.endpoint}`]);
};

/** Rootless and rootful daemons side by side: the client may talk to the other one. */
export const rootlessConfusion: CheckFn = (i) => {
  const uid = i.client.user.uid;
  const rootless = i.client.sockets.find((s) => s.exists && s.type === 'socket' && s.path === `/run/user/${uid}/docker.sock`);
  const rootful = i.client.sockets.find((s) => s.exists && s.type === 'socket' && (s.path === '/var/run/docker.sock' || s.path === '/run/docker.sock'));
  if (!rootless) return pass(['no rootless Docker socket for this user']);
  const usesRootless = i.endpoint.endpoint === `unix://${rootless.path}`;
  const ev = [`rootless socket: ${rootless.path}`, rootful ? `rootful socket: ${rootful.path}` : 'no rootful socket', `client uses: ${i.endpoint.endpoint}`];
  if (!rootful) {
    return usesRootless ? pass(ev) : fail('a rootless daemon runs, but the client uses the rootful socket', ev, { vars: { socket: rootless.path } });
  }
  return warn(`both rootless and rootful Docker run; the client uses the ${usesRootless ? 'rootless' : 'rootful'} one`, ev);
};

export const checksEndpoint = { endpointResolved, dockerHost, contextEndpoint, sdkMismatch, rootlessConfusion };
