/**
 * What both transports do around one command, whatever carries it (a child process, an SSH channel):
 * build the command (become, env), echo it for --verbose, decode output, feed stdin through the
 * become session, and turn the end into an ExecResult — or a BecomeError when sudo refused.
 */
import { StringDecoder } from 'node:string_decoder';
import { BoundedCapture, clipLine } from '../core/bounded.js';
import { BecomeError, ConnectError, OutputLimitError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { BecomeSession, planCommand, SUDO_PATHS, type CommandPlan, type StdinSink } from './become.js';
import type { ExecOptions, ExecResult } from './types.js';

export interface RunIdentity {
  host: string;
  isRoot: boolean;
  /** Absolute path of sudo on the host; undefined when none of SUDO_PATHS is there. */
  sudoPath?: string;
  becomePassword?: string;
  logger: Logger;
}

/** Plan a command and echo it (the caller's script, not the wrapper; the logger masks secrets). */
export function prepareCommand(id: RunIdentity, script: string, opts: ExecOptions, reportSession = false): CommandPlan {
  if (opts.sudo && !id.isRoot && id.sudoPath === undefined) {
    throw new BecomeError(id.host, `sudo is not installed (none of ${SUDO_PATHS.join(', ')}) and the login user is not root`);
  }
  const plan = planCommand(script, {
    sudo: opts.sudo,
    sudoPath: id.sudoPath,
    env: opts.env,
    isRoot: id.isRoot,
    becomePassword: id.becomePassword,
    reportSession,
  });
  const envText = Object.entries(opts.env ?? {}).map(([k, v]) => `${k}=${v} `).join('');
  id.logger.command(id.host, `${plan.viaSudo ? '(sudo) ' : ''}${envText}${script}`);
  return plan;
}

/**
 * Kill everything in a command's session (the id its begin line reported): its process group and
 * whatever it started in other groups of the session (an apt-get holding the dpkg lock).
 */
export function killSessionScript(sessionId: string): string {
  if (!/^[0-9]+$/.test(sessionId)) throw new TypeError(`bad session id ${JSON.stringify(sessionId)}`);
  return `kill -KILL -- -${sessionId} 2>/dev/null; pkill -KILL -s ${sessionId} 2>/dev/null; true`;
}

/**
 * A command's own timeout, never beyond --command-timeout: the flag is what one remote command may
 * take, so a caller's longer default (the facts probe's) must not outlast what the user asked for.
 */
export function commandTimeout(opts: ExecOptions, transport: { commandTimeoutMs: number }): number {
  return Math.min(opts.timeoutMs ?? transport.commandTimeoutMs, transport.commandTimeoutMs);
}

/**
 * After the exit status, output may still be in flight (sshd sends exit-status before it has drained
 * the pipes; a loaded machine delays reads). Settle once the output has been quiet this long.
 */
const QUIET_AFTER_EXIT_MS = 2000;

/**
 * sudo's prompt has no newline after it. Text before the begin marker that ends without one, is not
 * our own prompt, and stays unanswered this long is sudo (or PAM) asking for something we were not
 * given — a 2FA code, a prompt overridden in sudoers: fail now instead of at the command timeout.
 */
export const FOREIGN_PROMPT_QUIET_MS = 1500;

/** What a transport hands over once the command runs. */
export interface Launched {
  stdin: StdinSink;
  /** Stop the command (timeout); the session id is known when the plan reported it. */
  kill(sessionId: string | undefined): void;
  /** Release pipes/channel after the result is settled. */
  release(): void;
}

/**
 * One command from start to result. The transport wires its process or channel events to
 * stdout/stderr/exited/closed/failed. The result settles on `closed` — or shortly after `exited`,
 * because a background child (a daemon a script started) may hold the output pipes open for hours.
 */
export class CommandRun {
  private session!: BecomeSession;
  private readonly outDecoder = new StringDecoder('utf8');
  private readonly out: BoundedCapture;
  private readonly err: BoundedCapture;
  /** The stream that went over the cap (the command was then stopped). */
  private overflow?: 'stdout' | 'stderr';
  /** A prompt sudo printed that is not ours (the command was then stopped). */
  private foreignPrompt?: string;
  private promptTimer?: NodeJS.Timeout;
  private code: number | null = null;
  private signal?: string;
  private timedOut = false;
  private settled = false;
  private readonly timers: NodeJS.Timeout[] = [];
  private lastOutputAt = Date.now();
  private launched?: Launched;
  readonly result: Promise<ExecResult>;
  private resolve!: (r: ExecResult) => void;
  private reject!: (e: unknown) => void;

  constructor(
    private readonly host: string,
    private readonly plan: CommandPlan,
    private readonly opts: ExecOptions,
    private readonly timeoutMs: number,
  ) {
    this.result = new Promise<ExecResult>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    this.out = new BoundedCapture(opts.maxOutput);
    this.err = new BoundedCapture(opts.maxOutput);
    // The clock runs from the request on, not from the start: a host that never opens the session
    // channel (or a process that never spawns) must not hold the caller, or its slot, forever.
    this.timers.push(setTimeout(() => this.timeUp(), timeoutMs));
  }

  private timeUp(): void {
    if (this.settled) return;
    if (!this.launched) {
      this.failed(
        new ConnectError(
          this.host,
          'timeout',
          `the host did not start the command within ${Math.round(this.timeoutMs / 1000)} s (no session channel)`,
          'the host accepts logins but does not run commands; check its sshd (MaxSessions, a hung PAM session) or raise --command-timeout',
        ),
      );
      return;
    }
    this.timedOut = true;
    this.launched.kill(this.session.sessionId);
    this.settle();
  }

  /** The process or channel runs: feed stdin. One that comes after the result (timed out) is closed at once. */
  started(launched: Launched): void {
    if (this.settled) {
      launched.kill(undefined);
      launched.release();
      return;
    }
    this.launched = launched;
    this.session = new BecomeSession(this.plan, launched.stdin, this.opts.stdin);
    this.session.begin();
  }

  stdout(chunk: Buffer): void {
    if (this.settled) return;
    this.emit(this.outDecoder.write(chunk), 'stdout');
  }

  stderr(chunk: Buffer): void {
    if (this.settled) return;
    this.emit(this.session.onStderr(chunk), 'stderr');
    if (this.plan.viaSudo && !this.session.commandStarted) this.watchForForeignPrompt();
  }

  /** (Re)arm the foreign-prompt timer while sudo's stderr ends in a line that is not ours. */
  private watchForForeignPrompt(): void {
    if (this.promptTimer) clearTimeout(this.promptTimer);
    this.promptTimer = undefined;
    const pending = this.session.foreignPrompt();
    if (pending === undefined) return;
    this.promptTimer = setTimeout(() => {
      if (this.settled || this.session.commandStarted || this.session.foreignPrompt() !== pending) return;
      this.foreignPrompt = pending;
      // EOF: sudo -S gives up on its own (there is no terminal it could read from instead); settling
      // releases the pipes or channel. No kill: one through sudo would meet the same prompt.
      this.session.abandon();
      this.settle();
    }, FOREIGN_PROMPT_QUIET_MS);
    this.timers.push(this.promptTimer);
  }

  /** Exit status (number) or the signal that ended it. */
  exited(code: number | null, signal?: string): void {
    if (typeof code === 'number') this.code = code;
    else this.signal = signal;
    // Quiet is counted from the exit on: output still in flight has not had its chance yet.
    this.lastOutputAt = Date.now();
    this.settleWhenQuiet();
  }

  /** A background child may hold the pipes open for hours: do not wait for it once output stops. */
  private settleWhenQuiet(): void {
    const quietFor = Date.now() - this.lastOutputAt;
    if (quietFor >= QUIET_AFTER_EXIT_MS) this.settle();
    else this.timers.push(setTimeout(() => this.settleWhenQuiet(), QUIET_AFTER_EXIT_MS - quietFor));
  }

  /** All output is in (process closed / channel closed): the normal end. */
  closed(): void {
    this.settle();
  }

  /** Ctrl-C twice: stop the command now and fail its caller (the process is about to exit). */
  abort(): void {
    if (this.settled) return;
    this.launched?.kill(this.session?.sessionId);
    // An AbortError: the fleet reports the host as cancelled, not as an internal error.
    const err = new Error('interrupted');
    err.name = 'AbortError';
    this.failed(err);
  }

  /** The command could not be started at all. */
  failed(err: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.timers.forEach(clearTimeout);
    this.launched?.release();
    this.reject(err);
  }

  private settle(): void {
    if (this.settled) return;
    this.settled = true;
    this.timers.forEach(clearTimeout);
    this.launched?.release();
    try {
      this.resolve(this.end());
    } catch (e) {
      this.reject(e);
    }
  }

  /** Throws BecomeError when sudo never ran the command (unless it was our timeout). */
  private end(): ExecResult {
    this.emit(this.outDecoder.end(), 'stdout');
    this.emit(this.session.finish(), 'stderr');
    if (this.overflow) {
      const capture = this.overflow === 'stdout' ? this.out : this.err;
      throw new OutputLimitError(this.host, this.overflow, capture.cap, capture.end(8 * 1024));
    }
    if (this.foreignPrompt !== undefined) {
      throw new BecomeError(this.host, `sudo asked for something dockhand cannot answer: ${JSON.stringify(clipLine(this.foreignPrompt, 200))}`);
    }
    const failure = this.session.becomeFailure();
    if (failure && !this.timedOut) throw new BecomeError(this.host, failure);
    // A command we killed has no meaningful status, even if the shell still reported one.
    const result: ExecResult = { code: this.timedOut ? null : this.code, stdout: this.out.text(), stderr: this.err.text() };
    if (this.signal) result.signal = this.signal;
    if (this.timedOut) result.timedOut = true;
    return result;
  }

  private emit(text: string, stream: 'stdout' | 'stderr'): void {
    this.lastOutputAt = Date.now();
    if (text === '') return;
    const over = (stream === 'stdout' ? this.out : this.err).push(text);
    if (this.overflow) return;
    this.opts.onOutput?.(text, stream);
    if (over && !this.settled) {
      // Past the cap the command is stopped: its output can no longer be read whole.
      this.overflow = stream;
      this.launched?.kill(this.session?.sessionId);
      this.settle();
    }
  }
}

/** How long Transport.abort waits for the kills it sent (the process exits right after). */
const ABORT_WAIT_MS = 3000;

/**
 * A transport's commands in flight, for Ctrl-C twice (Transport.abort): which run as root, and the
 * kills sent for them, which abort gives a little time to land.
 */
export class InFlight {
  private readonly runs = new Map<CommandRun, boolean>();
  private readonly kills = new Set<Promise<unknown>>();

  track(run: CommandRun, asRoot: boolean): void {
    this.runs.set(run, asRoot);
    const untrack = () => this.runs.delete(run);
    run.result.then(untrack, untrack);
  }

  /** A kill sent for a command (a command itself, on another channel or process). */
  killing(kill: Promise<unknown>): void {
    this.kills.add(kill);
    void kill.finally(() => this.kills.delete(kill));
  }

  /** Wait up to `waitMs` for the kills already sent (a connection must not close under them). */
  async killsSent(waitMs = ABORT_WAIT_MS): Promise<void> {
    if (this.kills.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...this.kills]), new Promise((r) => (timer = setTimeout(r, waitMs)))]);
    clearTimeout(timer);
  }

  /** Stop every command and wait up to `waitMs` for the kills; resolves to how many ran as root. */
  async abortAll(waitMs = ABORT_WAIT_MS): Promise<number> {
    const runs = [...this.runs];
    for (const [run] of runs) run.abort();
    await Promise.race([Promise.allSettled([...this.kills]), new Promise((r) => setTimeout(r, waitMs).unref())]);
    return runs.filter(([, root]) => root).length;
  }
}
