/**
 * A command line run as this process: the one top-level error handler (a DockhandError is one line
 * and its hint, anything else an internal error with its stack), the stdout error listener, and the
 * exit code. main.ts runs the parsed command line through it, plain-doctor.ts the plain local doctor.
 */
import { DockhandError, ExitCode, exitCodeOf, isOutputWriteError } from './core/errors.js';
import { writeText } from './core/output.js';

/**
 * stdout that cannot be written ends the run with 74 — never a stack trace from an unhandled stream
 * error. A full disk or I/O error (`> /dev/full`: ENOSPC) is reported once, in one line. A reader
 * that went away (`| head` read what it wanted: EPIPE) is not an error the user needs told about:
 * no line, only the exit code. Later writes fail the same way and are dropped by this same listener.
 */
let outputFailure: NodeJS.ErrnoException | undefined;
function onOutputError(err: Error): void {
  if (outputFailure) return;
  if (!isOutputWriteError(err)) throw err;
  outputFailure = err;
  if (err.code === 'EPIPE') return;
  process.stderr.write(`dockhand: cannot write output to stdout: ${err.code}\n`);
}

async function exitCodeOfRun(command: () => Promise<ExitCode>): Promise<number> {
  process.stdout.on('error', onOutputError);
  try {
    return await command();
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

/** Run the command and make its exit code the process's; only once per process. */
export function runAsProcess(command: () => Promise<ExitCode>): void {
  let settled = false;
  void exitCodeOfRun(command).then((code) => {
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
}
