/**
 * The work behind `dockhand facts` (options in facts.ts): gather each host's facts through the fleet
 * runner, then print a summary per host (or JSON lines with the facts in each host event).
 */
import { buildContext, type GlobalArgs } from './context.js';
import type { ExitCode } from '../core/errors.js';
import { gatherFacts } from '../facts/gather.js';
import type { Facts } from '../facts/types.js';
import { runFleetCommand } from '../fleet/command.js';
import { osLabel, planOptionsFor } from '../plan/host-options.js';
import { renderFactsSummary } from '../facts/render.js';

export async function runFacts(argv: GlobalArgs): Promise<ExitCode> {
  const ctx = await buildContext(argv);
  const gathered = new Map<string, Facts>();
  const report = await runFleetCommand(
    ctx,
    async (transport, host, { report, detectedOs }) => {
      report('facts', 'running');
      const facts = await gatherFacts(transport);
      // The inventory's os/codename say what the host is treated as; the facts stay as detected.
      const os = osLabel(facts, planOptionsFor(host.vars, {}));
      report('facts', 'ok', os);
      detectedOs(os);
      gathered.set(host.name, facts);
      return { outcome: 'ok', os, data: facts };
    },
    { details: (r) => r.hosts.flatMap((h) => (gathered.has(h.host) ? [renderFactsSummary(gathered.get(h.host)!)] : [])).join('\n') },
  );
  return report.exitCode;
}
