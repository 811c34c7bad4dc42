/**
 * `dockhand init`: write a commented starter inventory (init-inventory.ts) from -H targets or the Host
 * aliases of ~/.ssh/config (--from-ssh-config), to inventory.yaml or -o FILE (`-` for stdout). An
 * existing file is never overwritten without --force. Connects nowhere.
 */
import { existsSync, writeFileSync } from 'node:fs';
import type { Argv } from 'yargs';
import type { DockhandCommand } from './command.js';
import { ExitCode, UsageError } from '../core/errors.js';
import { writeText } from '../core/output.js';

interface InitArgs {
  targets?: string[];
  host?: string[];
  'from-ssh-config'?: boolean;
  'ssh-config'?: string;
  output: string;
  force?: boolean;
}

export const initCommand: DockhandCommand<InitArgs> = {
  command: 'init [targets..]',
  describe: 'write a commented starter inventory (inventory.yaml) from -H targets or your ~/.ssh/config',
  builder: (y) =>
    (y as Argv<object>)
      .positional('targets', { type: 'string', array: true, describe: 'hosts, as for -H' })
      .option('host', { alias: 'H', type: 'string', array: true, describe: 'SSH target [user@]host[:port] (repeatable)' })
      .option('from-ssh-config', { type: 'boolean', describe: 'one host per non-wildcard Host alias of ~/.ssh/config (of -F FILE)' })
      .option('ssh-config', { alias: 'F', type: 'string', describe: 'OpenSSH client config to read the aliases from' })
      .option('output', { alias: 'o', type: 'string', default: 'inventory.yaml', describe: 'file to write; - for stdout' })
      .option('force', { type: 'boolean', describe: 'overwrite the output file if it exists' }) as unknown as Argv<InitArgs>,
  examples: [
    ['$0 init -H admin@web-1 -H admin@web-2:2222', 'an inventory of two SSH hosts, in inventory.yaml'],
    ['$0 init --from-ssh-config -o fleet.yaml', 'one host per Host alias of ~/.ssh/config'],
    ['$0 init -o - | less', 'the starter (this machine only) on stdout'],
  ],
  run: async (argv) => {
    const [{ parseTarget }, { sshConfigAliases, defaultSshConfig }, { starterInventory }] = await Promise.all([
      import('../model/targets.js'),
      import('../inventory/ssh-config.js'),
      import('./init-inventory.js'),
    ]);
    const targets = [...(argv.host ?? []), ...(argv.targets ?? [])].map(parseTarget);
    const configFile = argv['ssh-config'] ?? defaultSshConfig();
    if (argv['ssh-config'] && !existsSync(configFile)) throw new UsageError(`--ssh-config: no such file: ${configFile}`);
    const sshAliases = argv['from-ssh-config'] ? sshConfigAliases(configFile) : [];
    if (argv['from-ssh-config'] && sshAliases.length === 0) throw new UsageError(`--from-ssh-config: no Host alias without wildcards in ${configFile}`);
    const text = starterInventory({ targets, sshAliases, sshConfigFile: argv['from-ssh-config'] && argv['ssh-config'] ? configFile : undefined });
    if (argv.output === '-') {
      writeText(process.stdout, text);
      return ExitCode.ok;
    }
    if (existsSync(argv.output) && !argv.force) throw new UsageError(`${argv.output} exists`, 'choose another file with -o FILE, or --force to overwrite it');
    writeFileSync(argv.output, text);
    const n = targets.length + sshAliases.length;
    writeText(process.stderr, `wrote ${argv.output}${n ? ` (${n} host${n === 1 ? '' : 's'})` : ' (this machine only; add hosts under hosts:)'}; check it with: dockhand plan -i ${argv.output}\n`);
    return ExitCode.ok;
  },
};
