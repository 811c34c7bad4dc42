/**
 * Ctrl-C against a real process: the demo (real runner, plain output because stdio is a pipe) gets
 * SIGINT while hosts are mid-step.
 */
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { processes } from '../harness/procs.js';
import { sshdAvailable, useTrustedSshd } from '../harness/sshd.js';

const demo = fileURLToPath(new URL('../fixtures/fleet/demo-progress.mjs', import.meta.url));
const sshFixture = fileURLToPath(new URL('../fixtures/fleet/interrupt-ssh.mjs', import.meta.url));

function runDemo(interrupts: number): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [demo], { env: { ...process.env, CI: 'true', DEMO_STEP_MS: '400', DEMO_HOSTS: '8' } });
    let stdout = '';
    let stderr = '';
    let sent = 0;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      // Interrupt once the first step finished somewhere: hosts are running and others wait.
      if (sent === 0 && / facts … ok/.test(stderr)) {
        for (; sent < interrupts; sent++) setTimeout(() => child.kill('SIGINT'), sent * 50);
      }
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: Date.now() - started }));
  });
}

describe('Ctrl-C during a fleet run', () => {
  it('first Ctrl-C: nothing new starts, running hosts are reported, the summary prints', async () => {
    const { code, stdout, stderr } = await runDemo(1);
    expect(stderr).toMatch(/stopping \(interrupted\): no new hosts or steps; waiting for 3 running hosts \(Ctrl-C again to quit now\)/);
    expect(stdout).toMatch(/^extra-8\s+-\s+cancelled\s+0\s+0\s+0\s+0\.0s\s+not started \(interrupted\)$/m);
    for (const host of ['web-1', 'web-2', 'web-3']) expect(stdout).toMatch(new RegExp(`^${host}\\s+-\\s+cancelled\\s.*\\sinterrupted$`, 'm'));
    expect(stdout).toMatch(/^8 hosts: 8 cancelled in \d+\.\ds, stopped early \(interrupted\) \(exit 2\)$/m);
    // A step that was running may finish; none may begin afterwards, so each host ends at most one more.
    const afterStop = stderr.slice(stderr.indexOf('stopping (interrupted)'));
    for (const host of ['web-1', 'web-2', 'web-3']) {
      expect(afterStop.split('\n').filter((l) => new RegExp(`^\\S+ ${host} \\S+ … `).test(l)).length).toBeLessThanOrEqual(1);
      expect(afterStop).toMatch(new RegExp(`^\\S+ ${host} done: cancelled: interrupted`, 'm'));
    }
    expect(code).toBe(2);
  });

  it('second Ctrl-C: exits at once with 130 and no summary', async () => {
    const { code, stdout, ms } = await runDemo(2);
    expect(code).toBe(130);
    expect(stdout).not.toContain('hosts:');
    expect(ms).toBeLessThan(3000);
  });
});

/** Processes on this machine whose command line holds `marker` (the loopback "hosts" are this machine). */
const processesWith = (marker: string) => processes().filter((p) => p.cmdline.includes(marker)).map((p) => p.pid);

describe.skipIf(!sshdAvailable())('second Ctrl-C with commands running over SSH (issue 8, Found #6)', () => {
  const loopback = useTrustedSshd();

  it('ends the remote commands before exiting and names the hosts that may be half-configured', async () => {
    const marker = `dockhand-ctrlc-${process.pid}-${Date.now()}`;
    const child = spawn(process.execPath, [sshFixture], {
      env: { ...process.env, CI: 'true', SSHD_PORT: String(loopback.sshd.port), SSHD_USER: loopback.sshd.user, SSHD_KEY: loopback.sshd.clientKeyPath, KNOWN_HOSTS: loopback.knownHosts, MARKER: marker },
    });
    let stderr = '';
    let sent = false;
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    child.stderr.on('data', (d) => {
      stderr += d;
      if (!sent && stderr.includes('READY box-1') && stderr.includes('READY box-2')) {
        sent = true;
        // Let both commands start on their hosts, then Ctrl-C twice.
        const waitForRemote = setInterval(() => {
          if (processesWith(`${marker} box-1`).length === 0 || processesWith(`${marker} box-2`).length === 0) return;
          clearInterval(waitForRemote);
          child.kill('SIGINT');
          setTimeout(() => child.kill('SIGINT'), 200);
        }, 50);
      }
    });
    const code = await exited;
    // Nothing the hosts were running survives the exit (before: both sleeps lived on, unseen). The
    // kills were sent before the exit; give the kernel and sshd a moment to reap.
    for (let i = 0; i < 20 && processesWith(marker).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
    const survivors = processesWith(marker);
    survivors.forEach((pid) => process.kill(pid, 'SIGKILL'));
    expect(survivors).toEqual([]);
    expect(code).toBe(130);
    expect(stderr).toMatch(/interrupted again: ended what was running on 2 host\(s\)/);
    expect(stderr).toMatch(/may be half-configured: box-1$/m);
  }, 60_000);
});
