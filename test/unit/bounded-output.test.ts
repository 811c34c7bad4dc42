import { afterEach, describe, expect, it, vi } from 'vitest';
import { BoundedCapture, clipLine, lastLines } from '../../src/core/bounded.js';
import { BecomeError, CommandError, ConnectError, OutputLimitError } from '../../src/core/errors.js';
import { ResponseParser } from '../../src/doctor/http.js';
import { progressLineSplitter } from '../../src/apply/apply.js';
import { planCommand } from '../../src/transport/become.js';
import { CommandRun, FOREIGN_PROMPT_QUIET_MS } from '../../src/transport/command-run.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('BoundedCapture (issue 8, Found #3)', () => {
  it('keeps everything up to the cap', () => {
    const c = new BoundedCapture(10, 4);
    expect(c.push('abc')).toBe(false);
    expect(c.push('defghij')).toBe(false);
    expect(c.text()).toBe('abcdefghij');
    expect(c.overflowed).toBe(false);
  });

  it('past the cap keeps the head and only the last tailKeep characters, and says so once', () => {
    const c = new BoundedCapture(10, 4);
    c.push('0123456789');
    expect(c.push('ab')).toBe(true);
    expect(c.push('cdefgh')).toBe(false);
    for (let i = 0; i < 1000; i++) c.push('xyz');
    c.push('END');
    expect(c.total).toBe(10 + 8 + 3000 + 3);
    expect(c.end(4)).toBe('zEND');
    expect(c.text()).toBe(`0123456789\n[… ${8 + 3000 + 3 - 4} characters dropped …]\nzEND`);
  });

  it('memory stays bounded under a flood of chunks', () => {
    const c = new BoundedCapture(1024, 256);
    const chunk = 'y'.repeat(64 * 1024);
    for (let i = 0; i < 2000; i++) c.push(chunk); // 128 MiB in
    expect(c.text().length).toBeLessThan(1024 + 256 + 100);
  });
});

describe('error text that repeats host output is bounded', () => {
  it('lastLines clips one endless line and looks only at the end of the text', () => {
    const text = 'a'.repeat(5_000_000);
    const out = lastLines(text, 12);
    expect(out.length).toBeLessThan(500);
    expect(out).toMatch(/more characters\)$/);
  });

  it('CommandError of a host that printed megabytes has a message of a few KiB', () => {
    const e = new CommandError('h', 'facts probe', 1, `${'z'.repeat(3_000_000)}\n`.repeat(3));
    expect(e.message.length).toBeLessThan(6000);
  });

  it('clipLine leaves short lines alone', () => {
    expect(clipLine('short')).toBe('short');
  });

  it("apply's progress splitter holds at most a few KiB of a line that never ends", () => {
    const seen: string[] = [];
    const feed = progressLineSplitter((t) => seen.push(t));
    for (let i = 0; i < 1000; i++) feed('q'.repeat(10_000));
    feed('\n');
    expect(seen).toEqual([]);
  });
});

const noStdin = { write() {}, end: vi.fn() };

describe('CommandRun bounds', () => {
  it('output past the cap stops the command and fails with an OutputLimitError', async () => {
    const run = new CommandRun('h', planCommand('x', { isRoot: true }), { maxOutput: 1000 }, 60_000);
    const kill = vi.fn();
    run.started({ stdin: noStdin, kill, release() {} });
    for (let i = 0; i < 20; i++) run.stdout(Buffer.from('flood '.repeat(20)));
    await expect(run.result).rejects.toBeInstanceOf(OutputLimitError);
    await expect(run.result).rejects.toThrow(/stdout went over 1 KiB; dockhand stopped it/);
    expect(kill).toHaveBeenCalledTimes(1);
  });

  it('the timeout also covers a command whose channel never opened (Found #4)', async () => {
    vi.useFakeTimers();
    const run = new CommandRun('h', planCommand('x', { isRoot: true }), {}, 5000);
    vi.advanceTimersByTime(5001);
    await expect(run.result).rejects.toBeInstanceOf(ConnectError);
    await expect(run.result).rejects.toThrow(/did not start the command within 5 s/);
    // The channel opening late is closed at once.
    const kill = vi.fn();
    const release = vi.fn();
    run.started({ stdin: noStdin, kill, release });
    expect(release).toHaveBeenCalled();
  });
});

