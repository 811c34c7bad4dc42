import { pass, fail, warn, type CheckFn, type CheckInput } from './types.js';

const ENGINE_PACKAGES = ['docker-ce', 'docker.io', 'docker', 'docker-engine', 'moby-engine'];

function installedEngines(i: CheckInput): string[] {
  return ENGINE_PACKAGES.filter((p) => i.facts.packages[p]).map((p) => `${p} ${i.facts.packages[p]}`);
}

/** Anything Docker at all: a CLI, an engine, a package or the snap. */
export const dockerInstalled: CheckFn = (i) => {
  const b = i.facts.binaries;
  const found = [
    ...(b.docker ? [`docker CLI: ${b.docker}`] : []),
    ...(b.dockerd ? [`dockerd: ${b.dockerd}`] : []),
    ...installedEngines(i).map((p) => `package ${p}`),
    ...(i.client.snap.docker ? ['snap docker'] : []),
  ];
  if (found.length) return pass(found);
  return fail('Docker is not installed', ['no docker or dockerd binary on PATH, no Docker package, no snap']);
};

/** A CLI without an engine is fine only when the client talks to a remote engine. */
export const engineInstalled: CheckFn = (i) => {
  const b = i.facts.binaries;
  if (b.dockerd || installedEngines(i).length || i.client.snap.docker || i.primary?.ok) {
    return pass([b.dockerd ? `dockerd: ${b.dockerd}` : i.primary?.ok ? `an engine answers at ${i.endpoint.endpoint}` : 'engine package installed']);
  }
  if (!i.endpoint.endpoint.startsWith('unix://')) {
    return pass([`no local engine; the client uses the remote endpoint ${i.endpoint.endpoint} (${i.endpoint.why})`]);
  }
  return fail('the docker CLI is installed, but no Docker Engine (dockerd)', [
    `docker CLI: ${b.docker ?? 'not found'}`,
    'no dockerd binary and no engine package (docker-ce, docker.io, moby-engine…)',
  ]);
};

/** Snap docker lives under /snap and /var/snap; with an apt/rpm engine as well, two daemons fight. */
export const snapDocker: CheckFn = (i) => {
  if (!i.client.snap.docker) return pass(['no snap docker']);
  const others = installedEngines(i);
  const ev = ['snap docker installed (/snap/bin/docker, /var/snap/docker)', 'snap config: /var/snap/docker/current/config/daemon.json'];
  if (others.length) return fail('two Docker engines: the snap and a package', [...ev, ...others.map((o) => `package ${o}`)], { fix: 'both' });
  return warn('Docker is the snap', ev);
};

/** podman's docker shim or podman's socket answering where Docker is expected. */
export const podmanAnswering: CheckFn = (i) => {
  const ev: string[] = [];
  if (i.primary?.libpodVersion) ev.push(`${i.primary.endpoint} answers /_ping with Libpod-Api-Version ${i.primary.libpodVersion}`);
  if (i.client.podman.dockerIsPodman) ev.push('the `docker` command is the podman-docker wrapper');
  if (i.facts.packages['podman-docker']) ev.push(`package podman-docker ${i.facts.packages['podman-docker']}`);
  if (i.socket?.linkTarget?.includes('podman')) ev.push(`${i.socket.path} -> ${i.socket.linkTarget}`);
  if (!ev.length) return pass([i.client.podman.binary ? `podman installed (${i.client.podman.binary}) but not answering as docker` : 'no podman']);
  return warn('podman answers as Docker', ev);
};

/** No systemd (WSL, containers): units are not the way to start Docker. */
export const initSystem: CheckFn = (i) => {
  const init = i.facts.init;
  if (init.system === 'systemd') return pass(['systemd is PID 1']);
  const where = init.wsl ? 'WSL' : init.container ? `a ${init.container} container` : `init ${init.pid1 ?? init.system}`;
  return warn(`no systemd (${where}): use \`service docker start\``, [`PID 1: ${init.pid1 ?? '?'} (${init.system})`], {
    fix: init.wsl ? 'wsl' : undefined,
  });
};

export const checksInstall = { dockerInstalled, engineInstalled, snapDocker, podmanAnswering, initSystem };
