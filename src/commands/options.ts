import type { Argv } from 'yargs';
import { withFleetOptions } from '../fleet/options.js';

/** The target options' defaults (also what plain-doctor.ts hands the doctor without the parser). */
export const targetDefaults = { 'connect-timeout': 15, 'command-timeout': 1800 } as const;

/** Options shared by every command that talks to hosts. */
export function withTargetOptions<T>(y: Argv<T>) {
  return withFleetOptions(y
    .option('host', {
      alias: 'H',
      type: 'string',
      array: true,
      describe: 'SSH target [user@]host[:port] (repeatable); none means this machine',
    })
    .option('identity-file', {
      alias: 'key',
      type: 'string',
      array: true,
      describe: 'SSH private key file to log in with (repeatable; replaces the IdentityFile keys of ~/.ssh/config; -i is the inventory)',
    })
    .option('ask-become-pass', {
      alias: 'K',
      type: 'boolean',
      describe: 'prompt once for the sudo password (fed to sudo on stdin, never logged)',
    })
    .option('host-key-policy', {
      choices: ['strict', 'accept-new', 'off'] as const,
      describe: 'how SSH host keys are checked against known_hosts (default strict, or the SSH config\'s StrictHostKeyChecking yes/accept-new; only this flag turns checking off)',
    })
    .option('ssh-config', {
      alias: 'F',
      type: 'string',
      describe: 'OpenSSH client config read instead of ~/.ssh/config to resolve hosts (as ssh -F FILE)',
    })
    .option('known-hosts', { type: 'string', describe: 'known_hosts file (default the SSH config\'s UserKnownHostsFile, else ~/.ssh/known_hosts)' })
    .option('connect-timeout', { type: 'number', default: targetDefaults['connect-timeout'], describe: 'seconds to wait for an SSH connection' })
    .option('command-timeout', { type: 'number', default: targetDefaults['command-timeout'], describe: 'seconds one remote command may take' }));
}

/**
 * What to install and from where: the options `up`/`plan` and `render` share (one wording, one
 * parsing of --users). `usersHelp` is each command's own account of who --users names.
 */
export function withSourceOptions<T>(y: Argv<T>, usersHelp: string) {
  return y
    .option('source', { choices: ['docker', 'distro'] as const, describe: "packages from Docker's repository or the distribution (default: per playbook)" })
    .option('docker-version', { type: 'string', describe: 'install this Engine version (27.5 or 27.5.1) and hold it' })
    .option('mirror', { type: 'string', describe: "base URL of a mirror of Docker's download site" })
    .option('channel', { choices: ['stable', 'test'] as const, describe: 'Docker repository channel (default stable)' })
    .option('key-fingerprint', { type: 'string', describe: "the repository key's fingerprint when a mirror re-signs" })
    .option('users', {
      type: 'string',
      array: true,
      coerce: (v: string[]) => v.flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean),
      describe: usersHelp,
    });
}
