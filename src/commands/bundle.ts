/**
 * `dockhand bundle --os ID --os-version V --arch A [--docker-version X] -o FILE`: on a machine that
 * reaches the repositories, write one file with exactly the packages (and dependencies) `up` needs
 * for that release, their sha256 manifest, the repository signatures checked on the way; `up
 * --bundle FILE` installs from it on hosts without network. Options here; the work in src/bundle/.
 */
import type { ArgumentsCamelCase, Argv } from 'yargs';
import type { DockhandCommand } from './command.js';
import type { BundleArgs } from './bundle-run.js';


export const bundleCommand: DockhandCommand<BundleArgs> = {
  command: 'bundle',
  describe: 'write an air-gap bundle: the packages a release needs, sha256-checked (for up --bundle)',
  examples: [
    ['$0 bundle --os debian --os-version 12 --arch amd64 -o deb12.tar', 'Docker for Debian 12 hosts without network'],
    ['$0 bundle --os ubuntu --os-version 24.04 --arch arm64 --docker-version 28.1 -o noble.tar', 'a pinned version, held after install'],
  ],
  builder: (y) =>
    y
      .option('os', { type: 'string', demandOption: true, describe: 'os-release ID of the hosts (debian, ubuntu, …)' })
      .option('os-version', { type: 'string', demandOption: true, describe: 'their VERSION_ID (12, 24.04)' })
      .option('arch', { type: 'string', demandOption: true, describe: 'their dpkg architecture (amd64, arm64)' })
      .option('docker-version', { type: 'string', describe: 'this Engine version (27.5 or 27.5.1), held after install' })
      .option('mirror', { type: 'string', describe: "base URL of a mirror of Docker's download site" })
      .option('key-fingerprint', { type: 'string', describe: "the repository key's fingerprint when a mirror re-signs" })
      .option('channel', { choices: ['stable', 'test'] as const, describe: 'Docker repository channel (default stable)' })
      .option('distro-mirror', { type: 'string', describe: "the distribution's archive for dependencies (default: this machine's apt source for that release)" })
      .option('distro-keyring', { type: 'string', describe: "the archive's keyring (default /usr/share/keyrings/<os>-archive-keyring.gpg)" })
      .option('output', { alias: 'o', type: 'string', demandOption: true, describe: 'the bundle file to write' }) as unknown as Argv<BundleArgs>,
  run: async (argv: ArgumentsCamelCase<BundleArgs>) => (await import('./bundle-run.js')).runBundle(argv),
};

