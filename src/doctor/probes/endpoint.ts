import { DEFAULT_ENDPOINT } from '../endpoint.js';
import { describeApi, pass, fail, warn, skip, type Probe, type ProbeInput } from './types.js';

const defaultWorks = (i: ProbeInput) => i.defaultApi?.ok === true && !i.defaultApi.libpodVersion;

/** Always reported: which endpoint and why. Fails only when the selected context does not exist. */
export const endpointResolved: Probe = (i) => {
  const e = i.endpoint;
  const ev = [`endpoint: ${e.endpoint}`, `why: ${e.why}`];
  if (e.missingContext) {
    return fail(`context "${e.missingContext}" does not exist: every docker command fails`, ev, {
      vars: { context: e.missingContext },
      fix: defaultWorks(i) ? undefined : 'manual',
    });
  }
  return pass(ev, { summary: `the client uses ${e.endpoint} (${e.source === 'default' ? 'default' : e.source})` });
};

/** DOCKER_HOST set and dead: a stale export, usually in a shell rc file. */
export const dockerHost: Probe = (i) => {
  const host = i.client.env.DOCKER_HOST;
  const exports = i.client.envExports.filter((l) => l.includes('DOCKER_HOST')).map((l) => `exported in ${l}`);
  if (!host) return pass(exports.length ? ['DOCKER_HOST is not set in this session', ...exports] : ['DOCKER_HOST is not set']);
  const ev = [`DOCKER_HOST=${host}`, describeApi(i.primary), ...exports];
  if (!i.primary) return pass(ev);
  if (i.primary.ok) {
    if (host === DEFAULT_ENDPOINT) return pass(ev);
    // Both answer: legitimate when meant, a classic surprise when a forgotten export does it.
    if (defaultWorks(i)) return warn(`DOCKER_HOST sends the client to ${host}, not to this host's daemon`, [...ev, `the local daemon answers too: ${describeApi(i.defaultApi)}`]);
    return pass(ev, { summary: `DOCKER_HOST points to ${host}, which answers` });
  }
  if (i.primary.error?.kind === 'UNSUPPORTED') return pass(ev, { summary: `DOCKER_HOST=${host} (not probed from here)` });
  if (defaultWorks(i)) ev.push(`the default socket works: ${describeApi(i.defaultApi)}`);
  return fail(`DOCKER_HOST points to ${host}, which does not answer`, ev, { vars: { host } });
};

/** The selected context's endpoint is dead (desktop-linux left behind, rootless, a gone remote). */
export const contextEndpoint: Probe = (i) => {
  const e = i.endpoint;
  if (e.source !== 'DOCKER_CONTEXT' && e.source !== 'currentContext') return pass([e.context ? `context "${e.context}"` : 'no context selected (default)']);
  if (e.missingContext) return skip('the context does not exist (see endpoint.resolved)');
  const ev = [`context "${e.context}" -> ${e.endpoint} (${e.source})`, describeApi(i.primary)];
  if (!i.primary || i.primary.ok || i.primary.error?.kind === 'UNSUPPORTED') return pass(ev);
  if (defaultWorks(i)) {
    ev.push(`the default context works: ${describeApi(i.defaultApi)}`);
    return fail(`context "${e.context}" points to a dead endpoint`, ev, { vars: { context: e.context! }, fix: e.source === 'DOCKER_CONTEXT' ? 'env' : undefined });
  }
  return fail(`context "${e.context}" points to a dead endpoint (and the default socket does not answer either)`, ev, { fix: 'manual' });
};

/** SDKs read only DOCKER_HOST: when the CLI follows a context, scripts and the CLI disagree. */
export const sdkMismatch: Probe = (i) => {
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
export const rootlessConfusion: Probe = (i) => {
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

export const probesEndpoint = { endpointResolved, dockerHost, contextEndpoint, sdkMismatch, rootlessConfusion };
