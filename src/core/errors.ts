/**
 * Typed errors and the process exit codes they map to. Every command ends through the one
 * handler in cli.ts, which prints `error.message` (and `hint`) and exits with `exitCode`.
 *
 * Exit codes (documented in README.md — keep the two in sync):
 *   0  success / healthy / converged
 *   1  doctor: problems found
 *   2  at least one host failed (a step failed, a plan could not be made)
 *   3  doctor: could not check (the host could not be examined)
 *   4  at least one host unreachable (connect, auth or host-key failure) — every command, doctor too;
 *      it wins over 3 and 1/2 (those hosts were not even examined)
 *  64  usage error (bad flags or arguments)
 *  65  bad input data (playbook, inventory, check declarations, daemon.json)
 *  70  internal error (a bug in dockhand)
 *  74  output could not be written (stdout closed or its disk full: EPIPE — silently, the reader
 *      went away as `| head` does — or ENOSPC, EIO, … with one line on stderr)
 */
import { lastLines } from './bounded.js';

export { lastLines };
export const ExitCode = {
  ok: 0,
  problemsFound: 1,
  hostFailed: 2,
  couldNotCheck: 3,
  unreachable: 4,
  usage: 64,
  dataError: 65,
  internal: 70,
  outputFailed: 74,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export class DockhandError extends Error {
  readonly exitCode: ExitCode;
  /** One line telling the user what to do next, shown after the message. */
  readonly hint?: string;
  constructor(message: string, opts: { exitCode?: ExitCode; hint?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.exitCode = opts.exitCode ?? ExitCode.internal;
    this.hint = opts.hint;
  }
}

export class UsageError extends DockhandError {
  constructor(message: string, hint?: string) {
    super(message, { exitCode: ExitCode.usage, hint });
  }
}

/** Bad YAML/JSON input: always names the file, and the line and field when known. */
export class InputError extends DockhandError {
  readonly file: string;
  readonly line?: number;
  readonly field?: string;
  constructor(file: string, detail: string, opts: { line?: number; column?: number; field?: string; hint?: string } = {}) {
    const where = opts.line ? `${file}:${opts.line}${opts.column ? `:${opts.column}` : ''}` : file;
    super(`${where}: ${opts.field ? `${opts.field}: ` : ''}${detail}`, { exitCode: ExitCode.dataError, hint: opts.hint });
    this.file = file;
    this.line = opts.line;
    this.field = opts.field;
  }
}

export type ConnectFailure =
  | 'auth'
  | 'refused'
  | 'timeout'
  | 'dns'
  | 'host-key-unknown'
  | 'host-key-changed'
  | 'jump'
  | 'other';

/** The host could not be reached or logged into. Fleet runs record it per host and go on. */
export class ConnectError extends DockhandError {
  readonly host: string;
  readonly failure: ConnectFailure;
  constructor(host: string, failure: ConnectFailure, message: string, hint?: string, cause?: unknown) {
    super(`${host}: ${message}`, { exitCode: ExitCode.unreachable, hint, cause });
    this.host = host;
    this.failure = failure;
  }
}

/** A command on a host exited non-zero where success was required. */
export class CommandError extends DockhandError {
  readonly host: string;
  readonly command: string;
  readonly code: number | null;
  readonly output: string;
  constructor(host: string, command: string, code: number | null, output: string, hint?: string) {
    const tail = lastLines(output, 12);
    super(
      `${host}: command failed (${code === null ? 'no exit status' : `exit ${code}`}): ${command}${tail ? `\n${tail}` : ''}`,
      { exitCode: ExitCode.hostFailed, hint },
    );
    this.host = host;
    this.command = command;
    this.code = code;
    this.output = output;
  }
}

/**
 * A command's output went over the cap (src/core/bounded.ts): it was stopped, because output that
 * cannot be read whole cannot be trusted. The message shows only the bounded end of it.
 */
export class OutputLimitError extends DockhandError {
  readonly host: string;
  constructor(host: string, stream: 'stdout' | 'stderr', cap: number, end: string) {
    const tail = lastLines(end, 5);
    super(`${host}: the command's ${stream} went over ${Math.round(cap / 1024)} KiB; dockhand stopped it${tail ? `\nlast output:\n${tail}` : ''}`, {
      exitCode: ExitCode.hostFailed,
      hint: 'a command that prints this much is not one of dockhand\'s; check what the host runs at login or in place of sh',
    });
    this.host = host;
  }
}

/** Privilege escalation was needed and is not possible non-interactively. */
export class BecomeError extends DockhandError {
  constructor(host: string, message: string) {
    super(`${host}: ${message}`, {
      exitCode: ExitCode.hostFailed,
      hint: 'run as root, allow passwordless sudo for this user, or pass --ask-become-pass',
    });
  }
}

/**
 * The host cannot get what its plan needs (no root and no usable sudo, a user that does not exist, a
 * version its package manager cannot offer): found from the facts in `plan`, before anything changes.
 */
export class PreconditionError extends DockhandError {
  constructor(host: string, message: string, hint: string) {
    super(`${host}: ${message}`, { exitCode: ExitCode.hostFailed, hint });
  }
}

/** A write to stdout failed (EPIPE: the reader went away; ENOSPC: `> /dev/full`, a full disk). */
export function isOutputWriteError(err: unknown): err is NodeJS.ErrnoException {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EPIPE' || code === 'ENOSPC' || code === 'EIO' || code === 'EDQUOT' || code === 'EFBIG';
}

/** Map anything thrown to an exit code; non-dockhand errors are bugs. */
export function exitCodeOf(err: unknown): ExitCode {
  return err instanceof DockhandError ? err.exitCode : ExitCode.internal;
}
