/**
 * What every Transport must do, as one set of tests run against each real transport (this machine,
 * and a real sshd). Transport-specific behaviour stays in that transport's own test file.
 */
import { describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OutputLimitError } from '../../src/core/errors.js';
import type { Transport } from '../../src/transport/types.js';

export function describeTransportContract(label: string, setup: () => { t: Transport; work: string }): void {
  // Files go to a fresh directory of their own below the suite's temp dir.
  const get = () => {
    const { t, work } = setup();
    const dir = join(work, 'contract');
    mkdirSync(dir, { recursive: true });
    return { t, work: dir };
  };
  describe(`${label}: Transport contract`, () => {
    it('returns stdout, stderr and the exit code', async () => {
      const { t } = get();
      expect(await t.exec('echo out; echo err >&2; exit 3')).toMatchObject({ code: 3, stdout: 'out\n', stderr: 'err\n' });
    });

    it('stdin is empty unless given; given bytes arrive exactly', async () => {
      const { t } = get();
      expect((await t.exec('cat | wc -c')).stdout.trim()).toBe('0');
      expect((await t.exec('cat', { stdin: 'héllo\nworld' })).stdout).toBe('héllo\nworld');
    });

    it('sets env inside the command', async () => {
      const { t } = get();
      const r = await t.exec('printf %s "$GREETING"', { env: { GREETING: "it's $HOME `x`" } });
      expect(r.stdout).toBe("it's $HOME `x`");
    });

    it('a killed command has code null and the signal', async () => {
      const { t } = get();
      expect(await t.exec('kill -KILL $$')).toMatchObject({ code: null, signal: 'SIGKILL' });
    });

    it('times out a long command', async () => {
      const { t } = get();
      const started = Date.now();
      const r = await t.exec('sleep 20', { timeoutMs: 500 });
      expect(r).toMatchObject({ code: null, timedOut: true });
      expect(Date.now() - started).toBeLessThan(10_000);
    });

    it('a timeout kills everything the command started, background children included', async () => {
      const { t, work } = get();
      const pidFile = join(work, 'bg.pid');
      const r = await t.exec(`sleep 60 & echo $! > ${pidFile}; sleep 60`, { timeoutMs: 1500 });
      expect(r).toMatchObject({ code: null, timedOut: true });
      const pid = Number(readFileSync(pidFile, 'utf8'));
      // Dead means gone, or a zombie waiting for init to reap it.
      const running = () => {
        try {
          return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
        } catch {
          return false;
        }
      };
      for (let i = 0; i < 100 && running(); i++) await new Promise((res) => setTimeout(res, 50));
      expect(running()).toBe(false);
      rmSync(pidFile);
    });

    it('returns soon after exit even when a background child keeps the output open', async () => {
      const { t } = get();
      const started = Date.now();
      const r = await t.exec('sleep 30 & echo $!');
      expect(r.code).toBe(0);
      expect(Date.now() - started).toBeLessThan(8000);
      await t.exec(`kill ${r.stdout.trim()}`);
    });

    it('returns all of a large output, even what arrives after the exit status', async () => {
      const { t } = get();
      // Large, but under the output cap (OUTPUT_CAP, 4 MiB).
      const r = await t.exec(`head -c 4000000 /dev/zero | tr '\\0' a; echo end >&2`);
      expect(r.code).toBe(0);
      expect(r.stdout.length).toBe(4_000_000);
      expect(r.stderr).toBe('end\n');
    });

    it('stops a command whose output goes over the cap, with an OutputLimitError (issue 8 #3)', async () => {
      const { t } = get();
      const started = Date.now();
      const err = await t.exec('while :; do echo flood; done', { maxOutput: 100_000 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OutputLimitError);
      expect((err as Error).message).toMatch(/stdout went over 98 KiB; dockhand stopped it\nlast output:\nflood/);
      expect(Date.now() - started).toBeLessThan(10_000);
    });

    it('streams output through onOutput', async () => {
      const { t } = get();
      const chunks: string[] = [];
      await t.exec('echo a; echo b >&2', { onOutput: (c, s) => chunks.push(`${s}:${c}`) });
      expect(chunks.join('')).toContain('stdout:a\n');
      expect(chunks.join('')).toContain('stderr:b\n');
    });

    it('sudo as root runs the command directly', async () => {
      const { t } = get();
      expect(await t.exec('id -u', { sudo: true })).toMatchObject({ code: 0, stdout: '0\n', stderr: '' });
    });

    it('writes files atomically with mode and owner, leaving no temp file', async () => {
      const { t, work } = get();
      const path = join(work, 'daemon.json');
      writeFileSync(path, 'old');
      await t.writeFile(path, '{"a": 1}\n', { mode: 0o640, owner: 'root:root' });
      expect(readFileSync(path, 'utf8')).toBe('{"a": 1}\n');
      expect(statSync(path).mode & 0o777).toBe(0o640);
      const bin = Buffer.from([0, 1, 2, 255, 254]);
      await t.writeFile(join(work, 'bin'), bin, { sudo: true });
      expect(readFileSync(join(work, 'bin')).equals(bin)).toBe(true);
      expect(statSync(join(work, 'bin')).mode & 0o777).toBe(0o644);
      await t.writeFile(join(work, 'empty'), '');
      expect(readFileSync(join(work, 'empty'), 'utf8')).toBe('');
      const r = await t.exec(`ls -A ${work}`);
      expect(r.stdout.split('\n').filter(Boolean).sort()).toEqual(['bin', 'daemon.json', 'empty']);
    });

    it('a failed write names the path and leaves nothing behind', async () => {
      const { t, work } = get();
      await expect(t.writeFile(join(work, 'missing-dir', 'f'), 'x')).rejects.toThrow(/missing-dir/);
      await expect(t.writeFile(join(work, 'g'), 'x', { owner: 'no-such-user-xyz' })).rejects.toThrow(/command failed/);
      expect((await t.exec(`ls -A ${work}`)).stdout).not.toMatch(/dockhand/);
    });
  });
}
