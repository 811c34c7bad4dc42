/**
 * Recorded terminal sessions: the demo (real runner + real renderer, fake timed steps) runs inside a
 * real tmux pane of 120x40, and we assert what a person would see on the screen. A private tmux socket
 * keeps this away from any tmux the developer runs.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

const demo = fileURLToPath(new URL('../fixtures/fleet/demo-progress.mjs', import.meta.url));
const socket = `dockhand-test-${process.pid}`;
const tmux = (...args: string[]) => execFileSync('tmux', ['-u', '-L', socket, ...args], { encoding: 'utf8' });
afterAll(() => {
  try {
    tmux('kill-server');
  } catch {
    // no server left: nothing to clean up
  }
});

function startSession(name: string, env: string): void {
  // `sleep` keeps the pane open after the demo exits so the final screen can be captured.
  tmux('new-session', '-d', '-x', '120', '-y', '40', '-s', name, `env ${env} LANG=C.UTF-8 node ${demo}; echo EXIT=$?; sleep 120`);
}

async function waitForScreen(name: string, done: (screen: string) => boolean, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let screen = '';
  while (Date.now() < deadline) {
    screen = tmux('capture-pane', '-p', '-t', name);
    if (done(screen)) return screen;
    await sleep(50);
  }
  throw new Error(`screen never matched; last screen:\n${screen}`);
}

const lines = (screen: string) => screen.split('\n').map((l) => l.trimEnd());
const count = (screen: string, re: RegExp) => lines(screen).filter((l) => re.test(l)).length;

describe('fleet progress in a real terminal (tmux)', () => {
  it('TTY: one line per host redrawn in place, then the summary table', async () => {
    startSession('live', '-u CI DEMO_STEP_MS=250');
    const during = await waitForScreen('live', (s) => /^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] web-\d\s+\S+\s+\d+\.\ds$/m.test(s) && /· 3 running/.test(s));
    expect(during).toMatch(/^ {2}db-5\s+waiting$/m);
    expect(during).toMatch(/^0\/5 done · 3 running · 2 waiting$/m);
    // Redrawn in place: each host has exactly one line on screen, not one per update.
    for (const host of ['web-1', 'web-2', 'web-3', 'unreach-4', 'db-5']) expect(count(during, new RegExp(`\\b${host}\\b`))).toBe(1);

    const after = await waitForScreen('live', (s) => s.includes('EXIT='));
    expect(after).toMatch(/^✚ web-1\s+changed\s+2 changed, 3 ok\s+\d+\.\ds$/m);
    expect(after).toMatch(/^✖ unreach-4\s+unreachable\s+0 changed, 0 ok\s+\d+\.\ds\s+unreach-4: connect ECONNREFUSED/m);
    expect(after).toMatch(/^✖ db-5\s+failed\s+1 changed, 1 ok, 1 failed\s+\d+\.\ds\s+packages: E: Unable to locate package docker-ce$/m);
    expect(after).toMatch(/^5\/5 done · 0 running · 2 failed\/unreachable$/m);
    expect(after).toMatch(/^HOST\s+OS\s+RESULT\s+CHANGED\s+OK\s+FAILED\s+TIME\s+ERROR$/m);
    expect(after).toMatch(/^web-2\s+ubuntu 24\.04\s+changed\s+2\s+3\s+0\s+\d+\.\ds$/m);
    expect(after).toMatch(/^db-5\s+debian 12\s+failed\s+1\s+1\s+1\s+\d+\.\ds\s+packages: E: Unable/m);
    expect(after).toMatch(/^5 hosts: 3 changed, 1 failed, 1 unreachable in \d+\.\ds \(exit 4\)$/m);
    expect(after).toMatch(/^EXIT=4$/m);
    // Block line + summary row: nothing left over from earlier frames.
    for (const host of ['web-1', 'web-3', 'db-5']) expect(count(after, new RegExp(`^\\S*\\s*${host}\\b`))).toBe(2);
  });

  it('TTY with one host: an ora spinner; finished steps stay on screen', async () => {
    startSession('single', '-u CI DEMO_HOSTS=1 DEMO_STEP_MS=250');
    const during = await waitForScreen('single', (s) => /^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] web-1: (repository|packages)$/m.test(s));
    expect(during).toMatch(/^✔ web-1 facts … ok \(\d+\.\ds\)$/m);
    const after = await waitForScreen('single', (s) => s.includes('EXIT='));
    expect(lines(after).filter((l) => l.startsWith('✔ web-1 ') || l.startsWith('✚ web-1 '))).toEqual([
      expect.stringMatching(/^✔ web-1 facts … ok \(\d+\.\ds\)$/),
      expect.stringMatching(/^✚ web-1 repository … changed \(\d+\.\ds\)$/),
      expect.stringMatching(/^✚ web-1 packages … changed \(\d+\.\ds\)$/),
      expect.stringMatching(/^✔ web-1 daemon\.json … ok \(\d+\.\ds\)$/),
      expect.stringMatching(/^✔ web-1 service … ok \(\d+\.\ds\)$/),
      expect.stringMatching(/^✚ web-1 changed \(\d+\.\ds\)$/),
    ]);
    expect(after).not.toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/);
    expect(after).toMatch(/^1 host: 1 changed in \d+\.\ds \(exit 0\)$/m);
  });

  it('CI=true: plain timestamped lines, no cursor tricks, same summary', async () => {
    startSession('plain', 'CI=true DEMO_STEP_MS=60');
    const screen = await waitForScreen('plain', (s) => s.includes('EXIT='));
    expect(screen).toMatch(/^\d\d:\d\d:\d\d web-1 packages … changed \(\d+\.\ds\)$/m);
    expect(screen).toMatch(/^\d\d:\d\d:\d\d db-5 packages … failed \(\d+\.\ds\): E: Unable to locate package docker-ce$/m);
    expect(screen).toMatch(/^\d\d:\d\d:\d\d unreach-4 done: unreachable: unreach-4: connect ECONNREFUSED 198\.18\.0\.4:22 \(\d+\.\ds\)$/m);
    expect(screen).not.toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/);
    expect(count(screen, /^\d\d:\d\d:\d\d web-2 \S+ … /)).toBe(5);
    expect(screen).toMatch(/^5 hosts: 3 changed, 1 failed, 1 unreachable in \d+\.\ds \(exit 4\)$/m);
    expect(screen).toMatch(/^EXIT=4$/m);
  });
});
