/**
 * `dockhand render --format script|cloud-init|ssm|image-builder`: the playbooks as a standalone
 * script, cloud-init user-data, an SSM Command document or an Image Builder component, for a target
 * named by --os/--os-version/--arch or read from hosts (-H, -i). Options here; work in render-run.ts.
 */
import type { ArgumentsCamelCase, Argv } from 'yargs';
import type { DockhandCommand } from './command.js';
import { withSourceOptions, withTargetOptions } from './options.js';
import { withDaemonOptions } from './provision.js';
import type { RenderArgs } from './render-run.js';

export const renderCommand: DockhandCommand<RenderArgs> = {
  command: 'render',
  describe: 'write the playbook as a standalone script, cloud-init user-data, an SSM document or an Image Builder component',
  builder: (y) =>
    withDaemonOptions(withSourceOptions(withTargetOptions(y), 'users to add to the docker group (root-equivalent)'))
      .option('format', { choices: ['script', 'cloud-init', 'ssm', 'image-builder'] as const, default: 'script' as const, describe: 'what to write' })
      .option('os', { type: 'string', describe: 'target playbook id (debian, ubuntu, rhel, …) when no host is named' })
      .option('os-version', { type: 'string', describe: 'target release (12 or bookworm)' })
      .option('arch', { type: 'string', describe: 'target architecture (x86_64/amd64, aarch64/arm64, …; default x86_64)' })
      .option('codename', { type: 'string', describe: 'with -H: treat the host as this release codename' })
      .option('with', { type: 'string', array: true, describe: 'cloud-init: your own user-data file(s), sent beside ours as MIME multi-part' })
      .option('output', { alias: 'o', type: 'string', describe: 'write to FILE instead of stdout' }) as unknown as Argv<RenderArgs>,
  examples: [
    ['$0 render --os debian --os-version 12 --users admin -o converge.sh', 'a script for Debian 12; run it with sudo sh converge.sh'],
    ['$0 render --format cloud-init --os ubuntu --os-version 24.04 --arch arm64 -o user-data', 'first-boot user-data'],
    ['$0 render --format ssm -H admin@host -o dockhand.yaml', 'an SSM document for hosts like this one'],
    ['$0 render --os debian --os-version 12 --log-max-size 10m --live-restore --registry-mirror https://mirror.example', 'with daemon settings, merged into daemon.json as `up` does'],
  ],
  run: async (argv: ArgumentsCamelCase<RenderArgs>) => (await import('./render-run.js')).runRender(argv),
};
