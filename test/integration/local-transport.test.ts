import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../src/core/log.js';
import { openTransport } from '../../src/transport/open.js';
import type { Transport } from '../../src/transport/types.js';
import { describeTransportContract } from '../harness/transport-contract.js';

let t: Transport;
let work: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'dockhand-local-'));
  t = await openTransport(
    { name: 'local', kind: 'local' },
    { hostKeyPolicy: 'strict', connectTimeoutMs: 1000, commandTimeoutMs: 30_000 },
    silentLogger,
  );
});

afterAll(async () => {
  await t?.close();
  rmSync(work, { recursive: true, force: true });
});

describeTransportContract('local', () => ({ t, work }));

describe('local transport', () => {
  it('is the local kind', () => {
    expect(t.kind).toBe('local');
    expect(t.name).toBe('local');
  });

  it('runs `sh -c <script>` exactly, with stdout, stderr and exit code', async () => {
    const r = await t.exec('echo out; echo err >&2; cat /proc/$$/cmdline | tr "\\0" "|"; exit 4');
    expect(r.code).toBe(4);
    expect(r.stderr).toBe('err\n');
    expect(r.stdout).toBe('out\nsh|-c|echo out; echo err >&2; cat /proc/$$/cmdline | tr "\\0" "|"; exit 4|');
  });

  it('sudo as root runs the command directly', async () => {
    expect((await t.exec('id -u; cat /proc/$$/cmdline | tr "\\0" " "', { sudo: true })).stdout).toMatch(/^0\nsh -c /);
  });

});
