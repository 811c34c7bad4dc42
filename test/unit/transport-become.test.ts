import { describe, expect, it } from 'vitest';
import { BecomeSession, commandLine, describeSudoFailure, planCommand, withEnv, type CommandPlan } from '../../src/transport/become.js';
import { writeFileScript } from '../../src/transport/write-file.js';

const PASSWORD = "s3cret pass'word";

describe('planCommand', () => {
  it('root, or no sudo: plain sh -c with the script untouched', () => {
    expect(planCommand('echo hi', { sudo: true, isRoot: true })).toEqual({ argv: ['sh', '-c', 'echo hi'] });
    expect(planCommand('echo hi', { isRoot: false })).toEqual({ argv: ['sh', '-c', 'echo hi'] });
    expect(commandLine(planCommand('echo hi', { isRoot: false }))).toBe(`sh -c 'echo hi'`);
  });

  it('non-root without a password: sudo -n, a begin marker first in the inner script', () => {
    const plan = planCommand('id -u', { sudo: true, isRoot: false });
    expect(plan.argv.slice(0, 5)).toEqual(['/usr/bin/sudo', '-n', '--', 'sh', '-c']);
    expect(plan.argv[5]).toBe(`printf '%s\\n' ${plan.beginMarker} >&2\nid -u`);
    expect(plan.beginMarker).toMatch(/^dockhand-begin-[0-9a-f]{24}$/);
    expect(plan.password).toBeUndefined();
  });

  it('with a become password: sudo -S -p <random prompt>; the password is never in argv', () => {
    const plan = planCommand('id -u', { sudo: true, isRoot: false, becomePassword: PASSWORD });
    expect(plan.argv.slice(0, 3)).toEqual(['/usr/bin/sudo', '-S', '-p']);
    expect(plan.argv[3]).toBe(plan.prompt);
    expect(plan.argv.slice(4, 7)).toEqual(['--', 'sh', '-c']);
    expect(plan.prompt).toMatch(/^\[dockhand-sudo-[0-9a-f]{24}\] password: $/);
    expect(plan.prompt).not.toContain('%'); // sudo expands %-escapes in -p
    expect(plan.argv.join('\0')).not.toContain(PASSWORD);
    expect(commandLine(plan)).not.toContain(PASSWORD);
    expect(commandLine(plan)).not.toContain('s3cret');
    const again = planCommand('id -u', { sudo: true, isRoot: false, becomePassword: PASSWORD });
    expect(again.prompt).not.toBe(plan.prompt);
  });

  it('env goes inside the script (sudo resets env, sshd drops it), quoted', () => {
    expect(withEnv('run', { A: "x'y", B_2: '' })).toBe(`A='x'\\''y'; export A\nB_2=''; export B_2\nrun`);
    const plan = planCommand('run', { sudo: true, isRoot: false, env: { DEBIAN_FRONTEND: 'noninteractive' } });
    expect(plan.argv[5]).toContain('DEBIAN_FRONTEND=noninteractive; export DEBIAN_FRONTEND\nrun');
    expect(() => withEnv('x', { 'A B': '1' })).toThrow(/bad environment variable name/);
    expect(() => withEnv('x', { 'A;rm': '1' })).toThrow();
  });
});

/** A scripted sudo: records what the session writes to its stdin. */
function session(plan: CommandPlan, callerStdin?: string) {
  const written: string[] = [];
  let ended = false;
  const s = new BecomeSession(plan, { write: (d) => written.push(String(d)), end: () => (ended = true) }, callerStdin);
  s.begin();
  return { s, written, ended: () => ended };
}
const withPassword = () => planCommand('cat', { sudo: true, isRoot: false, becomePassword: PASSWORD });

