/**
 * `dockhand plan` and `dockhand up`: gather facts, build the plan (the same pure buildPlan for
 * both), then print it (plan) or apply it (up). Only the options here; the work is in provision-run.ts,
 * loaded when the command runs.
 */
import type { ArgumentsCamelCase, Argv } from 'yargs';
import type { ExitCode } from '../core/errors.js';
import type { DockhandCommand } from './command.js';
import type { ProvisionArgs } from './provision-run.js';
import { withSourceOptions, withTargetOptions } from './options.js';
import { withRemovalOptions } from './down.js';

/** The daemon settings flags (daemon.json keys, the proxy): plan, up and render take the same. */
export function withDaemonOptions<T>(y: Argv<T>) {
  return y
    .option('daemon-opt', { type: 'string', array: true, nargs: 1, describe: 'daemon.json KEY=VALUE (repeatable; VALUE is JSON or a string; log-opts.max-size=10m sets one key of an object; null removes)' })
    .option('log-max-size', { type: 'string', describe: 'rotate container logs (json-file/local) at this size, e.g. 10m (default 10m when --log-max-file is given)' })
    .option('log-max-file', { type: 'number', describe: 'log files kept per container when rotating (default 3 when --log-max-size is given)' })
    .option('live-restore', { type: 'boolean', describe: 'keep containers running while dockerd restarts (--no-live-restore: turn off)' })
    .option('registry-mirror', { type: 'string', array: true, nargs: 1, describe: 'Docker Hub mirror http(s)://host[:port] (repeatable)' })
    .option('data-root', { type: 'string', describe: "dockerd's data root (refused when the old root holds data, unless --move-data-root or --allow-storage-switch)" })
    .option('move-data-root', { type: 'boolean', describe: 'with --data-root (or the inventory\'s daemon: data-root): move the old root\'s images, containers and volumes there (containers stop for the copy; the old root is kept renamed)' })
    .option('proxy', { type: 'string', describe: "HTTP(S) proxy for the daemon's own traffic (pulls, pushes)" })
    .option('no-proxy', { type: 'string', describe: 'hosts the daemon reaches without the proxy (comma-separated)' })
    .option('image-store', { choices: ['overlay2', 'containerd'] as const, describe: "overlay2 graph driver (default) or containerd's image store (Engine 24+, the default of fresh Engine 29 installs)" });
}

function withProvisionOptions<T>(y: Argv<T>) {
  return withDaemonOptions(withSourceOptions(
    withTargetOptions(y).positional('targets', { type: 'string', array: true, describe: 'hosts, as for -H' }),
    'users to add to the docker group (default: the login user, or SUDO_USER locally)',
  ))
    .option('rootless', { type: 'boolean', describe: 'give the users rootless Docker (their own daemon, as their user service) instead of the root-equivalent docker group' })
    .option('os', { type: 'string', describe: 'treat the host as this os-release ID (derivatives)' })
    .option('codename', { type: 'string', describe: 'treat the host as this release codename' })
    .option('allow-storage-switch', { type: 'boolean', describe: 'switch the storage driver, image store or data root even if that hides existing images/containers (they stay on disk)' })
    .option('contexts', { type: 'boolean', describe: 'up: then create/update a docker context per ready host (as `dockhand contexts`)' })
    .option('serial', { type: 'string', describe: 'rolling run: N hosts or P% at a time, each batch after the last passed its health gate' })
    .option('bundle', { type: 'string', describe: 'install from this air-gap bundle (`dockhand bundle`): no network needed on the hosts' })
    .option('gate-timeout', { type: 'number', describe: 'up --serial: seconds a host may take to pass its health gate (default 120)' });
}

/**
 * `--no-proxy VALUE` as `--no-proxy=VALUE`: yargs would read the bare form as "not --proxy" and take
 * VALUE for a target host. Only that flag; everything after `--` is left alone.
 */
export function valueFlagsJoined(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') return [...out, ...argv.slice(i)];
    const next = argv[i + 1];
    if (a === '--no-proxy' && next !== undefined && !next.startsWith('-')) {
      out.push(`--no-proxy=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

export const planCommand: DockhandCommand<ProvisionArgs> = {
  command: 'plan [targets..]',
  describe: 'show exactly what `up` would change on each host (dry run)',
  builder: (y) =>
    withRemovalOptions(withProvisionOptions(y))
      .option('down', { type: 'boolean', describe: 'show what `dockhand down` would remove instead' })
      .option('show-commands', {
        type: 'boolean',
        describe: 'print the full script of every command, exactly as `up` runs it (also with -v)',
      }) as unknown as Argv<ProvisionArgs>,
  run: (argv: ArgumentsCamelCase<ProvisionArgs>) => runProvision(argv, 'plan'),
  examples: [
    ['$0 plan', 'what `up` would change on this machine, one line per step'],
    ['$0 plan -H admin@web-1 --show-commands', '…on one SSH host, with every script exactly as `up` runs it'],
    ["$0 plan -i inventory.yaml --limit 'web-*' --json", 'the whole plan of each matching host, as JSON'],
  ],
};

export const upCommand: DockhandCommand<ProvisionArgs> = {
  command: 'up [targets..]',
  describe: 'install and configure Docker on each host',
  builder: (y) => withProvisionOptions(y) as unknown as Argv<ProvisionArgs>,
  run: (argv: ArgumentsCamelCase<ProvisionArgs>) => runProvision(argv, 'up'),
  examples: [
    ['$0 up', 'install and configure Docker on this machine (sudo -n when not root)'],
    ['$0 up -H ubuntu@ec2-host --users ubuntu,ci -K', 'on one SSH host, asking once for the sudo password'],
    ['$0 up -i inventory.yaml --source distro --contexts', "a fleet from the distribution's packages, then a docker context per host"],
  ],
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
