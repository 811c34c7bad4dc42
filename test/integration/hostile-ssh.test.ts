/**
 * issue 8, Found #3 and #4: the built CLI against a hostile SSH peer on loopback. Each run must end
 * within its bound with a clear error, and the dockhand process's peak memory must stay small
 * (VmHWM of the child, read from /proc while it runs — the kernel's own high-water mark).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHostileServer, type HostileServer } from '../harness/hostile-ssh.js';
import { CLI } from '../harness/run.js';

interface Measured {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
  peakRssKiB: number;
}

/** Run the CLI; sample the child's VmHWM until it exits (the last sample is the peak). */
function runMeasured(args: string[], home: string): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH, HOME: home, CI: 'true', SSH_AUTH_SOCK: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let peak = 0;
    const sample = () => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peak = Math.max(peak, Number(m[1]));
      } catch {
        // Exited between samples.
      }
    };
    const timer = setInterval(sample, 20);
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('error', reject);
    // The kernel keeps the high-water mark; sampling often catches it before the process exits.
    child.on('close', (code) => {
      clearInterval(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started, peakRssKiB: peak });
    });
  });
}

const available = existsSync('/proc/self/status') && existsSync(CLI);

describe.skipIf(!available)('a hostile SSH host (ssh2 Server on loopback)', () => {
  let home: string;
  beforeAll(() => {
    home = mkdtempSync(join(tmpdir(), 'dockhand-home-'));
  });
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  describe('that answers every command with endless bytes', () => {
    let server: HostileServer;
    beforeAll(async () => {
      server = await startHostileServer('flood');
    });
    afterAll(() => server?.stop());

    it('facts ends within seconds with an output-limit error; memory stays under 200 MB; stderr stays small', async () => {
      const r = await runMeasured(
        ['facts', '-H', `anyone@127.0.0.1:${server.port}`, '--key', server.clientKeyPath, '--known-hosts', server.knownHostsFile, '--command-timeout', '60'],
        home,
      );
      process.stderr.write(`[hostile-ssh] flood: exit ${r.code} in ${r.ms} ms, peak RSS ${Math.round(r.peakRssKiB / 1024)} MB, ${server.bytesSent()} bytes sent by the host\n`);
      expect(r.stderr).toMatch(/stdout went over 4096 KiB; dockhand stopped it/);
      expect(r.code).toBe(2);
      expect(r.ms).toBeLessThan(30_000);
      expect(r.peakRssKiB).toBeGreaterThan(0);
      expect(r.peakRssKiB).toBeLessThan(200 * 1024);
      // The host's bytes are not dumped back: a few lines of them at most.
      expect(r.stderr.length + r.stdout.length).toBeLessThan(20_000);
      // The server really sent far more than the cap (the flood was real).
      expect(server.bytesSent()).toBeGreaterThan(4 * 1024 * 1024);
    }, 60_000);
  });

  describe('that never opens the session channel', () => {
    let server: HostileServer;
    beforeAll(async () => {
      server = await startHostileServer('no-channel');
    });
    afterAll(() => server?.stop());

    it('facts ends at the command timeout with a clear error instead of hanging', async () => {
      const r = await runMeasured(
        ['facts', '-H', `anyone@127.0.0.1:${server.port}`, '--key', server.clientKeyPath, '--known-hosts', server.knownHostsFile, '--command-timeout', '3'],
        home,
      );
      process.stderr.write(`[hostile-ssh] no channel: exit ${r.code} in ${r.ms} ms, peak RSS ${Math.round(r.peakRssKiB / 1024)} MB\n`);
      expect(r.stderr).toMatch(/did not start the command within 3 s \(no session channel\)/);
      expect(r.code).toBe(4);
      expect(r.ms).toBeLessThan(20_000);
      expect(server.sessions()).toBeGreaterThan(0);
      expect(r.peakRssKiB).toBeLessThan(200 * 1024);
    }, 60_000);
  });
});