describe('BecomeSession', () => {
  it('without sudo, caller stdin goes in at once and stderr passes through', () => {
    const { s, written, ended } = session(planCommand('cat', { isRoot: true }), 'data');
    expect(written).toEqual(['data']);
    expect(ended()).toBe(true);
    expect(s.onStderr(Buffer.from('warn\n'))).toBe('warn\n');
    expect(s.becomeFailure()).toBeUndefined();
  });

  it('answers the prompt once, then sends caller stdin only after the command started', () => {
    const plan = withPassword();
    const { s, written, ended } = session(plan, 'payload');
    expect(written).toEqual([]); // nothing before sudo asks
    expect(s.onStderr(Buffer.from(plan.prompt!))).toBe('');
    expect(written).toEqual([`${PASSWORD}\n`]);
    expect(ended()).toBe(false);
    const out = s.onStderr(Buffer.from(`\n${plan.beginMarker}\ncommand warning\n`));
    expect(out).toBe('command warning\n');
    expect(written).toEqual([`${PASSWORD}\n`, 'payload']);
    expect(ended()).toBe(true);
    expect(s.finish()).toBe('');
    expect(s.becomeFailure()).toBeUndefined();
  });

  it('never writes the password when sudo does not ask (NOPASSWD, cached credentials)', () => {
    const plan = withPassword();
    const { s, written } = session(plan, 'payload');
    s.onStderr(`${plan.beginMarker}\n`);
    expect(written).toEqual(['payload']);
  });

  it('finds prompt and marker split across chunks, and keeps multibyte output intact', () => {
    const plan = withPassword();
    const { s, written } = session(plan);
    const text = Buffer.from(`${plan.prompt}\n${plan.beginMarker}\nüñï\n`);
    let out = '';
    for (let i = 0; i < text.length; i += 3) out += s.onStderr(text.subarray(i, i + 3));
    out += s.finish();
    expect(out).toBe('üñï\n');
    expect(written).toEqual([`${PASSWORD}\n`]);
  });

  it('a wrong password: asked again → stdin closed, clear failure', () => {
    const plan = withPassword();
    const { s, written, ended } = session(plan, 'payload');
    s.onStderr(plan.prompt!);
    s.onStderr(`\nSorry, try again.\n${plan.prompt}`);
    expect(ended()).toBe(true);
    expect(written).toEqual([`${PASSWORD}\n`]); // password sent once; payload never
    s.onStderr('\nsudo: 1 incorrect password attempt\n');
    s.finish();
    expect(s.commandStarted).toBe(false);
    expect(s.becomeFailure()).toMatch(/sudo rejected the become password/);
    expect(s.becomeFailure()).not.toContain(plan.prompt!);
  });

  it('sudo -n needing a password fails with a hint about --ask-become-pass', () => {
    const { s } = session(planCommand('true', { sudo: true, isRoot: false }));
    s.onStderr('sudo: a password is required\n');
    s.finish();
    expect(s.becomeFailure()).toMatch(/needs a password .*--ask-become-pass/);
  });

  it('a command failing after it started is not a become failure', () => {
    const plan = planCommand('false', { sudo: true, isRoot: false });
    const { s } = session(plan);
    expect(s.onStderr(`${plan.beginMarker}\nsudo: a password is required\n`)).toBe('sudo: a password is required\n');
    s.finish();
    expect(s.becomeFailure()).toBeUndefined();
  });
});

describe('session reporting (SSH: a timeout kills the whole session)', () => {
  it('the first line reads the session id from /proc and prints it after the marker', () => {
    const plan = planCommand('work', { isRoot: true, reportSession: true });
    expect(plan.argv.slice(0, 2)).toEqual(['sh', '-c']);
    expect(plan.viaSudo).toBeUndefined();
    expect(plan.argv[2]).toBe(
      `read -r _ _ _ _ _ dockhand_sid _ 2>/dev/null </proc/$$/stat; printf '%s %s\\n' ${plan.beginMarker} "$dockhand_sid" >&2; unset dockhand_sid\nwork`,
    );
  });

  it('the session id is taken from the marker line, which is removed', () => {
    const plan = planCommand('work', { sudo: true, isRoot: false, reportSession: true });
    const { s } = session(plan);
    expect(s.onStderr(`${plan.beginMarker} 4242\nreal stderr\n`)).toBe('real stderr\n');
    expect(s.sessionId).toBe('4242');
  });

  it('no marker without sudo is not a become failure (e.g. the shell was killed)', () => {
    const { s } = session(planCommand('work', { isRoot: false, reportSession: true }));
    s.onStderr('Killed\n');
    expect(s.finish()).toBe('Killed\n');
    expect(s.becomeFailure()).toBeUndefined();
  });
});

describe('describeSudoFailure', () => {
  it.each([
    ['sudo: 3 incorrect password attempts\n', 1, true, /rejected the become password/],
    ['', 2, true, /rejected the become password/],
    ['sudo: a terminal is required to read the password\n', 0, false, /--ask-become-pass/],
    ['sudo: sorry, you must have a tty to run sudo\n', 0, false, /requiretty/],
    ['alice is not in the sudoers file.  This incident will be reported.\n', 1, true, /may not run commands as root/],
    ['sh: 1: sudo: not found\n', 0, false, /sudo is not installed/],
    ['bash: sudo: command not found\n', 0, false, /sudo is not installed/],
    ['sudo: something odd\n', 0, false, /failed before running the command.*something odd/],
  ])('%j', (stderr, prompts, hadPassword, want) => {
    expect(describeSudoFailure(stderr, prompts, hadPassword)).toMatch(want);
  });
});

describe('writeFileScript', () => {
  it('temp file in the same directory, mode, owner, rename; removes the temp on failure', () => {
    expect(writeFileScript('/etc/docker/daemon.json', { mode: 0o600, owner: 'root:root' })).toBe(
      [
        `tmp=$(mktemp /etc/docker/.daemon.json.dockhand.XXXXXX) || exit 1`,
        `cat > "$tmp" && chmod 600 "$tmp" && chown root:root "$tmp" && mv -f "$tmp" /etc/docker/daemon.json || { rc=$?; rm -f "$tmp"; exit $rc; }`,
      ].join('\n'),
    );
  });

  it('quotes odd paths and defaults the mode to 644', () => {
    const script = writeFileScript("/tmp/it's here/f");
    expect(script).toContain(`mktemp '/tmp/it'\\''s here/.f.dockhand.XXXXXX'`);
    expect(script).toContain('chmod 644');
    expect(writeFileScript('/f')).toContain('mktemp /.f.dockhand.XXXXXX');
  });

  it('refuses relative paths and directories', () => {
    expect(() => writeFileScript('etc/x')).toThrow(/absolute/);
    expect(() => writeFileScript('/etc/')).toThrow(/file path/);
  });
});
