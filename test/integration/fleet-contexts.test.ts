/**
 * The real docker CLI creates and updates contexts. DOCKER_CONFIG points at a temp dir, so this
 * machine's own contexts and current context are never touched; contexts need no daemon.
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dockerCli, parseContextList, syncDockerContexts } from '../../src/contexts/docker-contexts.js';
import { loadInventory } from '../../src/inventory/load.js';
import { limitHosts } from '../../src/inventory/limit.js';
import { contextsCommand } from '../../src/commands/contexts.js';

const config = mkdtempSync(join(tmpdir(), 'dockhand-docker-config-'));
afterAll(() => rmSync(config, { recursive: true, force: true }));
const docker = dockerCli({ ...process.env, DOCKER_CONFIG: config, DOCKER_HOST: '', DOCKER_CONTEXT: '' });
const inventory = fileURLToPath(new URL('../fixtures/inventory/fleet.yaml', import.meta.url));
const contexts = async () => parseContextList(await docker(['context', 'ls', '--format', 'json']));

describe('docker contexts per host (real docker CLI)', () => {
  it('creates one context per remote host, keeps the current context, then converges', async () => {
    const hosts = loadInventory(inventory).hosts;
    const first = await syncDockerContexts(hosts, docker);
    expect(first.actions.map((a) => a.action)).toEqual(['skip', 'create', 'create', 'create', 'create']);
    const made = await contexts();
    expect(made.find((c) => c.current)?.name).toBe('default');
    expect(made.filter((c) => c.name !== 'default').map((c) => [c.name, c.endpoint, c.description])).toEqual([
      ['db-1', 'ssh://root@198.18.0.21', 'dockhand: db-1'],
      ['web-01', 'ssh://admin@198.18.0.11:2222', 'dockhand: web-01'],
      ['web-02', 'ssh://admin@198.18.0.12:2222', 'dockhand: web-02'],
      ['web-03', 'ssh://admin@198.18.0.13:2222', 'dockhand: web-03'],
    ]);

    const again = await syncDockerContexts(hosts, docker);
    expect(again.actions.filter((a) => a.argv)).toEqual([]);
  });

  it('updates a moved host and switches context only with --use', async () => {
    const [web1] = limitHosts(loadInventory(inventory).hosts, 'web-01');
    const moved = { ...web1!, spec: { ...web1!.spec, host: '198.18.0.111' } };
    const plan = await syncDockerContexts([moved], docker, { use: 'web-01' });
    expect(plan.actions.map((a) => a.action)).toEqual(['update']);
    const now = await contexts();
    expect(now.find((c) => c.name === 'web-01')).toMatchObject({ endpoint: 'ssh://admin@198.18.0.111:2222', current: true });
  });

  it('a dry run changes nothing', async () => {
    const before = await contexts();
    const seen: string[][] = [];
    await syncDockerContexts([{ name: 'dry', spec: { name: 'dry', kind: 'ssh', host: 'dry' }, groups: [], vars: {} }], docker, {
      dryRun: true,
      onCommand: (args) => seen.push(args),
    });
    expect(seen).toEqual([['context', 'create', 'dry', '--description', 'dockhand: dry', '--docker', 'host=ssh://dry']]);
    expect(await contexts()).toEqual(before);
  });
});

describe('dockhand contexts (the command)', () => {
  it('prints what it did, as text and as --json, with the docker CLI pointed at a temp config', async () => {
    const own = mkdtempSync(join(tmpdir(), 'dockhand-docker-config-'));
    vi.stubEnv('DOCKER_CONFIG', own);
    vi.stubEnv('DOCKER_HOST', '');
    vi.stubEnv('DOCKER_CONTEXT', '');
    const written: string[] = [];
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (written.push(String(chunk)), true));
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const run = (args: Record<string, unknown>) => contextsCommand.run({ _: [], $0: 'dockhand', inventory: inventory, ...args } as never);
      // --dry-run: what would be created, and the commands; nothing changes (the real run below still creates).
      await run({ limit: 'db', 'dry-run': true });
      expect(written.join('')).toBe(
        'would create db-1 → ssh://root@198.18.0.21\n\ndocker commands it would run:\n' +
          "  docker context create db-1 --description 'dockhand: db-1' --docker host=ssh://root@198.18.0.21\n",
      );
      written.length = 0;
      await run({ limit: 'db', 'dry-run': true, json: true });
      expect(JSON.parse(written.join(''))).toMatchObject({ dryRun: true, contexts: [{ context: 'db-1', action: 'create' }], commands: [expect.stringMatching(/^docker context create db-1 /)] });
      written.length = 0;
      await run({ limit: 'db' });
      expect(written.join('')).toBe('created   db-1 → ssh://root@198.18.0.21\n');
      written.length = 0;
      await run({ limit: 'db', 'dry-run': true });
      expect(written.join('')).toBe('unchanged    db-1 → ssh://root@198.18.0.21\n\nnothing to run: every context is up to date\n');
      written.length = 0;
      await run({ limit: 'db,web-01', json: true, use: 'web-01' });
      expect(JSON.parse(written.join(''))).toMatchObject({
        contexts: [
          { host: 'web-01', context: 'web-01', endpoint: 'ssh://admin@198.18.0.11:2222', action: 'create' },
          { host: 'db-1', context: 'db-1', action: 'unchanged' },
        ],
        current: 'web-01',
      });
      await expect(run({ host: ['local'] })).rejects.toThrow(/no remote hosts/);
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
      vi.unstubAllEnvs();
      rmSync(own, { recursive: true, force: true });
    }
  });
});
