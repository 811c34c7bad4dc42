/**
 * How e2e test files declare themselves: `describeHosts('name', () => { … })` runs the suite where
 * throwaway hosts can be booted (root, Linux, systemd-nspawn…) and otherwise shows it as skipped WITH
 * the reason in its name. Where e2e tests are mandatory (CI sets DOCKHAND_E2E_REQUIRED=1) a missing
 * prerequisite is an error instead, so a broken runner cannot pass vacuously.
 */
import { describe } from 'vitest';
import { e2eUnavailableReason } from './hosts.js';

export function describeHosts(name: string, fn: () => void): void {
  const reason = e2eUnavailableReason();
  if (reason && process.env.DOCKHAND_E2E_REQUIRED === '1') {
    throw new Error(`e2e tests are required here (DOCKHAND_E2E_REQUIRED=1) but cannot run: ${reason}`);
  }
  if (reason) describe.skip(`${name} [SKIPPED: ${reason}]`, fn);
  else describe(name, fn);
}
