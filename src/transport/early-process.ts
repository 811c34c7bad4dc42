/**
 * Local child processes as the local transport runs them, and the one that may start before anything
 * asks for it (startEarly): kept small and free of dockhand's other modules, so that bin.ts can start
 * the local doctor's examination before the rest of the CLI has loaded (issue 15).
 */
import { spawn, type ChildProcess } from 'node:child_process';

/** Spawn a command in a process group of its own (killGroup kills the whole tree). */
export function spawnGrouped(argv: readonly string[]): ChildProcess {
  return spawn(argv[0]!, argv.slice(1), { detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
}

/** SIGKILL a process group (spawnGrouped's): the command and whatever it started. */
export function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone (ESRCH), or root's (EPERM: killed through sudo instead).
  }
}

/** What a command's run is told of its process, in the order the process said it. */
export interface ProcessEvents {
  stdout(chunk: Buffer): void;
  stderr(chunk: Buffer): void;
  error(err: NodeJS.ErrnoException): void;
  spawned(): void;
  exited(code: number | null, signal: NodeJS.Signals | null): void;
  closed(): void;
}

/** A child process whose events are kept, in order, until a run attaches (at once, or on adoption). */
export interface Listened {
  child: ChildProcess;
  attach(events: ProcessEvents): void;
  /** Bytes of output kept while nothing was attached. */
  readonly keptBytes: number;
}

export function listen(child: ChildProcess): Listened {
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
  const proc = listen(spawnGrouped(argv));
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
export function takeEarly(argv: readonly string[]): Listened | undefined {
  const found = early;
  early = undefined;
  if (!found) return undefined;
  const same = found.argv.length === argv.length && found.argv.every((a, i) => a === argv[i]);
  if (same) return found.process;
  killGroup(found.process.child.pid);
  return undefined;
}
