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
export function prepareCommand(id: RunIdentity, script: string, opts: ExecOptions): CommandPlan {
  const plan = planCommand(script, { sudo: opts.sudo, env: opts.env, isRoot: id.isRoot, becomePassword: id.becomePassword });
  const envText = Object.entries(opts.env ?? {}).map(([k, v]) => `${k}=${v} `).join('');
  id.logger.command(id.host, `${plan.beginMarker ? '(sudo) ' : ''}${envText}${script}`);
  return plan;
}

export class CommandRun {
  private readonly session: BecomeSession;
  private readonly outDecoder = new StringDecoder('utf8');
  private stdoutText = '';
  private stderrText = '';

  constructor(
    private readonly host: string,
    plan: CommandPlan,
    stdin: StdinSink,
    private readonly opts: ExecOptions,
  ) {
    this.session = new BecomeSession(plan, stdin, opts.stdin);
  }

  /** The process is running: start feeding stdin. */
  begin(): void {
    this.session.begin();
  }

  stdout(chunk: Buffer): void {
    this.emit(this.outDecoder.write(chunk), 'stdout');
  }

  stderr(chunk: Buffer): void {
    this.emit(this.session.onStderr(chunk), 'stderr');
  }

  /** The command ended. Throws BecomeError when sudo never ran it (unless it was our timeout). */
  end(code: number | null, signal: string | undefined, timedOut: boolean): ExecResult {
    this.emit(this.outDecoder.end(), 'stdout');
    this.emit(this.session.finish(), 'stderr');
    const failure = this.session.becomeFailure();
    if (failure && !timedOut) throw new BecomeError(this.host, failure);
    // A command we killed has no meaningful status, even if the shell still reported one.
    const result: ExecResult = { code: timedOut ? null : code, stdout: this.stdoutText, stderr: this.stderrText };
    if (signal) result.signal = signal;
    if (timedOut) result.timedOut = true;
    return result;
  }

  private emit(text: string, stream: 'stdout' | 'stderr'): void {
    if (text === '') return;
    if (stream === 'stdout') this.stdoutText += text;
    else this.stderrText += text;
    this.opts.onOutput?.(text, stream);
  }
}
