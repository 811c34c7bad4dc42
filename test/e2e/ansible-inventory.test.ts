/**
 * An Ansible inventory directory as people keep one (issue 18), against a real host: the host line
 * has only `ansible_host`; the login user lives only in group_vars/ (a directory) and the key only in
 * group_vars/all.yml. Were group_vars/ not read, dockhand would log in as the local user (root here,
 * whose login the harness key also opens): so the facts must report `deploy`, not merely succeed.
 * Then the same inventory through `ansible-inventory --list | dockhand facts -i -`, the bridge for
 * dynamic inventories (needs Debian's ansible, which CI installs).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeHosts } from '../harness/e2e.js';
import { bootHosts, type Fleet } from '../harness/hosts.js';
import { CLI, runProgram, type RunResult } from '../harness/run.js';

const haveAnsible = (process.env.PATH ?? '').split(delimiter).some((d) => d !== '' && existsSync(join(d, 'ansible-inventory')));

describeHosts('an Ansible inventory directory on a real host', () => {
  let fleet: Fleet;
  let dir: string;
  let inventoryDir: string;

  beforeAll(async () => {
    fleet = await bootHosts([{ name: 'deb12', suite: 'bookworm' }], { image: 'base' });
    dir = mkdtempSync(join(tmpdir(), 'dockhand-e2e-ansible-'));
    mkdirSync(join(dir, 'home'));
    inventoryDir = join(dir, 'inventories', 'prod');
    const files: Record<string, string> = {
      hosts: `[debian]\ndeb12 ansible_host=${fleet.host('deb12').address}\n`,
      'group_vars/all.yml': `ansible_ssh_private_key_file: ${fleet.clientKeyPath}\n`,
      'group_vars/debian/connection.yml': 'ansible_user: deploy\n',
    };
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(inventoryDir, path, '..'), { recursive: true });
      writeFileSync(join(inventoryDir, path), text);
    }
  });
  afterAll(async () => {
    await fleet?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const env = () => ({
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: join(dir, 'home'),
    CI: 'true',
    ANSIBLE_LOCAL_TEMP: join(dir, 'ansible-tmp'),
    ANSIBLE_CONFIG: join(dir, 'ansible.cfg'),
  });

  /** The host event of `facts --json`: who answered, on what OS, logged in as whom. */
  const hostSeen = (res: RunResult) => {
    expect(res.code, res.stderr).toBe(0);
    const lines = res.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const host = lines.find((e) => e.event === 'host') as { host: string; outcome: string; data?: { os?: { id: string; versionId?: string }; user?: { name: string } } };
    return [host.host, host.outcome, `${host.data?.os?.id} ${host.data?.os?.versionId}`, host.data?.user?.name];
  };

  it('-i DIR: ansible_user from group_vars/ only, the key from group_vars/all.yml', async () => {
    const res = await runProgram(process.execPath, [CLI, 'facts', '-i', inventoryDir, '--json', '--known-hosts', fleet.knownHostsFile], env());
    expect(hostSeen(res)).toEqual(['deb12', 'ok', 'debian 12', 'deploy']);
  });

  it.skipIf(!haveAnsible && !process.env.CI)('ansible-inventory --list | dockhand facts -i -', async () => {
    writeFileSync(join(dir, 'ansible.cfg'), '');
    const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
    // Ansible insists on blocking stdio: its stderr goes to a file, not to the test's pipe.
    const pipeline = `set -o pipefail; cd ${q(dir)} && ansible-inventory -i ${q(inventoryDir)} --list 2>ansible.err | ${q(process.execPath)} ${q(CLI)} facts -i - --json --known-hosts ${q(fleet.knownHostsFile)}`;
    const res = await runProgram('/bin/bash', ['-c', pipeline], env());
    expect(hostSeen(res)).toEqual(['deb12', 'ok', 'debian 12', 'deploy']);
  });
});
