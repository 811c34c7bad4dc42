/** A host whose probe output breaks the framing fails with ProbeTamperError, facts (exit 2) and doctor (exit 3). */
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/core/errors.js';
import { gatherEvidence } from '../../src/doctor/gather.js';
import { gatherFacts } from '../../src/facts/gather.js';
import { ProbeTamperError } from '../../src/probe/framing.js';
import type { ExecResult, Transport } from '../../src/transport/types.js';

const answering = (stdout: string): Transport => ({
  name: 'h1',
  kind: 'ssh',
  exec: async (): Promise<ExecResult> => ({ code: 0, stdout, stderr: '' }),
  writeFile: async () => {},
  reconnect: async () => {},
  close: async () => {},
});

// What last-one-wins parsing turned into "root via sudo from mallory" (issue 8 Found #1).
const repeated = 'S\0user\0K\0name\0deploy\0K\0sudo_user\0\0S\0user\0K\0name\0root\0K\0sudo_user\0mallory\0D\0';

describe('a repeated record fails the host', () => {
  it('facts: ProbeTamperError, exit 2, naming the host and the record', async () => {
    const err = await gatherFacts(answering(repeated)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProbeTamperError);
    expect((err as ProbeTamperError).exitCode).toBe(ExitCode.hostFailed);
    expect((err as Error).message).toMatch(/^h1: the probe's output is malformed \(section "user" appears twice\)/);
  });

  it('doctor: ProbeTamperError, exit 3 (could not check)', async () => {
    const err = await gatherEvidence(answering(repeated)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProbeTamperError);
    expect((err as ProbeTamperError).exitCode).toBe(ExitCode.couldNotCheck);
  });

  it('output without the end marker is a failed probe, not facts', async () => {
    await expect(gatherFacts(answering('S\0user\0K\0name\0deploy\0'))).rejects.toThrow(/facts probe/);
  });
});
