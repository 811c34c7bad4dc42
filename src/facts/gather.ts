/**
 * Gather one host's facts: a single exec of the probe (no sudo — it reads only what an
 * unprivileged user may read), then pure parsing. Callers that need the raw output (doctor's
 * evidence, golden tests) can run factsProbeScript() themselves and call parseProbeOutput.
 * `request.accounts`: users to look up in the same round trip (plan/up: the docker group's users).
 */
import { CommandError } from '../core/errors.js';
import { splitProbeOutput } from '../probe/framing.js';
import type { Transport } from '../transport/types.js';
import { factsFromProbe } from './parse.js';
import { factsProbeScriptFor } from './probe.js';
import type { Facts, FactsRequest } from './types.js';

export { factsProbeScript } from './probe.js';
export { factsFromProbe, parseProbeOutput } from './parse.js';

/** Generous: the probe takes well under a second, but `dnf --version` or cloud-init can be slow. */
const PROBE_TIMEOUT_MS = 120_000;

export async function gatherFacts(transport: Transport, request: FactsRequest = {}): Promise<Facts> {
  const result = await transport.exec(factsProbeScriptFor(request), { timeoutMs: PROBE_TIMEOUT_MS });
  // The probe tolerates every failing tool, so a non-zero exit or a missing end marker means the
  // shell itself died or the output was cut: partial facts would mislead the plan, so fail. A
  // malformed frame is worse (forged records): splitProbeOutput throws ProbeTamperError.
  const out = result.code === 0 ? splitProbeOutput(result.stdout, transport.name) : undefined;
  if (!out?.complete) {
    throw new CommandError(
      transport.name,
      'facts probe (sh)',
      result.code,
      result.stderr,
      result.timedOut ? 'the host took too long to answer; try --command-timeout' : 'is /bin/sh a POSIX shell on this host?',
    );
  }
  return factsFromProbe(transport.name, out, request);
}
