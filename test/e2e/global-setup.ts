/**
 * Once per e2e run, before any test file: remove what crashed or killed earlier runs left on this
 * machine (containers, network namespaces, veths, bridges, iptables rules, root filesystem copies),
 * and say plainly when the suite cannot run here.
 */
import { e2eUnavailableReason, sweepStaleRuns } from '../harness/hosts.js';

export default function setup(): void {
  const reason = e2eUnavailableReason();
  if (reason) {
    const required = process.env.DOCKHAND_E2E_REQUIRED === '1';
    console.warn(`\n[e2e] ${required ? 'CANNOT RUN' : 'skipping every e2e test'}: ${reason}\n`);
    if (required) throw new Error(`e2e tests are required here but cannot run: ${reason}`);
    return;
  }
  sweepStaleRuns();
}
