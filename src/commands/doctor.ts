/**
 * `dockhand doctor` (the default command): find out exactly why Docker is not reachable, explain
 * it, and with --fix apply what is safe. Thin: options → src/doctor/run.ts.
 */
import type { ArgumentsCamelCase, Argv } from 'yargs';
import type { DockhandCommand } from './command.js';
import type { GlobalArgs } from './context.js';
import { withTargetOptions } from './options.js';

export interface DoctorArgs extends GlobalArgs {
  user?: string;
  fix?: boolean;
  yes?: boolean;
  'allow-root-equivalent'?: boolean;
  report?: string;
}

export const doctorCommand: DockhandCommand<DoctorArgs> = {
  command: 'doctor',
  describe: 'find out why Docker is not reachable, explain it, and fix what is safe (the default command)',
  examples: [
    ['$0', 'diagnose Docker on this machine, for you'],
    ['$0 doctor --user alice --verbose', '…for another user, listing every check'],
    ['$0 doctor --fix', 'apply the safe fixes (each confirmed), then check again'],
    ['$0 doctor -i inventory.yaml --report fleet.html', 'a fleet, and one self-contained HTML report of it'],
  ],
  builder: (y) =>
    withTargetOptions(y)
      .option('user', { type: 'string', describe: 'check on behalf of this user (default: you)' })
      .option('fix', { type: 'boolean', describe: 'apply the safe fixes (each confirmed on a TTY), then re-check' })
      .option('yes', { alias: 'y', type: 'boolean', describe: 'with --fix: do not ask before safe fixes' })
      .option('allow-root-equivalent', {
        type: 'boolean',
        describe: 'with --fix --yes: also add the user to the docker group (root-equivalent)',
      })
      .option('report', { type: 'string', describe: 'also write the results as one self-contained HTML file (hosts × check groups, findings and fixes)' }) as unknown as Argv<DoctorArgs>,
  run: async (argv: ArgumentsCamelCase<DoctorArgs>) => {
    // Loaded here, not at startup: `dockhand --help` and other commands should not pay for it.
    const [{ buildContext }, { runDoctor }, { accountNameProblem }, { UsageError }] = await Promise.all([
      import('./context.js'),
      import('../doctor/run.js'),
      import('../core/values.js'),
      import('../core/errors.js'),
    ]);
    // Checked before anything connects, like every other flag.
    const userProblem = argv.user === undefined ? undefined : accountNameProblem(argv.user);
    if (userProblem) throw new UsageError(`--user: ${userProblem}`);
    const ctx = await buildContext(argv);
    const tty = process.stdin.isTTY && process.stderr.isTTY;
    return runDoctor({
      ...ctx,
      verbose: argv.verbose ?? false,
      user: argv.user,
      fix: argv.fix ?? false,
      yes: argv.yes ?? false,
      allowRootEquivalent: argv['allow-root-equivalent'] ?? false,
      htmlReport: argv.report,
      // The question names host paths and users: core/prompt puts it through the output layer.
      ask: tty ? async (question: string) => (await import('../core/prompt.js')).askYesNo(question) : undefined,
    });
  },
};
