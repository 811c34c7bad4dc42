/**
 * Colour as a person sees it: the real CLI's local doctor (read-only) in a real tmux pane, captured
 * with its escape sequences (capture-pane -e). On the terminal the marks and headings are coloured;
 * piped through `cat`, with --no-color or NO_COLOR they are not; FORCE_COLOR colours even a pipe.
 * A private tmux socket keeps this away from any tmux the developer runs.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

const cli = fileURLToPath(new URL('../../dist/src/cli.js', import.meta.url));
const socket = `dockhand-colour-${process.pid}`;
const hasTmux = (() => {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!hasTmux) console.warn('colour-tmux: skipped: no tmux');
const tmux = (...args: string[]) => execFileSync('tmux', ['-u', '-L', socket, ...args], { encoding: 'utf8' });
afterAll(() => {
  if (!hasTmux) return;
  try {
    tmux('kill-server');
  } catch {
    // no server left: nothing to clean up
  }
});

/** Runs `command` in a fresh 150x60 pane and answers the final screen with its escape sequences. */
async function screenOf(name: string, command: string): Promise<string> {
  // stderr (progress) goes away: the screen holds stdout only. `sleep` keeps the pane for the capture.
  tmux('new-session', '-d', '-x', '150', '-y', '60', '-s', name, `env -u CI -u NO_COLOR -u FORCE_COLOR TERM=xterm-256color LANG=C.UTF-8 ${command} 2>/dev/null; echo EXIT=$?; sleep 120`);
  const deadline = Date.now() + 60_000;
  let screen = '';
  while (Date.now() < deadline) {
    screen = tmux('capture-pane', '-e', '-p', '-t', name);
    if (/EXIT=\d+/.test(screen)) return screen;
    await sleep(100);
  }
  throw new Error(`no EXIT= on the screen; last screen:\n${screen}`);
}

const ESC = '\u001b[';

describe.skipIf(!hasTmux)('colour on a terminal, none in a pipe (real tmux)', () => {
  it('the doctor on a terminal: coloured marks and group headings', async () => {
    const screen = await screenOf('tty', `node ${cli} doctor`);
    expect(screen).toMatch(/dockhand doctor/);
    // tmux re-encodes what it drew: bold headings and green "✓ N checks".
    expect(screen).toMatch(/\u001b\[1m(Installation|Daemon)/);
    expect(screen).toMatch(/\u001b\[32m✓ \d+ checks?/);
  }, 90_000);

  it('the same doctor piped: no escape sequence at all', async () => {
    const screen = await screenOf('pipe', `node ${cli} doctor | cat`);
    expect(screen).toMatch(/^(Installation|Daemon) +✓ \d+ checks?/m);
    expect(screen).not.toContain(ESC);
  }, 90_000);

  it('--no-color and NO_COLOR on a terminal: none; FORCE_COLOR in a pipe: colour', async () => {
    const flag = await screenOf('flag', `node ${cli} doctor --no-color`);
    expect(flag).toMatch(/^(Installation|Daemon) +✓ \d+ checks?/m);
    expect(flag).not.toContain(ESC);
    const env = await screenOf('env', `env NO_COLOR=1 node ${cli} doctor`);
    expect(env).not.toContain(ESC);
    const forced = await screenOf('forced', `env FORCE_COLOR=1 node ${cli} doctor | cat`);
    expect(forced).toMatch(/\u001b\[32m✓ \d+ checks?/);
  }, 180_000);
});
