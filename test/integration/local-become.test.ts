import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { planCommand, type CommandPlan } from '../../src/transport/become.js';
import { CommandRun } from '../../src/transport/command-run.js';
import type { ExecResult } from '../../src/transport/types.js';
import { skipWithoutSudo } from '../harness/sudo.js';

// The become path with a become password, through a REAL sudo. We are root here, so sudo does not
// ask (like NOPASSWD or cached credentials on a real host): the password must then never be written
// at all — not to sudo, not to the command. `-u nobody` makes the switch real without changing the
// machine. (A sudo that does ask needs a user with a password: covered on the throwaway hosts.)
const PASSWORD = 'become-pw-7f3a9c';

function runPlan(plan: CommandPlan, stdin: string, seen: { cmdline?: string; environ?: string }, asUser = 'nobody'): Promise<ExecResult> {
  const argv = ['sudo', '-u', asUser, ...plan.argv.slice(1)];
  const run = new CommandRun('local', plan, { stdin }, 10_000);
  const child = spawn(argv[0]!, argv.slice(1), { cwd: '/', stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin.on('error', () => {});
  child.on('spawn', () => {
    try {
      seen.cmdline = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8');
      seen.environ = readFileSync(`/proc/${child.pid}/environ`, 'utf8');
    } catch {
      // sudo may already be gone (the refusal case); the tests that look at these check they were read.
    }
    run.started({ stdin: child.stdin, kill: () => child.kill('SIGKILL'), release: () => {} });
  });
  child.stdout.on('data', (c: Buffer) => run.stdout(c));
  child.stderr.on('data', (c: Buffer) => run.stderr(c));
  child.on('exit', (code, signal) => run.exited(code, signal ?? undefined));
  child.on('close', () => run.closed());
  return run.result;
}

describe.skipIf(skipWithoutSudo('local-become'))('become with a password through a real sudo that does not ask', () => {
  it('the command gets only the caller stdin; the password is nowhere', async () => {
    const plan = planCommand('cat; id -un', { sudo: true, isRoot: false, becomePassword: PASSWORD });
    expect(plan.argv.slice(0, 3)).toEqual(['/usr/bin/sudo', '-S', '-p']);
    const seen: { cmdline?: string; environ?: string } = {};
    const r = await runPlan(plan, 'payload\n', seen);
    expect(r).toMatchObject({ code: 0, stdout: 'payload\nnobody\n', stderr: '' });
    expect(seen.cmdline).toContain('sudo\0-u\0nobody\0-S\0-p\0');
    expect(seen.cmdline).not.toContain(PASSWORD);
    expect(seen.environ).not.toContain(PASSWORD);
  });

  it('sudo -n as root runs the command as the other user, with env set inside', async () => {
    const plan = planCommand('printf %s "$V"; id -un >&2', { sudo: true, isRoot: false, env: { V: 'x y' } });
    const r = await runPlan(plan, '', {});
    expect(r).toMatchObject({ code: 0, stdout: 'x y', stderr: 'nobody\n' });
  });

  it('sudo refusing (unknown target user) is a BecomeError with what sudo said', async () => {
    const plan = planCommand('true', { sudo: true, isRoot: false });
    await expect(runPlan(plan, '', {}, 'no-such-user-dockhand')).rejects.toThrow(/sudo failed before running the command.*no-such-user-dockhand/);
  });
});
