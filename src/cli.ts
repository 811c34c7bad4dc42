#!/usr/bin/env node
/**
 * dockhand's entry point: global options, the explicit list of commands, and the one top-level
 * error handler. Commands live in src/commands/ and are thin: parse, call the core, render.
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DockhandError, ExitCode, exitCodeOf, isOutputWriteError, UsageError } from './core/errors.js';
import { writeText } from './core/output.js';
import { packageRoot } from './core/paths.js';
import { factsCommand } from './commands/facts.js';
import { planCommand, upCommand } from './commands/provision.js';
import { doctorCommand } from './commands/doctor.js';
import { contextsCommand } from './commands/contexts.js';
// Lives in commands/options.ts so commands can use it without importing this entry point (a cycle).
export { withTargetOptions } from './commands/options.js';

const version: string = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')).version;

export function buildCli(argv: string[]) {
  return yargs(argv)
    .scriptName('dockhand')
    .usage('$0 <command> [options]\n\nMake Linux hosts ready for Docker, and find out why Docker is not working.')
    .option('json', { type: 'boolean', describe: 'machine-readable output on stdout (logs stay on stderr)' })
    .option('verbose', { alias: 'v', type: 'boolean', describe: 'show every command run on a host (secrets masked)' })
    // Registered explicitly, in the order `--help` lists them.
    .command(doctorCommand)
    .command(planCommand)
    .command(upCommand)
    .command(factsCommand)
    .command(contextsCommand)
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

/**
 * stdout that cannot be written (`| head` closed it: EPIPE; `> /dev/full`: ENOSPC) is reported once,
 * in one line, and the run ends with 74 — never a stack trace from an unhandled stream error. Later
 * writes fail the same way and are dropped by this same listener.
 */
let outputFailure: NodeJS.ErrnoException | undefined;
function onOutputError(err: Error): void {
  if (outputFailure) return;
  if (!isOutputWriteError(err)) throw err;
  outputFailure = err;
  process.stderr.write(`dockhand: cannot write output to stdout: ${err.code}${err.code === 'EPIPE' ? ' (the reader closed it)' : ''}\n`);
}

export async function main(argv: string[]): Promise<number> {
  process.stdout.on('error', onOutputError);
  try {
    await buildCli(argv).parseAsync();
    return process.exitCode === undefined ? ExitCode.ok : Number(process.exitCode);
  } catch (err) {
    // A command that failed because stdout did (already reported by the listener): no second message.
    if (outputFailure && isOutputWriteError(err)) return ExitCode.outputFailed;
    const code = exitCodeOf(err);
    if (err instanceof DockhandError) {
      writeText(process.stderr, `dockhand: ${err.message}\n`);
      if (err.hint) writeText(process.stderr, `  hint: ${err.hint}\n`);
    } else {
      const e = err as Error;
      writeText(process.stderr, `dockhand: internal error: ${e?.stack ?? String(err)}\n`);
    }
    return code;
  }
}

let settled = false;
main(hideBin(process.argv)).then((code) => {
  settled = true;
  process.exitCode = code;
});
// If Node runs out of things to wait for while a command is still pending (a promise nothing will
// ever settle), it exits with 0 and prints nothing: a silent "success". Make that loud instead.
process.on('exit', (code) => {
  if (outputFailure && code === 0) process.exitCode = ExitCode.outputFailed;
  if (!settled && code === 0) {
    process.stderr.write('dockhand: internal error: stopped before the command finished (nothing left to wait for)\n');
    process.exitCode = ExitCode.internal;
  }
});
