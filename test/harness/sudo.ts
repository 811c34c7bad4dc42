/**
 * Whether a real, usable sudo is on this machine (dockhand runs it by absolute path: /usr/bin/sudo).
 * Tests that go through a real sudo skip, saying why, when it is not: a fresh root machine need not
 * have it, and spawning a missing sudo makes those tests wait for their timeout instead of failing.
 */
import { spawnSync } from 'node:child_process';

function probe(): string {
  const r = spawnSync('/usr/bin/sudo', ['-n', 'true'], { stdio: 'ignore', timeout: 10_000 });
  if (r.error) return `no usable sudo at /usr/bin/sudo (${(r.error as NodeJS.ErrnoException).code ?? r.error.message}); install the sudo package to run it`;
  if (r.status !== 0) return `sudo -n true fails here (exit ${r.status}): needs root with passwordless sudo`;
  return '';
}

/** '' when sudo works; otherwise why the sudo tests are skipped (also printed once per file). */
export const noSudoReason: string = probe();

export function skipWithoutSudo(file: string): boolean {
  if (noSudoReason) console.warn(`${file}: sudo tests skipped: ${noSudoReason}`);
  return noSudoReason !== '';
}
