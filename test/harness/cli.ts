/**
 * Running the built dockhand CLI from e2e tests: against the fleet over real SSH (host keys verified
 * with the fleet's known_hosts, the harness key as the default identity of a throwaway HOME).
 */
import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Fleet } from './hosts.js';
import { CLI, runProgram, type RunResult } from './run.js';

export { CLI };

export interface CliResult extends RunResult {
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
export async function runCli(fleet: Fleet, home: string, args: string[]): Promise<CliResult> {
  const r = await runProgram(process.execPath, [CLI, ...args, '--known-hosts', fleet.knownHostsFile], {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    CI: 'true',
  });
  return { ...r, seconds: r.wallMs / 1000 };
}
