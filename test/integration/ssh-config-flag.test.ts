/**
 * `--ssh-config FILE` (`-F`) and the inventory's `ssh_config`, through the built CLI against a real
 * OpenSSH server on loopback: the file's `Host` alias, `HostName`, `Port` and `IdentityFile` decide
 * where dockhand connects and with which key, as `ssh -F FILE alias` would. Host keys stay verified
 * (a temp known_hosts holding the server's key, policy strict). `facts` is used because it only reads.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { CLI } from '../harness/run.js';
import { freePort, sshdAvailable, startSshd, type Sshd } from '../harness/sshd.js';
import { resolveSshConfig } from '../../src/transport/ssh-config.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe.skipIf(!sshdAvailable())('--ssh-config FILE against a loopback sshd', () => {
  let sshd: Sshd;
  let work: string;
  let home: string;
  let knownHosts: string;
  let config: string;
  // A name nobody's ~/.ssh/config defines and no resolver is ever asked about (nothing here connects
  // to it without the file that maps it to 127.0.0.1).
  const alias = `dockhand-alias-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    sshd = await startSshd();
    work = mkdtempSync(join(tmpdir(), 'dockhand-sshcfg-'));
    // A HOME with no keys and no config: the only way in is the config file's IdentityFile.
    home = join(work, 'home');
    knownHosts = join(work, 'known_hosts');
    writeFileSync(knownHosts, sshd.knownHostsLine() + '\n');
    config = join(work, 'ssh_config');
    writeFileSync(
      config,
      [`Host ${alias}`, '  HostName 127.0.0.1', `  Port ${sshd.port}`, `  User ${sshd.user}`, `  IdentityFile ${sshd.clientKeyPath}`, '  IdentitiesOnly yes', ''].join('\n'),
    );
  });
  afterAll(async () => {
    await sshd?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const dockhand = (args: string[]): Promise<Run> =>
    new Promise((resolve) => {
      execFile(
        process.execPath,
        [CLI, ...args],
        { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, CI: 'true' }, timeout: 60_000, maxBuffer: 16 << 20 },
        (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
  const accepted = () => sshd.log().split('Accepted publickey').length - 1;
  const connections = () => sshd.log().split('Connection from').length - 1;
  /** The hosts of the summary event (`--json`: JSON lines, the summary last). */
  const factsOf = (r: Run) => {
    expect(r.stderr + r.stdout).not.toMatch(/internal error/);
    const summary = JSON.parse(r.stdout.trimEnd().split('\n').at(-1)!) as { event: string; hosts: Array<{ host: string; outcome: string }> };
    expect(summary.event).toBe('summary');
    for (const h of summary.hosts) expect(h.outcome).toBe('ok');
    return summary.hosts;
  };

  it('the alias resolves through the file only: ssh -G without it leaves the bare name on port 22', async () => {
    const without = await resolveSshConfig(alias);
    const withFile = await resolveSshConfig(alias, config);
    expect(without?.hostname).toBe(alias);
    expect(without?.port).toBe(22);
    expect(withFile).toMatchObject({ hostname: '127.0.0.1', port: sshd.port, identityFiles: [sshd.clientKeyPath], identitiesOnly: true });
  });

  it('-F FILE -H alias: connects where the file says, with its key, host key checked', async () => {
    const before = accepted();
    const r = await dockhand(['facts', '-F', config, '-H', alias, '--known-hosts', knownHosts, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const [report] = factsOf(r);
    expect(report!.host).toBe(alias);
    expect(accepted()).toBe(before + 1);
    expect(sshd.log()).toMatch(/Accepted publickey for \S+ from 127\.0\.0\.1/);
  });

  it('--ssh-config (long form) and host keys: an unknown host key is still refused under strict', async () => {
    const empty = join(work, 'known_hosts.empty');
    writeFileSync(empty, '');
    const before = accepted();
    const r = await dockhand(['facts', '--ssh-config', config, '-H', alias, '--known-hosts', empty, '--json']);
    expect(r.code).toBe(4);
    expect(r.stderr + r.stdout).toMatch(/host key/i);
    expect(accepted()).toBe(before);
  });

  it('a missing -F file is a usage error (64) before any connection', async () => {
    const before = connections();
    const missing = join(work, 'no-such-config');
    const r = await dockhand(['facts', '-F', missing, '-H', alias, '--known-hosts', knownHosts]);
    expect(r.code).toBe(64);
    expect(r.stderr).toContain(`--ssh-config ${missing}: no such file`);
    expect(connections()).toBe(before);
  });

  it('a file ssh -G rejects is an input error naming the file, not a look-up of the bare alias', async () => {
    const bad = join(work, 'bad_config');
    writeFileSync(bad, `Host ${alias}\n  NoSuchOption yes\n`);
    const before = connections();
    const r = await dockhand(['facts', '-F', bad, '-H', alias, '--known-hosts', knownHosts, '--json']);
    expect(r.code).toBe(65);
    expect(r.stderr + r.stdout).toContain(bad);
    expect(r.stderr + r.stdout).toMatch(/ssh -G rejected it/);
    expect(connections()).toBe(before);
  });

  it('--ssh-config-hosts with -F takes the Host aliases of that file', async () => {
    const before = accepted();
    const r = await dockhand(['facts', '-F', config, '--ssh-config-hosts', '--known-hosts', knownHosts, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(factsOf(r).map((h) => h.host)).toEqual([alias]);
    expect(accepted()).toBe(before + 1);
  });

  describe("the file's UserKnownHostsFile and StrictHostKeyChecking (no --known-hosts / --host-key-policy)", () => {
    let n = 0;
    /** The alias's config plus host-key lines; a fresh file each time. */
    const configWith = (...lines: string[]) => {
      const file = join(work, `hk_config_${++n}`);
      writeFileSync(file, readFileSync(config, 'utf8') + lines.map((l) => `  ${l}\n`).join(''));
      return file;
    };
    const kh = (lines: string[]) => {
      const file = join(work, `hk_known_${++n}`);
      writeFileSync(file, lines.map((l) => `${l}\n`).join(''));
      return file;
    };
    const out = (r: Run) => r.stderr + r.stdout;

    it('UserKnownHostsFile holding the key: connects (HOME has no known_hosts at all)', async () => {
      const before = accepted();
      const r = await dockhand(['facts', '-F', configWith(`UserKnownHostsFile ${kh([sshd.knownHostsLine()])}`), '-H', alias, '--json']);
      expect(r.code, r.stderr).toBe(0);
      expect(factsOf(r).map((h) => h.host)).toEqual([alias]);
      expect(accepted()).toBe(before + 1);
    });

    it('UserKnownHostsFile without the key: refused under the default strict, with the file in the hint', async () => {
      const empty = kh([]);
      const before = accepted();
      const r = await dockhand(['facts', '-F', configWith(`UserKnownHostsFile ${empty}`), '-H', alias, '--json']);
      expect(r.code).toBe(4);
      expect(out(r)).toMatch(/host key of \[127\.0\.0\.1\]:\d+ is not known/);
      expect(out(r)).toContain(`>> ${empty}`);
      expect(accepted()).toBe(before);
    });

    it('StrictHostKeyChecking accept-new: records the key in the first UserKnownHostsFile and connects', async () => {
      const file = join(work, `hk_new_${++n}`);
      const r = await dockhand(['facts', '-F', configWith('StrictHostKeyChecking accept-new', `UserKnownHostsFile ${file} ${kh([])}`), '-H', alias, '--json']);
      expect(r.code, r.stderr).toBe(0);
      expect(readFileSync(file, 'utf8')).toBe(`${sshd.knownHostsLine()}\n`);
      expect(r.stderr).toMatch(/added new host key/);
    });

    it('--host-key-policy strict on the command line wins over accept-new in the file', async () => {
      const empty = kh([]);
      const r = await dockhand(['facts', '-F', configWith('StrictHostKeyChecking accept-new', `UserKnownHostsFile ${empty}`), '-H', alias, '--host-key-policy', 'strict', '--json']);
      expect(r.code).toBe(4);
      expect(readFileSync(empty, 'utf8')).toBe('');
    });

    it("Vagrant's StrictHostKeyChecking no + UserKnownHostsFile /dev/null: refused (dockhand stays strict), saying why", async () => {
      const before = accepted();
      const r = await dockhand(['facts', '-F', configWith('StrictHostKeyChecking no', 'UserKnownHostsFile /dev/null'), '-H', alias, '--json']);
      expect(r.code).toBe(4);
      expect(out(r)).toContain('UserKnownHostsFile /dev/null in the SSH config records nothing');
      expect(out(r)).toContain('StrictHostKeyChecking no in the SSH config is not followed');
      expect(out(r)).toContain('--known-hosts FILE');
      expect(accepted()).toBe(before);
    });

    it('… and connects with --known-hosts (which wins over the file), or with an explicit --host-key-policy off', async () => {
      const vagrant = configWith('StrictHostKeyChecking no', 'UserKnownHostsFile /dev/null');
      const known = await dockhand(['facts', '-F', vagrant, '-H', alias, '--known-hosts', knownHosts, '--json']);
      expect(known.code, known.stderr).toBe(0);
      const off = await dockhand(['facts', '-F', vagrant, '-H', alias, '--host-key-policy', 'off', '--json']);
      expect(off.code, off.stderr).toBe(0);
      expect(off.stderr).toMatch(/HOST KEY NOT VERIFIED/);
    });

    it('accept-new with UserKnownHostsFile /dev/null cannot record: refused with a clear message', async () => {
      const before = accepted();
      const r = await dockhand(['facts', '-F', configWith('StrictHostKeyChecking accept-new', 'UserKnownHostsFile /dev/null'), '-H', alias, '--json']);
      expect(r.code).toBe(4);
      expect(out(r)).toMatch(/is not known \(ssh-ed25519 SHA256:\S+\) and cannot be: UserKnownHostsFile \/dev\/null in the SSH config records nothing/);
      expect(out(r)).toContain('host key policy accept-new');
      expect(accepted()).toBe(before);
    });
  });

  describe('inventory ssh_config', () => {
    it('defaults.ssh_config resolves the inventory hosts through that file', async () => {
      const inv = join(work, 'inv.yaml');
      writeFileSync(inv, `defaults:\n  ssh_config: ${config}\nhosts:\n  ${alias}:\n`);
      const r = await dockhand(['facts', '-i', inv, '--known-hosts', knownHosts, '--json']);
      expect(r.code, r.stderr).toBe(0);
      expect(factsOf(r).map((h) => h.host)).toEqual([alias]);
    });

    it('-F on the command line wins over the inventory (whose file points at a closed port)', async () => {
      const closed = join(work, 'closed_config');
      writeFileSync(closed, `Host ${alias}\n  HostName 127.0.0.1\n  Port ${await freePort()}\n  IdentityFile ${sshd.clientKeyPath}\n`);
      const inv = join(work, 'inv-closed.yaml');
      writeFileSync(inv, `defaults:\n  ssh_config: ${closed}\nhosts:\n  ${alias}:\n`);
      const viaInventory = await dockhand(['facts', '-i', inv, '--known-hosts', knownHosts, '--json']);
      expect(viaInventory.code).toBe(4);
      const overridden = await dockhand(['facts', '-i', inv, '-F', config, '--known-hosts', knownHosts, '--json']);
      expect(overridden.code, overridden.stderr).toBe(0);
    });

    it('a missing ssh_config file is an input error at file:line (65), before connecting', async () => {
      const inv = join(work, 'inv-missing.yaml');
      writeFileSync(inv, `hosts:\n  ${alias}:\n    user: root\n    ssh_config: ./nowhere/config\n`);
      const before = connections();
      const r = await dockhand(['facts', '-i', inv, '--known-hosts', knownHosts]);
      expect(r.code).toBe(65);
      expect(r.stderr).toContain(`${inv}:4`);
      expect(r.stderr).toMatch(/ssh_config: no such file: \.\/nowhere\/config/);
      expect(connections()).toBe(before);
    });
  });
});
