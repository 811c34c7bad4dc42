/**
 * The text of a rolling run: the batches (`plan --serial`), and after `up --serial` which hosts are
 * on which engine version (the package's, else the API's), which failed and which were never started (unchanged).
 */
import { batchesOf, type Serial } from '../fleet/rollout.js';
import type { FleetReport } from '../fleet/types.js';
import type { GateResult } from './gate.js';

export function renderBatches(hosts: readonly { name: string }[], serial: Serial): string {
  const batches = batchesOf(hosts, serial);
  const lines = [`rollout: ${batches.length} batch${batches.length === 1 ? '' : 'es'} (--serial ${'count' in serial ? serial.count : `${serial.percent}%`}), each after the one before passed its health gate`];
  batches.forEach((b, i) => lines.push(`  batch ${i + 1}: ${b.map((h) => h.name).join(', ')}`));
  return `${lines.join('\n')}\n`;
}

/** Per engine version the hosts on it; then the failed hosts; then those never started. */
export function renderVersions(report: FleetReport, gates: ReadonlyMap<string, GateResult>): string {
  const on = new Map<string, string[]>();
  const failed: string[] = [];
  const untouched: string[] = [];
  for (const h of report.hosts) {
    const gate = gates.get(h.host);
    const version = gate?.packageVersion ?? (gate?.version ? `engine ${gate.version} per its API` : undefined);
    if (h.outcome === 'ok' || h.outcome === 'changed') {
      const key = version ?? 'unknown';
      on.set(key, [...(on.get(key) ?? []), h.host]);
    } else if (h.outcome === 'cancelled' && h.durationMs === 0) untouched.push(h.host);
    else failed.push(`${h.host} (on ${version ?? 'unknown'}): ${h.error ?? h.outcome}`);
  }
  const lines = [report.stopped ? `rollout stopped (${report.stopped}):` : 'rollout:'];
  for (const [version, hosts] of on) lines.push(`  on ${version}: ${hosts.join(', ')}`);
  for (const f of failed) lines.push(`  failed: ${f}`);
  if (untouched.length) lines.push(`  not started, unchanged: ${untouched.join(', ')}`);
  return `${lines.join('\n')}\n`;
}
