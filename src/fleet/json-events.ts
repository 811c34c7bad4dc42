/**
 * What `--json` prints on stdout: one JSON event per line, stamped with its time, through the output
 * layer's jsonText (secrets masked, terminal-unsafe characters escaped). The progress (step events)
 * and the exporter (host results, the summary) write through the same one, so the stream stays one format.
 */
import { jsonText } from '../core/output.js';

export type JsonEvents = (event: Record<string, unknown>) => void;

export function jsonEvents(out: NodeJS.WritableStream, now: () => number): JsonEvents {
  return (event) => void out.write(jsonText({ ...event, time: new Date(now()).toISOString() }) + '\n');
}
