/** The exporter for a run's output format: the table for people, JSON events for `--json`. */
import { JsonExporter } from './json.js';
import { TableExporter } from './table.js';
import type { OutputFormat, ResultExporter } from './types.js';

export type { OutputFormat, ResultExporter } from './types.js';

export function createExporter(
  format: OutputFormat,
  out: NodeJS.WritableStream & { columns?: number } = process.stdout,
  now: () => number = Date.now,
): ResultExporter {
  return format === 'json' ? new JsonExporter(out, now) : new TableExporter(out);
}
