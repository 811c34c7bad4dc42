/**
 * Turning a copy of a cached image into one particular host: its own name, machine-id and SSH host key,
 * the mirror pinned in /etc/hosts, this run's client key authorized for every user, and a fresh sudo
 * password for deploypw. Done on the copy before boot, so the cached image stays generic.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Mirror } from './mirror.js';
import { runOk } from './proc.js';

export const TEST_USERS = ['root', 'deploy', 'deploypw', 'plain'] as const;
export type TestUserName = (typeof TEST_USERS)[number];

export interface HostIdentity {
  hostname: string;
  address: string;
  mirror: Mirror;
  clientPublicKey: string;
  deploypwPassword: string;
}

/** Copies an image to `dest` (cp -a keeps owners, modes, xattrs and device nodes). */
export async function copyImage(imagePath: string, dest: string): Promise<void> {
  await runOk('cp', ['-a', imagePath, dest]);
}

/** Writes the per-host state into a root filesystem copy; returns the host's SSH public key line. */
export async function personalize(root: string, id: HostIdentity): Promise<string> {
  const etc = (p: string) => join(root, 'etc', p);
  writeFileSync(etc('hostname'), `${id.hostname}\n`);
  writeFileSync(
    etc('hosts'),
    [
      '127.0.0.1\tlocalhost',
      `127.0.1.1\t${id.hostname}`,
      `${id.address}\t${id.hostname}`,
      '::1\tlocalhost ip6-localhost ip6-loopback',
      `# the package mirror, pinned to the one address the firewall lets through`,
      `${id.mirror.address}\t${id.mirror.hostname}`,
      '',
    ].join('\n'),
  );
  // No resolver is reachable; an empty resolv.conf makes other lookups fail at once instead of timing out.
  rmSync(etc('resolv.conf'), { force: true });
  writeFileSync(etc('resolv.conf'), '# test host: names resolve through /etc/hosts only\n');
  writeFileSync(etc('machine-id'), `${randomBytes(16).toString('hex')}\n`);
  keepUserManagers(etc('systemd/logind.conf.d'));

  const hostKey = etc('ssh/ssh_host_ed25519_key');
  rmSync(hostKey, { force: true });
  rmSync(`${hostKey}.pub`, { force: true });
  await runOk('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', id.hostname, '-f', hostKey]);

  const accounts = readPasswd(root);
  for (const user of TEST_USERS) {
    const account = accounts.get(user);
    if (!account) throw new Error(`image at ${root} has no user ${user}`);
    const sshDir = join(root, account.home.replace(/^\/+/, ''), '.ssh');
    mkdirSync(sshDir, { recursive: true });
    writeFileSync(join(sshDir, 'authorized_keys'), `${id.clientPublicKey.trim()}\n`);
    chmodSync(sshDir, 0o700);
    chmodSync(join(sshDir, 'authorized_keys'), 0o600);
    chownSync(sshDir, account.uid, account.gid);
    chownSync(join(sshDir, 'authorized_keys'), account.uid, account.gid);
  }
  // The password travels on stdin only.
  await runOk('chroot', [root, '/usr/sbin/chpasswd'], { input: `deploypw:${id.deploypwPassword}\n` });

  return readFileSync(`${hostKey}.pub`, 'utf8').trim();
}

/**
 * logind stops a user's manager (user@UID.service) 10 s after their last session ends, and a login in
 * that window waits for the stop. In these containers the stop can hang (bookworm: "Processes still
 * around after final SIGKILL") until user@.service's TimeoutStopSec=120s — exactly pam_systemd's bus
 * timeout, so concurrent SSH logins stalled for 120 s. Tests log in and out every few seconds, so each
 * manager started by a first login stays until the host stops. (Here, not in build-image.sh, so the
 * cached images stay valid.)
 */
function keepUserManagers(confDir: string): void {
  mkdirSync(confDir, { recursive: true });
  writeFileSync(join(confDir, 'dockhand-test.conf'), '[Login]\nUserStopDelaySec=infinity\n');
}

function readPasswd(root: string): Map<string, { uid: number; gid: number; home: string }> {
  const users = new Map<string, { uid: number; gid: number; home: string }>();
  for (const line of readFileSync(join(root, 'etc/passwd'), 'utf8').split('\n')) {
    const [name, , uid, gid, , home] = line.split(':');
    if (name && home) users.set(name, { uid: Number(uid), gid: Number(gid), home });
  }
  return users;
}

export function newPassword(): string {
  // Letters and digits only: the password is typed into prompts and piped to sudo -S by tests.
  return randomBytes(18).toString('base64').replace(/[^A-Za-z0-9]/g, '').slice(0, 20);
}
