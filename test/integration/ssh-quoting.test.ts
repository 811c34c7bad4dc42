import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { silentLogger } from '../../src/core/log.js';
import { shJoin } from '../../src/shell/quote.js';
import { commandLine, planCommand } from '../../src/transport/become.js';
import { openTransport } from '../../src/transport/open.js';
import type { Transport } from '../../src/transport/types.js';
import { startSshd, tempKnownHosts, type Sshd } from '../harness/sshd.js';

// Property: any argument (no NUL) survives our quoting, the SSH login shell, sudo and dash exactly.
// `printf '%s\0'` prints each argument back NUL-terminated, so any change to a byte shows.

const shellSpecials = fc.constantFrom(
  "'", '"', '\\', '\n', '\t', ' ', '$', '`', '!', '*', '?', '[', ']', '~', '#', ';', '&', '|',
  '(', ')', '{', '}', '<', '>', '%', '=', '-', '--', '$(id)', '${HOME}', "'\\''", 'é', '漢', '🙂', '\r', '\u00a0',
);
const nasty = fc.string({ unit: fc.oneof(shellSpecials, fc.string({ unit: 'grapheme-ascii', maxLength: 2 })), maxLength: 12 });
// Full unicode code points; lone surrogates cannot be UTF-8 at all, so they are not arguments.
const unicode = fc.string({ unit: 'binary', maxLength: 12 }).filter((s) => s.isWellFormed());
const arg = fc.oneof(nasty, unicode, fc.constantFrom('', '-n', '-e', '--help', '-'))
  .map((s) => s.replace(/\0/g, ''));
const args = fc.array(arg, { minLength: 1, maxLength: 6 });

// 200 cases run as 25 rounds of 8 at once (8 channels on the one connection): the same cases,
// a quarter of the wall time. A failing round still shrinks to the smallest failing case.
const ROUNDS = 25;
const PER_ROUND = 8;
const batch = <T>(a: fc.Arbitrary<T>) => fc.array(a, { minLength: PER_ROUND, maxLength: PER_ROUND });
const eachAtOnce = <T>(cases: T[], check: (c: T) => Promise<void>) => Promise.all(cases.map(check)).then(() => undefined);

const printBack = (xs: string[]) => `printf '%s\\0' ${shJoin(xs)}`;
const expected = (xs: string[]) => xs.map((x) => `${x}\0`).join('');

let sshd: Sshd;
let kh: ReturnType<typeof tempKnownHosts>;
let t: Transport;

beforeAll(async () => {
  sshd = await startSshd();
  kh = tempKnownHosts([sshd.knownHostsLine()]);
  t = await openTransport(
    { name: 'q', kind: 'ssh', host: sshd.host, port: sshd.port, user: sshd.user, identityFiles: [sshd.clientKeyPath] },
    { hostKeyPolicy: 'strict', knownHostsFile: kh.file, connectTimeoutMs: 10_000, commandTimeoutMs: 30_000, useSshConfig: false },
    silentLogger,
  );
});

afterAll(async () => {
  await t?.close();
  await sshd?.stop();
  kh?.cleanup();
});

describe('quoting round-trips through the real sshd and dash', () => {
  it('/bin/sh on the host is dash', async () => {
    const r = await t.exec('readlink -f /bin/sh');
    expect(r.stdout.trim()).toMatch(/\/dash$/);
  });

  it('exec: arguments and env values come back byte for byte', { timeout: 180_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(batch(fc.tuple(args, arg)), (cases) =>
        eachAtOnce(cases, async ([xs, envValue]) => {
          const r = await t.exec(`${printBack(xs)}; printf '%s\\0' "$DOCKHAND_V"`, { env: { DOCKHAND_V: envValue } });
          expect(r.code).toBe(0);
          expect(r.stdout).toBe(expected([...xs, envValue]));
        }),
      ),
      { numRuns: ROUNDS },
    );
  });

  it('exec with sudo (a no-op for root) keeps arguments exact', { timeout: 180_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(batch(args), (cases) =>
        eachAtOnce(cases, async (xs) => {
          const r = await t.exec(printBack(xs), { sudo: true, stdin: 'x' });
          expect(r.stdout).toBe(expected(xs));
        }),
      ),
      { numRuns: ROUNDS },
    );
  });

  it('the wrapper built for a non-root user runs through a real sudo exactly', { timeout: 180_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(batch(fc.tuple(args, arg)), (cases) => eachAtOnce(cases, async ([xs, envValue]) => {
        const plan = planCommand(`${printBack(xs)}; printf '%s\\0' "$DOCKHAND_V"`, {
          sudo: true,
          isRoot: false,
          env: { DOCKHAND_V: envValue },
        });
        expect(plan.argv.slice(0, 3)).toEqual(['sudo', '-n', '--']);
        // As root we may become anyone without a password: run the wrapper as `nobody` via real sudo.
        const asNobody = ['sudo', '-n', '-u', 'nobody', ...plan.argv.slice(2)];
        const line = commandLine({ ...plan, argv: asNobody });
        const r = await t.exec(`cd / && ${line}`);
        expect(r.stderr).toBe(`${plan.beginMarker}\n`);
        expect(r.stdout).toBe(expected([...xs, envValue]));
      })),
      { numRuns: ROUNDS },
    );
  });

  it('the sudo wrapper really runs as the other user', async () => {
    const plan = planCommand('id -un', { sudo: true, isRoot: false });
    const line = commandLine({ ...plan, argv: ['sudo', '-n', '-u', 'nobody', ...plan.argv.slice(2)] });
    expect((await t.exec(`cd / && ${line}`)).stdout).toBe('nobody\n');
  });
});
