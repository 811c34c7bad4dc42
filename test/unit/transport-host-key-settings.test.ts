import { describe, expect, it } from 'vitest';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { SshConfig } from '../../src/transport/ssh-config.js';
import { hostKeySettings, type HostKeySettings } from '../../src/transport/ssh/host-keys.js';
import type { ConnectOptions } from '../../src/transport/types.js';

// Which known_hosts files and which policy a hop gets: the command line, then the hop's `ssh -G`,
// then dockhand's defaults. `pw` stands for the passwd home `ssh -G` expands `~` from.
const pw = '/home/pw';
const ownDefault = join(homedir(), '.ssh', 'known_hosts');
type Cfg = Pick<SshConfig, 'strictHostKeyChecking' | 'userKnownHostsFiles'>;
const OPENSSH_DEFAULT: Cfg = { strictHostKeyChecking: 'ask', userKnownHostsFiles: [`${pw}/.ssh/known_hosts`, `${pw}/.ssh/known_hosts2`] };
const VAGRANT: Cfg = { strictHostKeyChecking: 'no', userKnownHostsFiles: ['/dev/null'] };

describe('hostKeySettings', () => {
  it.each<[string, Cfg | undefined, Pick<ConnectOptions, 'hostKeyPolicy' | 'knownHostsFile'>, Partial<HostKeySettings>]>([
    ['no config, no flags: strict, ~/.ssh/known_hosts', undefined, {}, { policy: 'strict', files: [ownDefault], recordTo: ownDefault }],
    ["OpenSSH's defaults are not a setting", OPENSSH_DEFAULT, {}, { policy: 'strict', files: [ownDefault], recordTo: ownDefault }],
    ['StrictHostKeyChecking yes → strict', { strictHostKeyChecking: 'yes' }, {}, { policy: 'strict', ignoredStrictness: undefined }],
    ['StrictHostKeyChecking accept-new → accept-new', { strictHostKeyChecking: 'accept-new' }, {}, { policy: 'accept-new' }],
    ['StrictHostKeyChecking no → still strict, and said so', { strictHostKeyChecking: 'no' }, {}, { policy: 'strict', ignoredStrictness: 'StrictHostKeyChecking no' }],
    ['--host-key-policy off is the only way off', { strictHostKeyChecking: 'no' }, { hostKeyPolicy: 'off' }, { policy: 'off', ignoredStrictness: undefined }],
    ['the flag wins over accept-new', { strictHostKeyChecking: 'accept-new' }, { hostKeyPolicy: 'strict' }, { policy: 'strict' }],
    [
      'UserKnownHostsFile: all read, the first records',
      { userKnownHostsFiles: ['/k/one', '/k/two'] },
      {},
      { files: ['/k/one', '/k/two'], recordTo: '/k/one', unrecordable: undefined },
    ],
    ['--known-hosts wins over UserKnownHostsFile', { userKnownHostsFiles: ['/k/one'] }, { knownHostsFile: '/cli/kh' }, { files: ['/cli/kh'], recordTo: '/cli/kh' }],
    [
      "Vagrant's /dev/null: nothing recorded, nowhere to record",
      VAGRANT,
      {},
      { policy: 'strict', files: [], recordTo: undefined, unrecordable: 'UserKnownHostsFile /dev/null in the SSH config' },
    ],
    ['none: the same', { userKnownHostsFiles: [] }, {}, { files: [], recordTo: undefined, unrecordable: 'UserKnownHostsFile none in the SSH config' }],
    ['/dev/null first, a file after: read it, record nowhere', { userKnownHostsFiles: ['/dev/null', '/k/two'] }, {}, { files: ['/k/two'], recordTo: undefined }],
    ['--known-hosts /dev/null records nothing either', undefined, { knownHostsFile: '/dev/null' }, { files: [], unrecordable: '--known-hosts /dev/null' }],
  ])('%s', (_title, cfg, opts, want) => {
    expect(hostKeySettings(cfg, opts, pw)).toMatchObject(want);
  });
});
