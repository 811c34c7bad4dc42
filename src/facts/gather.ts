/**
 * Gather one host's facts: a single exec of the probe (no sudo — it reads only what an
 * unprivileged user may read), then pure parsing. Callers that need the raw output (doctor's
 * evidence, golden tests) can run PROBE_SCRIPT themselves and call parseProbeOutput.
 */
import { CommandError } from '../core/errors.js';
import type { Transport } from '../transport/types.js';
import { parseProbeOutput, splitProbeOutput } from './parse.js';
import { PROBE_SCRIPT } from './probe.js';
import type { Facts } from './types.js';

export { PROBE_SCRIPT } from './probe.js';
export { parseProbeOutput } from './parse.js';

/** Generous: the probe takes well under a second, but `dnf --version` or cloud-init can be slow. */
const PROBE_TIMEOUT_MS = 120_000;

export async function gatherFacts(transport: Transport): Promise<Facts> {
  const result = await transport.exec(PROBE_SCRIPT, { timeoutMs: PROBE_TIMEOUT_MS });
  // The probe tolerates every failing tool, so a non-zero exit or a missing end marker means the
  // shell itself died or the output was cut: partial facts would mislead the plan, so fail.
  if (result.code !== 0 || !splitProbeOutput(result.stdout).complete) {
    throw new CommandError(
      transport.name,
      'facts probe (sh)',
      result.code,
      result.stderr || result.stdout,
      result.timedOut ? 'the host took too long to answer; try --command-timeout' : 'is /bin/sh a POSIX shell on this host?',
    );
  }
  return parseProbeOutput(transport.name, result.stdout);
}
