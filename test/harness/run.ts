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

export function runProgram(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, wallMs: Date.now() - started }));
  });
}