describe('a sudo prompt that is not ours fails fast (Found #5)', () => {
  const sudoPlan = () => planCommand('true', { sudo: true, isRoot: false, becomePassword: 'pw' });

  it('"Verification code: " (PAM 2FA) ends the command after a short quiet time', async () => {
    vi.useFakeTimers();
    const plan = sudoPlan();
    const run = new CommandRun('h', plan, {}, 1_800_000);
    const stdin = { write: vi.fn(), end: vi.fn() };
    const kill = vi.fn();
    run.started({ stdin, kill, release() {} });
    run.stderr(Buffer.from(plan.prompt!));
    expect(stdin.write).toHaveBeenCalledWith('pw\n');
    run.stderr(Buffer.from('\nVerification code: '));
    vi.advanceTimersByTime(FOREIGN_PROMPT_QUIET_MS + 10);
    await expect(run.result).rejects.toBeInstanceOf(BecomeError);
    await expect(run.result).rejects.toThrow('sudo asked for something dockhand cannot answer: "Verification code: "');
    expect(stdin.end).toHaveBeenCalled();
  });

  it('an overridden prompt (passprompt_override) instead of ours, too; the prompt is clipped', async () => {
    vi.useFakeTimers();
    const run = new CommandRun('h', sudoPlan(), {}, 1_800_000);
    run.started({ stdin: { write: vi.fn(), end: vi.fn() }, kill() {}, release() {} });
    run.stderr(Buffer.from(`Passwort für deploy${'!'.repeat(1000)}: `));
    vi.advanceTimersByTime(FOREIGN_PROMPT_QUIET_MS + 10);
    const err = await run.result.catch((e: Error) => e);
    expect(err).toBeInstanceOf(BecomeError);
    expect((err as Error).message.length).toBeLessThan(400);
  });

  it('sudo lines that end in a newline, or the start of our own prompt, are not a foreign prompt', async () => {
    vi.useFakeTimers();
    const plan = sudoPlan();
    const run = new CommandRun('h', plan, {}, 1_800_000);
    run.started({ stdin: { write: vi.fn(), end: vi.fn() }, kill() {}, release() {} });
    run.stderr(Buffer.from('sudo: unable to resolve host x\n'));
    run.stderr(Buffer.from(plan.prompt!.slice(0, 10)));
    vi.advanceTimersByTime(FOREIGN_PROMPT_QUIET_MS * 3);
    run.stderr(Buffer.from(`${plan.prompt!.slice(10)}\n${plan.beginMarker}\nout`));
    run.exited(0);
    run.closed();
    expect(await run.result).toMatchObject({ code: 0, stderr: 'sudo: unable to resolve host x\n\nout' });
  });
});

describe('doctor HTTP body is capped', () => {
  const head = (h: string) => Buffer.from(`HTTP/1.1 200 OK\r\n${h}\r\n`);
  it('read-until-close: an endless body fails instead of growing', () => {
    const p = new ResponseParser(1024);
    p.push(head(''));
    expect(() => {
      for (let i = 0; i < 100; i++) p.push(Buffer.alloc(1024, 0x61));
    }).toThrow(/response body larger than 1 KiB/);
  });
  it('a Content-Length over the cap fails at once; chunked bodies are counted too', () => {
    expect(() => new ResponseParser(1024).push(head('Content-Length: 99999999\r\n'))).toThrow(/larger than/);
    const p = new ResponseParser(1024);
    p.push(head('Transfer-Encoding: chunked\r\n'));
    expect(() => {
      for (let i = 0; i < 100; i++) p.push(Buffer.from(`400\r\n${'b'.repeat(1024)}\r\n`));
    }).toThrow(/larger than/);
  });
});

describe('sudo asking again after taking the password (issue 8, Found #5)', () => {
  const feed = (texts: string[]) => {
    const plan = planCommand('true', { sudo: true, isRoot: false, becomePassword: 'pw' });
    const run = new CommandRun('h', plan, {}, 60_000);
    const stdin = { write: vi.fn(), end: vi.fn() };
    run.started({ stdin, kill() {}, release() {} });
    for (const t of texts) run.stderr(Buffer.from(t.replace('PROMPT', plan.prompt!)));
    run.exited(1);
    run.closed();
    return { result: run.result, stdin };
  };

  it('a second prompt without "Sorry, try again" is a question for more (2FA behind -p), not a wrong password', async () => {
    const { result, stdin } = feed(['PROMPT', '\nPROMPT', 'sudo: no password was provided\n']);
    await expect(result).rejects.toThrow(/sudo asked for something dockhand cannot answer: a second answer after the password/);
    expect(stdin.write).toHaveBeenCalledTimes(1);
    expect(stdin.end).toHaveBeenCalled();
  });

  it('a wrong password is still a wrong password', async () => {
    const { result } = feed(['PROMPT', '\nSorry, try again.\nPROMPT', 'sudo: no password was provided\n']);
    await expect(result).rejects.toThrow(/sudo rejected the become password/);
  });
});
