/**
 * Running the built dockhand CLI from e2e tests: against the fleet over real SSH (host keys verified
 * with the fleet's known_hosts, the harness key as the default identity of a throwaway HOME).
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Fleet } from './hosts.js';

/** The compiled entry point (`npm run test:e2e` builds first). */
export const CLI = fileURLToPath(new URL('../../dist/src/cli.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** wall-clock seconds the CLI ran */
  seconds: number;
}

/** A HOME whose default SSH identity is the harness key (no agent, no ssh config needed). */
export function homeWithKey(fleet: Fleet): string {
  const home = mkdtempSync(join(tmpdir(), 'dockhand-e2e-home-'));
  mkdirSync(join(home, '.ssh'), { mode: 0o700 });
  copyFileSync(fleet.clientKeyPath, join(home, '.ssh', 'id_ed25519'));
  return home;
}

/** Run the built CLI against the fleet (host keys verified with the fleet's known_hosts). */
export function runCli(fleet: Fleet, home: string, args: string[]): Promise<CliResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args, '--known-hosts', fleet.knownHostsFile], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, CI: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, seconds: (Date.now() - started) / 1000 }));
  });
}
