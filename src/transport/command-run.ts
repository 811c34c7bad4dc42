/**
 * What both transports do around one command, whatever carries it (a child process, an SSH channel):
 * build the command (become, env), echo it for --verbose, decode output, feed stdin through the
 * become session, and turn the end into an ExecResult — or a BecomeError when sudo refused.
 */
import { StringDecoder } from 'node:string_decoder';
import { BecomeError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { BecomeSession, planCommand, type CommandPlan, type StdinSink } from './become.js';
import type { ExecOptions, ExecResult } from './types.js';

export interface RunIdentity {
  host: string;
  isRoot: boolean;
  becomePassword?: string;
  logger: Logger;
}

/** Plan a command and echo it (the caller's script, not the wrapper; the logger masks secrets). */
export function prepareCommand(id: RunIdentity, script: string, opts: ExecOptions, reportSession = false): CommandPlan {
  const plan = planCommand(script, {
    sudo: opts.sudo,
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
 * After the exit status, output may still be in flight (sshd sends exit-status before it has drained
 * the pipes; a loaded machine delays reads). Settle once the output has been quiet this long.
 */
const QUIET_AFTER_EXIT_MS = 2000;

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
  private stdoutText = '';
  private stderrText = '';
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
  }

  /** The process or channel runs: start the clock and feed stdin. */
  started(launched: Launched): void {
    this.launched = launched;
    this.session = new BecomeSession(this.plan, launched.stdin, this.opts.stdin);
    this.timers.push(
      setTimeout(() => {
        this.timedOut = true;
        launched.kill(this.session.sessionId);
        this.settle();
      }, this.timeoutMs),
    );
    this.session.begin();
  }

  stdout(chunk: Buffer): void {
    this.emit(this.outDecoder.write(chunk), 'stdout');
  }

  stderr(chunk: Buffer): void {
    this.emit(this.session.onStderr(chunk), 'stderr');
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

  /** The command could not be started at all. */
  failed(err: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.timers.forEach(clearTimeout);
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
    const failure = this.session.becomeFailure();
    if (failure && !this.timedOut) throw new BecomeError(this.host, failure);
    // A command we killed has no meaningful status, even if the shell still reported one.
    const result: ExecResult = { code: this.timedOut ? null : this.code, stdout: this.stdoutText, stderr: this.stderrText };
    if (this.signal) result.signal = this.signal;
    if (this.timedOut) result.timedOut = true;
    return result;
  }

  private emit(text: string, stream: 'stdout' | 'stderr'): void {
    this.lastOutputAt = Date.now();
    if (text === '') return;
    if (stream === 'stdout') this.stdoutText += text;
    else this.stderrText += text;
    this.opts.onOutput?.(text, stream);
  }
}
