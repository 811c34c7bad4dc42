/**
 * This machine: each command is `sh -c <script>` (or `sudo … -- sh -c <script>`) as a child process
 * in its own process group, so a timeout kills the whole tree, not just the shell.
 */
import { userInfo } from 'node:os';
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { BecomeError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { SUDO_PATHS } from './become.js';
import { CommandRun, commandTimeout, InFlight, killSessionScript, prepareCommand, type RunIdentity } from './command-run.js';
import type { ConnectOptions, ExecOptions, ExecResult, Transport, WriteFileOptions } from './types.js';
import { writeFileVia } from './write-file.js';

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
    const proc = (plan.viaSudo ? undefined : takeEarly(plan.argv)) ?? listen(spawn(plan.argv[0]!, plan.argv.slice(1), { detached: true, stdio: ['pipe', 'pipe', 'pipe'] }));
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

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone (ESRCH), or root's (EPERM: killed through sudo instead).
  }
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

/** What a command's run is told of its process, in the order the process said it. */
interface ProcessEvents {
  stdout(chunk: Buffer): void;
  stderr(chunk: Buffer): void;
  error(err: NodeJS.ErrnoException): void;
  spawned(): void;
  exited(code: number | null, signal: NodeJS.Signals | null): void;
  closed(): void;
}

/** A child process whose events are kept, in order, until a run attaches (at once, or on adoption). */
interface Listened {
  child: ChildProcess;
  attach(events: ProcessEvents): void;
  /** Bytes of output kept while nothing was attached. */
  readonly keptBytes: number;
}

function listen(child: ChildProcess): Listened {
  let attached: ProcessEvents | undefined;
  let keptBytes = 0;
  const kept: ((e: ProcessEvents) => void)[] = [];
  const deliver = (f: (e: ProcessEvents) => void) => (attached ? f(attached) : kept.push(f));
  // The command may exit without reading its stdin; that is not our error.
  child.stdin?.on('error', () => {});
  child.stdout?.on('data', (c: Buffer) => {
    if (!attached) keptBytes += c.length;
    deliver((e) => e.stdout(c));
  });
  child.stderr?.on('data', (c: Buffer) => {
    if (!attached) keptBytes += c.length;
    deliver((e) => e.stderr(c));
  });
  child.on('error', (err: NodeJS.ErrnoException) => deliver((e) => e.error(err)));
  child.on('spawn', () => deliver((e) => e.spawned()));
  child.on('exit', (code, signal) => deliver((e) => e.exited(code, signal)));
  child.on('close', () => deliver((e) => e.closed()));
  return {
    child,
    get keptBytes() {
      return keptBytes;
    },
    attach(events) {
      attached = events;
      for (const f of kept.splice(0)) f(events);
    },
  };
}

/**
 * Output an early command may hold before it is adopted: beyond this it is dropped (killed), and the
 * command, when asked for, runs again the normal way (whose own bound then applies).
 */
const EARLY_MAX_BYTES = 16 << 20;

let early: { argv: readonly string[]; process: Listened } | undefined;

/**
 * Start a local command before anything asks for it (issue 15: bin.ts starts the local doctor's
 * examination, a read-only probe, while the rest of the CLI loads — some 80 ms sooner). The first
 * LocalTransport.exec whose argv is exactly this adopts the running process and gets every event
 * it had, in order, as if it had started it; an exec of anything else, or the process's exit,
 * kills it unadopted. Only commands that change nothing may start early: it may run for nothing.
 */
export function startEarly(argv: readonly string[]): void {
  if (early) return;
  const proc = listen(spawn(argv[0]!, argv.slice(1), { detached: true, stdio: ['pipe', 'pipe', 'pipe'] }));
  early = { argv: [...argv], process: proc };
  // Bounded while it waits: past the bound it is dropped at once, not only when an exec looks.
  const overBound = () => {
    if (early?.process === proc && proc.keptBytes > EARLY_MAX_BYTES) {
      early = undefined;
      killGroup(proc.child.pid);
    }
  };
  proc.child.stdout?.on('data', overBound);
  proc.child.stderr?.on('data', overBound);
  process.once('exit', () => {
    if (early?.process === proc) killGroup(proc.child.pid);
  });
}

/** The early command when `argv` is exactly its argv (it is within its bound: see startEarly); killed otherwise. */
function takeEarly(argv: readonly string[]): Listened | undefined {
  const found = early;
  early = undefined;
  if (!found) return undefined;
  const same = found.argv.length === argv.length && found.argv.every((a, i) => a === argv[i]);
  if (same) return found.process;
  killGroup(found.process.child.pid);
  return undefined;
}
