/**
 * This machine: each command is `sh -c <script>` (or `sudo … -- sh -c <script>`) as a child process
 * in its own process group, so a timeout kills the whole tree, not just the shell.
 */
import { userInfo } from 'node:os';
import { accessSync, constants, statSync } from 'node:fs';
import { BecomeError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { SUDO_PATHS } from './become.js';
import { CommandRun, commandTimeout, InFlight, killSessionScript, prepareCommand, type RunIdentity } from './command-run.js';
import type { ConnectOptions, ExecOptions, ExecResult, Transport, WriteFileOptions } from './types.js';
import { writeFileVia } from './write-file.js';
import { killGroup, listen, spawnGrouped, takeEarly } from './early-process.js';

export class LocalTransport implements Transport {
  readonly kind = 'local' as const;
  /** Run through sudo as root: the person behind it is SUDO_USER (this process's env, not the host's say). */
  readonly loginUser = (process.geteuid?.() === 0 && process.env.SUDO_USER) || userInfo().username;
  private readonly identity: RunIdentity;
  private readonly inFlight = new InFlight();

  constructor(
    readonly name: string,
    private readonly options: ConnectOptions,
    logger: Logger,
  ) {
    const isRoot = process.geteuid?.() === 0;
    this.identity = { host: name, isRoot, sudoPath: isRoot ? undefined : localSudo(), becomePassword: options.becomePassword, logger };
  }

  exec(script: string, opts: ExecOptions = {}): Promise<ExecResult> {
    // Through sudo the command runs as root, maybe in a session of its own (sudo's use_pty): its
    // session id is reported so that a timeout can kill it as root (see kill below).
    let plan: ReturnType<typeof prepareCommand>;
    try {
      plan = prepareCommand(this.identity, script, opts, opts.sudo === true && !this.identity.isRoot);
    } catch (e) {
      // No sudo here (BecomeError): a rejection like every other failure, never a synchronous throw.
      return Promise.reject(e);
    }
    const timeoutMs = commandTimeout(opts, this.options);
    const run = new CommandRun(this.name, plan, opts, timeoutMs);
    this.inFlight.track(run, opts.sudo === true);
    // A command started early (startEarly) with exactly this argv is adopted instead of started again.
    const proc = (plan.viaSudo ? undefined : takeEarly(plan.argv)) ?? listen(spawnGrouped(plan.argv));
    const child = proc.child;
    proc.attach({
      stdout: (c) => run.stdout(c),
      stderr: (c) => run.stderr(c),
      error: (err) =>
        run.failed(
          err.code === 'ENOENT' && plan.viaSudo
            ? new BecomeError(this.name, 'sudo is not installed and dockhand is not running as root')
            : err,
        ),
      spawned: () =>
        run.started({
          stdin: child.stdin!,
          kill: (sessionId) => {
            killGroup(child.pid);
            // What sudo started runs as root (EPERM for us), and with use_pty in a session of its own:
            // kill it through sudo again, with the same become credentials (a password is fed the same
            // way; cached credentials need none). Without the session id (sudo never ran it), sudo's
            // own group.
            if (plan.viaSudo && child.pid !== undefined) this.killAsRoot(sessionId ?? String(child.pid));
          },
          release: () => {
            child.stdout?.destroy();
            child.stderr?.destroy();
          },
        }),
      exited: (code, signal) => run.exited(code, signal ?? undefined),
      closed: () => run.closed(),
    });
    return run.result;
  }

  /** Fire and forget: the timed-out command's result does not wait for this. */
  private killAsRoot(sessionId: string): void {
    const kill = this.exec(killSessionScript(sessionId), { sudo: true, timeoutMs: 15_000 }).catch((e: unknown) =>
      this.identity.logger.debug(`${this.name}: could not kill timed-out command (session ${sessionId}): ${String(e)}`),
    );
    this.inFlight.killing(kill);
  }

  abort(): Promise<number> {
    return this.inFlight.abortAll();
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

/** The first of SUDO_PATHS that is an executable file here; never a PATH look-up (see SUDO_PATHS). */
function localSudo(): string | undefined {
  return SUDO_PATHS.find((p) => {
    try {
      accessSync(p, constants.X_OK);
      return statSync(p).isFile();
    } catch {
      return false;
    }
  });
}
