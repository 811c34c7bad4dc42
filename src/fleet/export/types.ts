/**
 * An exporter writes a fleet run's result — each host's result and the summary — in the one format
 * the run was asked for (chosen once, by createExporter); progress never does (src/fleet/progress/).
 * A new output format is a new exporter: nothing else learns about it.
 */
import type { SafeStyled } from '../../core/output-colour.js';
import type { FleetReport, HostReport } from '../types.js';

export type OutputFormat = 'human' | 'json';

export interface ResultExporter {
  /** A host's result as soon as it is known (JSON: its `host` event; the table waits for the end). */
  hostFinished?(report: HostReport): void;
  /**
   * The end of the run: the summary, and `details` (the command's per-host output, e.g. the plans)
   * where the format prints them apart from the host results (the table prints them just before it).
   */
  finish(report: FleetReport, details?: (report: FleetReport) => string | SafeStyled | undefined): void;
}
