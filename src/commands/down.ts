/**
 * `dockhand down`: take Docker off each host — stop and disable its services, release the hold,
 * remove the packages and the repository and key files dockhand wrote; the users' docker group
 * membership only with --remove-group-members, the data (/var/lib/docker, /var/lib/containerd) only
 * with --purge-data after a confirmation naming their sizes. `plan --down` shows exactly that.
 * Only the options here; the work is in down-run.ts, loaded when the command runs.
 */
import type { ArgumentsCamelCase, Argv } from 'yargs';
import type { DockhandCommand } from './command.js';
import type { DownArgs } from './down-run.js';
import { withTargetOptions } from './options.js';

/** The removal flags, on `down` and (with --down) on `plan`. */
export function withRemovalOptions<T>(y: Argv<T>) {
  return y
    .option('remove-group-members', { type: 'boolean', describe: 'down: also take the users (--users, default the login user) out of the docker group' })
    .option('purge-data', { type: 'boolean', describe: 'down: also delete /var/lib/docker and /var/lib/containerd (asks, naming their size)' });
}

export const downCommand: DockhandCommand<DownArgs> = {
  command: 'down [targets..]',
  describe: 'remove Docker from each host (data kept unless --purge-data)',
  examples: [
    ['$0 plan --down -i fleet.yaml', 'what down would remove, exactly'],
    ['$0 down web1 --purge-data --yes', 'also delete /var/lib/docker and /var/lib/containerd'],
  ],
  builder: (y) =>
    withRemovalOptions(withTargetOptions(y))
      .positional('targets', { type: 'string', array: true, describe: 'hosts, as for -H' })
      .option('users', {
        type: 'string',
        array: true,
        coerce: (v: string[]) => v.flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean),
        describe: 'with --remove-group-members: the users to take out of the docker group',
      })
      .option('os', { type: 'string', describe: 'treat the host as this os-release ID (derivatives)' })
      .option('codename', { type: 'string', describe: 'treat the host as this release codename' })
      .option('yes', { alias: 'y', type: 'boolean', describe: 'do not ask before deleting data (--purge-data)' }) as unknown as Argv<DownArgs>,
  run: async (argv: ArgumentsCamelCase<DownArgs>) => (await import('./down-run.js')).runDown(argv, 'down'),
};
