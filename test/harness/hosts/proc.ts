/** Running the machine-side tools (ip, iptables, nsenter, ssh…) the harness drives. */
import { spawn, spawnSync } from 'node:child_process';

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** written to the child's stdin, then closed (secrets go here, never into argv or env) */
  input?: string;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

/** Runs a program and resolves with its exit code and output; never rejects for a non-zero exit. */
export function run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env: opts.env ?? process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer =
      opts.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            stderr += `\n[harness] killed after ${opts.timeoutMs} ms`;
            child.kill('SIGKILL');
          }, opts.timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
    child.stdin.on('error', () => {}); // the child may exit without reading its input
    child.stdin.end(opts.input ?? '');
  });
}

/** Like run(), but rejects with the command and its stderr when it exits non-zero. */
export async function runOk(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<string> {
  const res = await run(cmd, args, opts);
  if (res.code !== 0) throw new Error(describeFailure(cmd, args, res));
  return res.stdout;
}

/** Synchronous form for teardown paths that must finish inside a process 'exit' handler. */
export function runSync(cmd: string, args: readonly string[]): ExecResult {
  const res = spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return { code: res.status ?? 1, stdout: res.stdout ?? '', stderr: res.stderr ?? String(res.error ?? '') };
}

export function runSyncOk(cmd: string, args: readonly string[]): string {
  const res = runSync(cmd, args);
  if (res.code !== 0) throw new Error(describeFailure(cmd, args, res));
  return res.stdout;
}

export function describeFailure(cmd: string, args: readonly string[], res: ExecResult): string {
  return `${[cmd, ...args].join(' ')} exited ${res.code}: ${(res.stderr || res.stdout).trim().slice(-2000)}`;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
