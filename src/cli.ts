/**
 * dockhand's command line: global options and the explicit list of commands. Commands live in
 * src/commands/ and are thin (parse, call the core, render); each answers its exit code, which
 * runCli hands to main.ts (the error handler and the process's exit code).
 *
 * `doctor` is the default command: a command line that starts with an option and names no command
 * runs it (`dockhand`, `dockhand -H web-1`). It is not yargs' `$0` command, so that `dockhand --help`
 * lists the commands and the global options only, and the doctor's own flags only under `doctor`.
 * Mistyped commands and flags get "did you mean" (suggest.ts); a flag of another command says whose it is.
 */
import yargs, { type ArgumentsCamelCase, type Argv, type CommandModule } from 'yargs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExitCode, UsageError } from './core/errors.js';
import { packageRoot } from './core/paths.js';
import { decideStdoutColour } from './core/output-colour.js';
import type { DockhandCommand } from './commands/command.js';
import { factsCommand } from './commands/facts.js';
import { planCommand, upCommand } from './commands/provision.js';
import { doctorCommand } from './commands/doctor.js';
import { contextsCommand } from './commands/contexts.js';
import { downCommand } from './commands/down.js';
import { bundleCommand } from './commands/bundle.js';
import { initCommand } from './commands/init.js';
import { completionCommand } from './commands/completion.js';
import { valueFlagsJoined } from './commands/provision.js';
import { closest } from './core/suggest.js';
import { renderCommand } from './commands/render.js';

const version: string = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')).version;

/** Registered explicitly, in the order `--help` lists them. */
const commands: ReadonlyArray<DockhandCommand<any>> = [
  doctorCommand,
  planCommand,
  upCommand,
  downCommand,
  bundleCommand,
  factsCommand,
  contextsCommand,
  initCommand,
  renderCommand,
  // The script it prints knows every command's flags (the same definitions --help shows).
  completionCommand(() => commands.map((c) => [nameOf(c), flagsOf(nameOf(c)).filter((f) => f !== 'inventory-names')] as const)),
];
const nameOf = (c: DockhandCommand<any>) => String(c.command).split(' ')[0]!;
const commandNames = commands.map(nameOf);

const EXIT_CODES =
  'Exit codes: 0 ok, 1 doctor found problems, 2 a host failed, 3 doctor could not check, ' +
  '4 a host was unreachable, 64 usage, 65 bad input file, 70 internal error, 74 output could not be written.';

function withGlobalOptions<T>(y: Argv<T>) {
  return y
    .option('json', { type: 'boolean', describe: 'machine-readable output on stdout (logs stay on stderr)' })
    .option('verbose', { alias: 'v', type: 'boolean', describe: 'show every command run on a host (secrets masked)' })
    .option('color', {
      type: 'boolean',
      describe: 'colour on a terminal (default; never in a pipe, with CI set, or for --json); --no-color or NO_COLOR turns it off, FORCE_COLOR on',
    });
}

/** `doctor` in front of a command line that names no command (see the top of this file). */
function withDefaultCommand(argv: string[]): string[] {
  const first = argv[0];
  if (first === undefined) return ['doctor'];
  if (!first.startsWith('-') || argv.some((a) => commandNames.includes(a))) return argv;
  if (argv.every((a) => ['--help', '-h', '--version'].includes(a))) return argv;
  return ['doctor', ...argv];
}

export function buildCli(rawArgv: string[], onExitCode: (code: ExitCode) => void = () => {}) {
  const argv = withDefaultCommand(valueFlagsJoined(rawArgv));
  const word = argv[0];
  if (word !== undefined && !word.startsWith('-') && !commandNames.includes(word)) {
    const guess = closest(word, commandNames);
    throw new UsageError(`unknown command "${word}"${guess ? ` — did you mean \`dockhand ${guess}\`?` : ''}`, `commands: ${commandNames.join(', ')} (dockhand --help)`);
  }
  const cli = withGlobalOptions(yargs(argv))
    .scriptName('dockhand')
    .usage(`$0 <command> [options]\n\nMake Linux hosts ready for Docker, and find out why Docker is not working.\n\n${EXIT_CODES}`)
    // Decided once, before the command runs: the renderers ask output-colour.ts for stdout's paint.
    .middleware((a) => decideStdoutColour(a));
  for (const { run, examples, builder, ...definition } of commands) {
    const command: CommandModule<object, any> = {
      ...definition,
      // Examples last, so that each command's --help ends with them.
      builder: (y: Argv<object>) => {
        const built = typeof builder === 'function' ? (builder(y) as Argv<object>) : y;
        for (const [line, what] of examples) built.example(line, what);
        return built;
      },
      handler: async (a: ArgumentsCamelCase<object>) => onExitCode(await run(a)),
    };
    cli.command(command);
  }
  return cli
    .example('$0', 'diagnose Docker on this machine (the doctor)')
    .example('$0 plan -H admin@web-1', 'what `up` would change on one SSH host')
    .example('$0 up -i inventory.yaml', 'install and configure Docker on a fleet')
    .example('$0 <command> --help', "a command's options and examples")
    .strict()
    .version(version)
    .help()
    .alias('help', 'h')
    .wrap(Math.min(110, process.stdout.columns || 100))
    .exitProcess(false)
    .fail((msg, err) => {
      throw err ?? new UsageError(unknownFlagMessage(msg, word) ?? msg);
    });
}

/** Every flag a command (or, without one, the top level) accepts, with its aliases. */
function flagsOf(name: string | undefined): string[] {
  const y = withGlobalOptions(yargs([]));
  const command = commands.find((c) => nameOf(c) === name);
  if (command && typeof command.builder === 'function') command.builder(y as Argv<object>);
  // getOptions() is yargs' own (untyped in @types/yargs): the declared keys and their aliases.
  const o = (y as unknown as { getOptions(): { key: Record<string, unknown>; alias: Record<string, string[]> } }).getOptions();
  return [...Object.keys(o.key), ...Object.values(o.alias).flat()];
}

/** yargs' "Unknown argument(s): a, b" in dockhand's words: each flag, and what was probably meant. */
function unknownFlagMessage(msg: string, command: string | undefined): string | undefined {
  const m = /^Unknown arguments?: (.+)$/.exec(msg);
  if (!m) return undefined;
  const here = flagsOf(command);
  const dash = (f: string) => (f.length === 1 ? `-${f}` : `--${f}`);
  const where = command ? `\`dockhand ${command}\`` : 'dockhand';
  // yargs names a flag both as typed and camel-cased (show-comands, showComands): each once.
  const typed = [...new Set(m[1]!.split(', ').map((raw) => raw.replace(/^-+/, '').replace(/=.*$/, '').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)))];
  return typed
    .map((flag) => {
      const raw = flag;
      if (!/^[A-Za-z]/.test(flag)) return `unexpected argument "${raw}" for ${where}`;
      const owners = commandNames.filter((c) => c !== command && flagsOf(c).includes(flag));
      if (owners.length) return `${dash(flag)} is an option of ${owners.map((c) => `\`dockhand ${c}\``).join(', ')}, not of ${where}`;
      const guess = closest(flag, here.filter((k) => k.length > 1));
      return `unknown option ${dash(flag)} for ${where}${guess ? ` — did you mean --${guess}?` : ''}`;
    })
    .join('\n  ');
}

/** Parse the command line and run its command; the exit code it answers (0 for --help and --version). */
export async function runCli(argv: string[]): Promise<ExitCode> {
  let code: ExitCode = ExitCode.ok;
  await buildCli(argv, (c) => (code = c)).parseAsync();
  return code;
}
