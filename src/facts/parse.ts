/**
 * The probe's output (the fragments of src/facts/areas/) → typed Facts: the framing is split first
 * (src/probe/framing.ts), then each fact area parses its own sections. Everything here is pure; a
 * missing section or command yields `undefined` (could not tell), never an exception.
 */
import { splitProbeOutput, type ProbeOutput } from '../probe/framing.js';
import type { FactsRequest } from './areas/area.js';
import { AREAS, type AreaFacts } from './areas/index.js';
import type { Facts } from './types.js';

// Facts (types.ts) declares exactly what the areas parse: this stops compiling when the two differ.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const areasMakeFacts: Same<AreaFacts, Omit<Facts, 'host'>> = true;
void areasMakeFacts;

/** Build typed Facts from the probe's full output (throws ProbeTamperError on a broken frame). */
export function parseProbeOutput(host: string, text: string, request: FactsRequest = {}): Facts {
  return factsFromProbe(host, splitProbeOutput(text, host), request);
}

/**
 * Build typed Facts from the probe's split output (the doctor splits once and reads both).
 * `request`: what the probe was asked beyond the fixed facts (the accounts looked up).
 */
export function factsFromProbe(host: string, out: ProbeOutput, request: FactsRequest = {}): Facts {
  return Object.assign({ host }, ...AREAS.map((area) => area.parse(out, request))) as Facts;
}
