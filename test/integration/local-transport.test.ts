import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../src/core/log.js';
import { openTransport } from '../../src/transport/open.js';
import type { Transport } from '../../src/transport/types.js';

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

  it('stdin is empty unless given', async () => {
    expect((await t.exec('wc -c')).stdout.trim()).toBe('0');
    expect((await t.exec('cat', { stdin: Buffer.from('a\nb') })).stdout).toBe('a\nb');
  });

  it('sets env inside the command', async () => {
    expect((await t.exec('printf %s "$X"', { env: { X: "a'b $c" } })).stdout).toBe("a'b $c");
  });

  it('a killed command has code null and the signal', async () => {
    const r = await t.exec('kill -KILL $$');
    expect(r).toMatchObject({ code: null, signal: 'SIGKILL' });
  });

  it('a timeout kills the whole process group, background children included', async () => {
    const pidFile = join(work, 'bg.pid');
    const r = await t.exec(`sleep 60 & echo $! > ${pidFile}; sleep 60`, { timeoutMs: 300 });
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
    for (let i = 0; i < 40 && running(); i++) await new Promise((res) => setTimeout(res, 50));
    expect(running()).toBe(false);
  });

  it('returns soon after exit even when a background child keeps the output open', async () => {
    const started = Date.now();
    const r = await t.exec('sleep 30 & echo $!');
    expect(r.code).toBe(0);
    expect(Date.now() - started).toBeLessThan(8000);
    await t.exec(`kill ${r.stdout.trim()}`);
  });

  it('sudo as root runs the command directly', async () => {
    expect((await t.exec('id -u; cat /proc/$$/cmdline | tr "\\0" " "', { sudo: true })).stdout).toMatch(/^0\nsh -c /);
  });

  it('writeFile is atomic, sets mode, and leaves no temp file', async () => {
    const path = join(work, 'conf.json');
    writeFileSync(path, 'old');
    await t.writeFile(path, 'new\n', { mode: 0o600 });
    expect(readFileSync(path, 'utf8')).toBe('new\n');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    await t.writeFile(join(work, 'sudo.txt'), '', { sudo: true, owner: 'root:root' });
    expect(readFileSync(join(work, 'sudo.txt'), 'utf8')).toBe('');
    expect(readdirSync(work).filter((f) => f.includes('dockhand'))).toEqual([]);
  });

  it('writeFile to a missing directory fails with the path', async () => {
    await expect(t.writeFile(join(work, 'nope', 'x'), 'x')).rejects.toThrow(/nope/);
  });
});
