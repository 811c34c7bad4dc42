/**
 * This machine: each command is `sh -c <script>` (or `sudo … -- sh -c <script>`) as a child process
 * in its own process group, so a timeout kills the whole tree, not just the shell.
 */
import { userInfo } from 'node:os';
import { spawn } from 'node:child_process';
import { BecomeError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { CommandRun, prepareCommand, type RunIdentity } from './command-run.js';
import type { ConnectOptions, ExecOptions, ExecResult, Transport, WriteFileOptions } from './types.js';
import { writeFileVia } from './write-file.js';

export class LocalTransport implements Transport {
  readonly kind = 'local' as const;
  /** Run through sudo as root: the person behind it is SUDO_USER (this process's env, not the host's say). */
  readonly loginUser = (process.geteuid?.() === 0 && process.env.SUDO_USER) || userInfo().username;
  private readonly identity: RunIdentity;

  constructor(
    readonly name: string,
    private readonly options: ConnectOptions,
    logger: Logger,
  ) {
    this.identity = { host: name, isRoot: process.geteuid?.() === 0, becomePassword: options.becomePassword, logger };
  }

  exec(script: string, opts: ExecOptions = {}): Promise<ExecResult> {
    const plan = prepareCommand(this.identity, script, opts);
    const timeoutMs = opts.timeoutMs ?? this.options.commandTimeoutMs;
    const run = new CommandRun(this.name, plan, opts, timeoutMs);
    const child = spawn(plan.argv[0]!, plan.argv.slice(1), { detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    // The command may exit without reading its stdin; that is not our error.
    child.stdin.on('error', () => {});
    child.stdout.on('data', (c: Buffer) => run.stdout(c));
    child.stderr.on('data', (c: Buffer) => run.stderr(c));
    child.on('error', (err: NodeJS.ErrnoException) => {
      run.failed(
        err.code === 'ENOENT' && plan.argv[0] === 'sudo'
          ? new BecomeError(this.name, 'sudo is not installed and dockhand is not running as root')
          : err,
      );
    });
    child.on('spawn', () =>
      run.started({
        stdin: child.stdin,
        kill: () => killGroup(child.pid),
        release: () => {
          child.stdout.destroy();
          child.stderr.destroy();
        },
      }),
    );
    child.on('exit', (code, signal) => run.exited(code, signal ?? undefined));
    child.on('close', () => run.closed());
    return run.result;
  }

  writeFile(path: string, content: string | Buffer, opts: WriteFileOptions = {}): Promise<void> {
    return writeFileVia((s, o) => this.exec(s, o), this.name, path, content, opts);
  }

  /**
   * Nothing to re-open locally. Commands inherit dockhand's own groups, so a group added to the
   * current user shows only in a new login; callers that need it run the step through sudo.
   */
  async reconnect(): Promise<void> {}

  async close(): Promise<void> {}
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}
