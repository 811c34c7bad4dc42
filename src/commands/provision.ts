/**
 * `dockhand plan` and `dockhand up`: gather facts, build the plan (the same pure buildPlan for
 * both), then print it (plan) or apply it (up). Only the options here; the work is in provision-run.ts,
 * loaded when the command runs.
 */
import type { ArgumentsCamelCase, Argv } from 'yargs';
import type { ExitCode } from '../core/errors.js';
import type { DockhandCommand } from './command.js';
import type { ProvisionArgs } from './provision-run.js';
import { withTargetOptions } from './options.js';
import { withRemovalOptions } from './down.js';

function withProvisionOptions<T>(y: Argv<T>) {
  return withTargetOptions(y)
    .positional('targets', { type: 'string', array: true, describe: 'hosts, as for -H' })
    .option('source', { choices: ['docker', 'distro'] as const, describe: "packages from Docker's repository or the distribution (default: per playbook)" })
    .option('docker-version', { type: 'string', describe: 'install this Engine version (27.5 or 27.5.1) and hold it' })
    .option('mirror', { type: 'string', describe: "base URL of a mirror of Docker's download site" })
    .option('channel', { choices: ['stable', 'test'] as const, describe: 'Docker repository channel (default stable)' })
    .option('key-fingerprint', { type: 'string', describe: "the repository key's fingerprint when a mirror re-signs" })
    .option('users', {
      type: 'string',
      array: true,
      coerce: (v: string[]) => v.flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean),
      describe: 'users to add to the docker group (default: the login user, or SUDO_USER locally)',
    })
    .option('os', { type: 'string', describe: 'treat the host as this os-release ID (derivatives)' })
    .option('codename', { type: 'string', describe: 'treat the host as this release codename' })
    .option('allow-storage-switch', { type: 'boolean', describe: 'switch to overlay2 even if that hides images/containers of another driver' })
    .option('contexts', { type: 'boolean', describe: 'up: then create/update a docker context per ready host (as `dockhand contexts`)' })
    .option('serial', { type: 'string', describe: 'rolling run: N hosts or P% at a time, each batch after the last passed its health gate' })
    .option('bundle', { type: 'string', describe: 'install from this air-gap bundle (`dockhand bundle`): no network needed on the hosts' })
    .option('gate-timeout', { type: 'number', describe: 'up --serial: seconds a host may take to pass its health gate (default 120)' });
}

export const planCommand: DockhandCommand<ProvisionArgs> = {
  command: 'plan [targets..]',
  describe: 'show exactly what `up` would change on each host (dry run)',
  builder: (y) =>
    withRemovalOptions(withProvisionOptions(y)).option('down', { type: 'boolean', describe: 'show what `dockhand down` would remove instead' }) as unknown as Argv<ProvisionArgs>,
  run: (argv: ArgumentsCamelCase<ProvisionArgs>) => runProvision(argv, 'plan'),
};

export const upCommand: DockhandCommand<ProvisionArgs> = {
  command: 'up [targets..]',
  describe: 'install and configure Docker on each host',
  builder: (y) => withProvisionOptions(y) as unknown as Argv<ProvisionArgs>,
  run: (argv: ArgumentsCamelCase<ProvisionArgs>) => runProvision(argv, 'up'),
};

// Loaded on use: playbooks (zod, yaml) and the fleet runner are not paid for by `--help` or other commands.
async function runProvision(argv: ProvisionArgs, mode: 'plan' | 'up'): Promise<ExitCode> {
  if (mode === 'plan' && argv.down) return (await import('./down-run.js')).runDown(argv, 'plan');
  if (argv['remove-group-members'] || argv['purge-data']) {
    const { UsageError } = await import('../core/errors.js');
    throw new UsageError('--remove-group-members and --purge-data go with `down` or `plan --down`');
  }
  return (await import('./provision-run.js')).run(argv, mode);
}
