import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { silentLogger } from '../../src/core/log.js';
import { shJoin } from '../../src/shell/quote.js';
import { commandLine, planCommand } from '../../src/transport/become.js';
import { openTransport } from '../../src/transport/open.js';
import type { Transport } from '../../src/transport/types.js';
import { sshdSpec, startSshd, tempKnownHosts, testConnectOptions, type Sshd } from '../harness/sshd.js';
import { skipWithoutSudo } from '../harness/sudo.js';

const withoutSudo = skipWithoutSudo('ssh-quoting');

// Property: any argument (no NUL) survives our quoting, the SSH login shell, sudo and dash exactly.
// `printf '%s\0'` prints each argument back NUL-terminated, so any change to a byte shows.

const shellSpecials = fc.constantFrom(
  "'", '"', '\\', '\n', '\t', ' ', '$', '`', '!', '*', '?', '[', ']', '~', '#', ';', '&', '|',
  '(', ')', '{', '}', '<', '>', '%', '=', '-', '--', '$(id)', '${HOME}', "'\\''", 'é', '漢', '🙂', '\r', '\u00a0',
);
const nasty = fc.string({ unit: fc.oneof(shellSpecials, fc.string({ unit: 'grapheme-ascii', maxLength: 2 })), maxLength: 12 });
// Full unicode code points; lone surrogates cannot be UTF-8 at all, so they are not arguments.
const unicode = fc.string({ unit: 'binary', maxLength: 12 }).filter((s) => !/\p{Cs}/u.test(s));
const arg = fc.oneof(nasty, unicode, fc.constantFrom('', '-n', '-e', '--help', '-'))
  .map((s) => s.replace(/\0/g, ''));
const args = fc.array(arg, { minLength: 1, maxLength: 6 });

// 200 cases: 25 rounds of 8. One round is one command — 8 `printf` lines, each with its own args
// and its own env variable — so all the quoting layers are exercised per case at an eighth of the
// cost. Output is compared whole, byte for byte; a failing round shrinks like any other input.
const ROUNDS = 25;
const PER_ROUND = 8;
const round = fc.array(fc.tuple(args, arg), { minLength: PER_ROUND, maxLength: PER_ROUND });
type Round = Array<[string[], string]>;

const printBack = (xs: string[]) => `printf '%s\\0' ${shJoin(xs)}`;
const expected = (xs: string[]) => xs.map((x) => `${x}\0`).join('');
const roundScript = (cases: Round) => cases.map(([xs], i) => `${printBack(xs)}; printf '%s\\0' "$V${i}"`).join('\n');
const roundEnv = (cases: Round) => Object.fromEntries(cases.map(([, v], i) => [`V${i}`, v]));
const roundExpected = (cases: Round) => cases.map(([xs, v]) => expected([...xs, v])).join('');

let sshd: Sshd;
let kh: ReturnType<typeof tempKnownHosts>;
let t: Transport;

beforeAll(async () => {
  sshd = await startSshd();
  kh = tempKnownHosts([sshd.knownHostsLine()]);
  t = await openTransport(sshdSpec(sshd), testConnectOptions(kh.file), silentLogger);
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

  it('exec: arguments and env values come back byte for byte', { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(round, async (cases) => {
        const r = await t.exec(roundScript(cases), { env: roundEnv(cases) });
        expect(r.code).toBe(0);
        expect(r.stdout).toBe(roundExpected(cases));
      }),
      { numRuns: ROUNDS },
    );
  });

  it('exec with sudo (a no-op for root) keeps arguments exact', { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(round, async (cases) => {
        const r = await t.exec(roundScript(cases), { sudo: true, env: roundEnv(cases), stdin: 'x' });
        expect(r.stdout).toBe(roundExpected(cases));
      }),
      { numRuns: ROUNDS },
    );
  });

  it.skipIf(withoutSudo)('the wrapper built for a non-root user runs through a real sudo exactly', { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(round, async (cases) => {
        const plan = planCommand(roundScript(cases), { sudo: true, isRoot: false, env: roundEnv(cases) });
        expect(plan.argv.slice(0, 3)).toEqual(['/usr/bin/sudo', '-n', '--']);
        // As root we may become anyone without a password: run the wrapper as `nobody` via real sudo.
        const asNobody = ['sudo', '-n', '-u', 'nobody', ...plan.argv.slice(2)];
        const r = await t.exec(`cd / && ${commandLine({ ...plan, argv: asNobody })}`);
        expect(r.stderr).toBe(`${plan.beginMarker}\n`);
        expect(r.stdout).toBe(roundExpected(cases));
      }),
      { numRuns: ROUNDS },
    );
  });

  it.skipIf(withoutSudo)('the sudo wrapper really runs as the other user', async () => {
    const plan = planCommand('id -un', { sudo: true, isRoot: false });
    const line = commandLine({ ...plan, argv: ['sudo', '-n', '-u', 'nobody', ...plan.argv.slice(2)] });
    expect((await t.exec(`cd / && ${line}`)).stdout).toBe('nobody\n');
  });
});
