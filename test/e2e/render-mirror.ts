/**
 * The signed Docker-like apt mirror the render e2e files install from (test/harness/docker-repo.ts):
 * each release's Debian packages, fetched inside a host of that release, become the mirror's
 * Docker-named ones, served from this machine at the fleet's gateway. The rendered artifacts verify
 * its key's fingerprint, as `up` does.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerLikeDebs, generateSigningKey, serveDirectory, writeAptRepo, type SigningKey, type StaticServer } from '../harness/docker-repo.js';
import type { Fleet, TestHost } from '../harness/hosts.js';

export interface DockerLikeMirror {
  /** A temp directory for the test's own files too (removed by close()). */
  dir: string;
  key: SigningKey;
  server: StaticServer;
  /** The options that install from it: --mirror, --key-fingerprint, --users plain. */
  args(): string[];
  close(): Promise<void>;
}

/** Builds the mirror from one host per release (`hosts`: distinct suites). */
export async function dockerLikeMirror(fleet: Fleet, hosts: readonly TestHost[]): Promise<DockerLikeMirror> {
  const dir = mkdtempSync(join(tmpdir(), 'dockhand-render-'));
  const key = await generateSigningKey();
  try {
    for (const h of hosts) {
      await h.sh(
        'apt-get update -qq && mkdir -p /root/debs && cd /root/debs && apt-get download -qq docker.io containerd runc ' +
          '&& if apt-cache show docker-cli >/dev/null 2>&1; then apt-get download -qq docker-cli; fi',
        { timeoutMs: 300_000 },
      );
      const debs = await dockerLikeDebs(join(h.rootfs, 'root/debs'), join(dir, 'build', h.suite));
      await h.sh('rm -rf /root/debs');
      await writeAptRepo(join(dir, 'www'), h.suite, 'amd64', debs, key);
    }
    const server = await serveDirectory(join(dir, 'www'), fleet.network.gateway);
    return {
      dir,
      key,
      server,
      args: () => ['--mirror', server.url, '--key-fingerprint', key.fingerprint, '--users', 'plain'],
      async close() {
        await server.close();
        key.remove();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    key.remove();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
