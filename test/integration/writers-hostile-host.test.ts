/**
 * The built CLI against a real OpenSSH server on loopback whose every command answers with hostile
 * text — escape sequences that set the clipboard (OSC 52) and clear the screen, C1 and bidi controls,
 * and the become password echoed back — then fails. Whatever the mode (plain, --verbose, --json,
 * doctor, doctor --json), nothing dockhand writes on stdout or stderr holds a control character
 * (but \n and \t) or the password, of any length; the host's printable text still gets through.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, runProgram, type RunResult } from '../harness/run.js';
import { sshdAvailable, startSshd, tempKnownHosts, type Sshd } from '../harness/sshd.js';

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

let sshd: Sshd;
let dir: string;
let known: { file: string; cleanup(): void };

/** What the host prints (to stderr, then exit 1) for every command dockhand runs. */
function hostSays(password: string): void {
  writeFileSync(
    join(dir, 'say'),
    [
      'PRETTY_NAME="Debian \u001b]52;c;SGVsbG8gd29ybGQ=\u0007\u001b[2Jclobbered"',
      `\u001b[31m[sudo] password for root: ${password}`,
      password,
      `error: ${password} \u009b2J\u202eevil\u202c tail-marker`,
      password.length >= 4 ? `inside-a-word:x${password}x` : '',
      '',
    ].join('\n'),
  );
}

function dockhand(args: string[], stdin: string): Promise<RunResult> {
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, CI: 'true' };
  const target = ['-H', `${sshd.user}@${sshd.host}:${sshd.port}`, '--identity-file', sshd.clientKeyPath, '--known-hosts', known.file];
  return runProgram(process.execPath, [CLI, ...args, ...target], env, stdin);
}

describe.skipIf(!sshdAvailable())('what a hostile host prints never reaches the terminal raw, nor the become password', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dockhand-hostile-'));
    const script = join(dir, 'hostile.sh');
    writeFileSync(script, `#!/bin/sh\ncat '${join(dir, 'say')}' >&2\nexit 1\n`);
    chmodSync(dir, 0o755);
    chmodSync(script, 0o755);
    sshd = await startSshd({ config: [`ForceCommand ${script}`] });
    known = tempKnownHosts([sshd.knownHostsLine()]);
  });
  afterAll(async () => {
    await sshd?.stop();
    known?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const passwords = [
    { name: 'a long password', password: 'hunter2-Correct-Horse' },
    { name: 'a 1-character password', password: 'ж' },
    { name: 'a 2-character password', password: 'ж§' },
  ];
  const modes = [
    { name: 'facts (plain)', args: ['facts', '-K'] },
    { name: 'facts --verbose', args: ['facts', '-K', '--verbose'] },
    { name: 'facts --json', args: ['facts', '-K', '--json'] },
    { name: 'plan --json --verbose', args: ['plan', '-K', '--json', '--verbose'] },
    { name: 'doctor', args: ['doctor', '-K'] },
    { name: 'doctor --json', args: ['doctor', '-K', '--json'] },
  ];

  for (const { name, password } of passwords) {
    it.each(modes)(`${name}: $name`, async ({ args }) => {
      hostSays(password);
      const r = await dockhand(args, `${password}\n`);
      const all = r.stdout + r.stderr;
      expect(r.code, all).not.toBe(0);
      // The host's text got through (so the checks below are about something)…
      expect(all).toContain('clobbered');
      expect(all).toContain('tail-marker');
      // …without a single control character, and without the password.
      expect(all).not.toMatch(CONTROL);
      expect(all).not.toContain(password);
      expect(all).toContain('********');
      if (args.includes('--json')) {
        const json = args[0] === 'doctor' ? [JSON.parse(r.stdout)] : r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
        // JSON stays exact data: the doctor's report carries the host's text, escape sequences
        // included (escaped), for a program to see. (Fleet events keep one line of the error; the
        // host's output is in the log on stderr.)
        if (args[0] === 'doctor') expect(r.stdout).toContain('\\u001b]52;c;');
        expect(JSON.stringify(json)).not.toContain(password);
      }
    });
  }
});
