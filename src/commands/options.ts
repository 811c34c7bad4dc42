import type { Argv } from 'yargs';
import { withFleetOptions } from '../fleet/options.js';

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
    .option('connect-timeout', { type: 'number', default: 15, describe: 'seconds to wait for an SSH connection' })
    .option('command-timeout', { type: 'number', default: 1800, describe: 'seconds one remote command may take' }));
}
