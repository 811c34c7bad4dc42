import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../src/core/errors.js';
import { buildContext } from '../../src/commands/context.js';
import { fleetOptionsFrom } from '../../src/fleet/options.js';
import { resolveHosts } from '../../src/inventory/pick.js';

const inventory = fileURLToPath(new URL('../fixtures/inventory/fleet.yaml', import.meta.url));
const names = (hosts: { name: string }[]) => hosts.map((h) => h.name);

describe('resolveHosts (-i, -H, --limit)', () => {
  it('nothing named means this machine', async () => {
    expect(await resolveHosts({})).toEqual([{ name: 'local', spec: { name: 'local', kind: 'local' }, groups: [], vars: {} }]);
  });

  it('-H targets without an inventory, as before', async () => {
    expect((await resolveHosts({ host: ['admin@198.18.0.1:2222', 'local'] })).map((h) => h.spec)).toEqual([
      { name: 'admin@198.18.0.1:2222', kind: 'ssh', host: '198.18.0.1', user: 'admin', port: 2222 },
      { name: 'local', kind: 'local' },
    ]);
  });

  it('-i gives every inventory host; --limit narrows', async () => {
    expect(names(await resolveHosts({ inventory }))).toEqual(['local-box', 'web-01', 'web-02', 'web-03', 'db-1']);
    expect(names(await resolveHosts({ inventory, limit: 'eu,!web-02' }))).toEqual(['web-01', 'web-03']);
  });

  it('-H with -i picks inventory hosts by name (with their variables) and accepts new targets', async () => {
    const hosts = await resolveHosts({ inventory, host: ['db-1', 'ssh:my-alias', 'me@198.18.0.9'] });
    expect(names(hosts)).toEqual(['db-1', 'my-alias', 'me@198.18.0.9']);
    expect(hosts[0]!.vars.channel).toBe('test');
    expect(hosts[1]!.spec).toEqual({ name: 'my-alias', kind: 'ssh', host: 'my-alias' });
  });

  it('passes Ansible warnings on', async () => {
    const warnings: string[] = [];
    await resolveHosts({ inventory: fileURLToPath(new URL('../fixtures/inventory/ranges.ini', import.meta.url)) }, (w) => warnings.push(w));
    expect(warnings).toEqual([]);
  });
});

describe('fleet flags', () => {
  it('checks --concurrency and --max-fail-percent', async () => {
    expect(fleetOptionsFrom({})).toEqual({ concurrency: 10, failFast: false, maxFailPercent: undefined });
    expect(fleetOptionsFrom({ concurrency: 3, 'fail-fast': true, 'max-fail-percent': 25 })).toEqual({ concurrency: 3, failFast: true, maxFailPercent: 25 });
    expect(() => fleetOptionsFrom({ concurrency: 0 })).toThrow(UsageError);
    expect(() => fleetOptionsFrom({ concurrency: 1.5 })).toThrow(UsageError);
    expect(() => fleetOptionsFrom({ 'max-fail-percent': 101 })).toThrow(UsageError);
  });

  it('buildContext returns hosts with variables and fleet settings', async () => {
    const ctx = await buildContext({ inventory, limit: 'db', concurrency: 4 });
    expect(names(ctx.hosts)).toEqual(['db-1']);
    expect(ctx.fleet).toEqual({ concurrency: 4, failFast: false, maxFailPercent: undefined });
  });
});

describe('several inventories', () => {
  it('-i twice: hosts of both, the first definition of a name wins', async () => {
    const ini = fileURLToPath(new URL('../fixtures/inventory/ranges.ini', import.meta.url));
    const hosts = await resolveHosts({ inventory: [inventory, ini, inventory] });
    expect(names(hosts)).toEqual(['local-box', 'web-01', 'web-02', 'web-03', 'db-1', 'web01.example', 'web02.example', 'web03.example', 'db-a', 'db-b']);
  });

  it('the first definition of a duplicated name is kept', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dockhand-inv-'));
    writeFileSync(join(dir, 'a.yaml'), 'hosts: { dup: { address: 198.18.0.1 } }\n');
    writeFileSync(join(dir, 'b.yaml'), 'hosts: { dup: { address: 198.18.0.2 } }\n');
    const hosts = await resolveHosts({ inventory: [join(dir, 'a.yaml'), join(dir, 'b.yaml')] });
    rmSync(dir, { recursive: true });
    expect(hosts.map((h) => h.spec.host)).toEqual(['198.18.0.1']);
  });

  it('an empty inventory is an error, not a silent no-op', async () => {
    await expect(resolveHosts({ inventory: 'ssh:/nonexistent/ssh_config' })).rejects.toThrow(/no hosts in ssh:\/nonexistent\/ssh_config/);
  });
});
