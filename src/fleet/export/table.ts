/** The human result on stdout: the command's per-host details, then the summary table (src/fleet/summary.ts). */
import { safeText } from '../../core/output.js';
import { SafeStyled } from '../../core/output-colour.js';
import { renderSummary } from '../summary.js';
import type { FleetReport } from '../types.js';
import type { ResultExporter } from './types.js';

export class TableExporter implements ResultExporter {
  constructor(private readonly out: NodeJS.WritableStream & { columns?: number }) {}
  finish(report: FleetReport, details?: (report: FleetReport) => string | SafeStyled | undefined) {
    const got = details?.(report);
    // Already through the output layer and coloured by its renderer (output-colour.ts): as it is.
    const text = got instanceof SafeStyled ? got.text : got && safeText(got);
    if (text) this.out.write(text.endsWith('\n') ? text : `${text}\n`);
    this.out.write(safeText(renderSummary(report, this.out.columns ?? 100)));
  }
}
