/**
 * What the lifecycle e2e files share: a signed test repository holding docker-ce (and docker-ce-cli)
 * at two versions, built from a booted host's Debian packages (harness/docker-repo.ts), served on the
 * fleet's gateway; and a container image made from the mirror's static busybox (`docker import`: no
 * registry is reachable).
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerLikeDebs, generateSigningKey, serveDirectory, writeAptRepo, type SigningKey, type StaticServer } from './docker-repo.js';
import type { Fleet, TestHost } from './hosts.js';

/** The two package versions (`--docker-version 24.0.1` / `24.0.2`); the daemon inside is Debian's. */
export const V1 = '5:24.0.1-1~dockhand';
export const V2 = '5:24.0.2-1~dockhand';

export interface TwoVersionRepo {
  url: string;
  fingerprint: string;
  server: StaticServer;
  key: SigningKey;
  /** --source docker --mirror … --key-fingerprint … */
  args: string[];
  close(): Promise<void>;
}

/** Builds the repository for `builder`'s suite from its Debian packages, and serves it. */
export async function twoVersionRepo(fleet: Fleet, builder: TestHost): Promise<TwoVersionRepo> {
  const dir = mkdtempSync(join(tmpdir(), 'dockhand-lifecycle-repo-'));
  const key = await generateSigningKey();
  await builder.sh('apt-get update -qq && mkdir -p /root/debs && cd /root/debs && apt-get download -qq docker.io containerd runc', { timeoutMs: 300_000 });
  const arch = (await builder.sh('dpkg --print-architecture')).trim();
  const first = await dockerLikeDebs(join(builder.rootfs, 'root/debs'), join(dir, 'v1'), { engineVersion: V1 });
  // The second build only for the versioned packages: the others would be the same name and version with other bytes.
  await dockerLikeDebs(join(builder.rootfs, 'root/debs'), join(dir, 'v2'), { engineVersion: V2 });
  const second = readdirSync(join(dir, 'v2'))
    .filter((f) => f.startsWith('docker-ce_') || f.startsWith('docker-ce-cli_'))
    .map((f) => join(dir, 'v2', f));
  await builder.sh('rm -rf /root/debs');
  await writeAptRepo(join(dir, 'www'), builder.suite, arch, [...first, ...second], key);
  const server = await serveDirectory(join(dir, 'www'), fleet.network.gateway);
  return {
    url: server.url,
    fingerprint: key.fingerprint,
    server,
    key,
    args: ['--source', 'docker', '--mirror', server.url, '--key-fingerprint', key.fingerprint],
    close: async () => {
      await server.close();
      key.remove();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `dh-busybox`: an image of the mirror's static busybox, imported into the host's daemon. */
export async function importBusybox(h: TestHost): Promise<void> {
  await h.sh(
    'DEBIAN_FRONTEND=noninteractive apt-get install -y -qq busybox-static >/dev/null && rm -rf /tmp/img && mkdir -p /tmp/img/bin ' +
      '&& cp /bin/busybox /tmp/img/bin/ && for a in sh sleep touch test; do ln -s busybox /tmp/img/bin/$a; done ' +
      '&& tar -C /tmp/img -c . | docker import - dh-busybox >/dev/null && rm -rf /tmp/img',
    { timeoutMs: 300_000 },
  );
}

/** The installed version of a package, or '' when it is not installed. */
export async function installedVersion(h: TestHost, pkg: string): Promise<string> {
  const r = await h.exec(`dpkg-query -W -f='\${Status} \${Version}' '${pkg}' 2>/dev/null`);
  // `hold ok installed` too: a held package is installed.
  const m = /^(?:install|hold) ok installed (\S+)$/.exec(r.stdout.trim());
  return m ? m[1]! : '';
}

/** State and start time of a container. */
export async function containerState(h: TestHost, name: string): Promise<{ status: string; startedAt: string }> {
  const out = (await h.sh(`docker inspect --format '{{.State.Status}} {{.State.StartedAt}}' '${name}'`)).trim();
  const [status, startedAt] = out.split(' ');
  return { status: status!, startedAt: startedAt! };
}

/** --json output: one event per line. */
export const events = (stdout: string) =>
  stdout
    .split('\n')
    .filter((l) => l.trim().startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
