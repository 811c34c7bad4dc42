/** Run a program (the built CLI, docker) and collect its output and exit status; never rejects on exit code. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The built dockhand entry point (npm run build). */
export const CLI = fileURLToPath(new URL('../../dist/src/cli.js', import.meta.url));

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  wallMs: number;
}

/** `input`, when given, is piped to the program's stdin (e.g. the -K password); otherwise stdin is closed. */
export function runProgram(command: string, args: string[], env: NodeJS.ProcessEnv, input?: string, cwd?: string): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(command, args, { env, cwd, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    if (child.stdin) {
      child.stdin.on('error', () => {}); // the program may exit without reading it
      child.stdin.end(input);
    }
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, wallMs: Date.now() - started }));
  });
}
