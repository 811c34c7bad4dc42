/**
 * dockhand's command line: global options and the explicit list of commands. Commands live in
 * src/commands/ and are thin (parse, call the core, render); each answers its exit code, which
 * runCli hands to main.ts (the error handler and the process's exit code).
 */
import yargs, { type ArgumentsCamelCase, type CommandModule } from 'yargs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExitCode, UsageError } from './core/errors.js';
import { packageRoot } from './core/paths.js';
import type { DockhandCommand } from './commands/command.js';
import { factsCommand } from './commands/facts.js';
import { planCommand, upCommand } from './commands/provision.js';
import { doctorCommand } from './commands/doctor.js';
import { contextsCommand } from './commands/contexts.js';
import { renderCommand } from './commands/render.js';

const version: string = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')).version;

/** Registered explicitly, in the order `--help` lists them. */
const commands: ReadonlyArray<DockhandCommand<any>> = [doctorCommand, planCommand, upCommand, factsCommand, contextsCommand, renderCommand];

export function buildCli(argv: string[], onExitCode: (code: ExitCode) => void = () => {}) {
  const cli = yargs(argv)
    .scriptName('dockhand')
    .usage('$0 <command> [options]\n\nMake Linux hosts ready for Docker, and find out why Docker is not working.')
    .option('json', { type: 'boolean', describe: 'machine-readable output on stdout (logs stay on stderr)' })
    .option('verbose', { alias: 'v', type: 'boolean', describe: 'show every command run on a host (secrets masked)' });
  for (const { run, ...definition } of commands) {
    const command: CommandModule<object, any> = { ...definition, handler: async (a: ArgumentsCamelCase<object>) => onExitCode(await run(a)) };
    cli.command(command);
  }
  return cli
    .strict()
    .version(version)
    .help()
    .alias('help', 'h')
    .epilogue(
      'Exit codes: 0 ok, 1 doctor found problems, 2 a host failed, 3 doctor could not check, ' +
        '4 a host was unreachable, 64 usage, 65 bad input file, 70 internal error, 74 output could not be written.',
    )
    .wrap(Math.min(110, process.stdout.columns || 100))
    .exitProcess(false)
    .fail((msg, err) => {
      throw err ?? new UsageError(msg);
    });
}

/** Parse the command line and run its command; the exit code it answers (0 for --help and --version). */
export async function runCli(argv: string[]): Promise<ExitCode> {
  let code: ExitCode = ExitCode.ok;
  await buildCli(argv, (c) => (code = c)).parseAsync();
  return code;
}
