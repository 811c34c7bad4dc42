/**
 * `pids_of` (probes/framing.sh), the one process lookup the facts (dockerd) and the doctor
 * (containerd) share, under dash and busybox sh, with pidof, with only pgrep, and with neither
 * (the /proc walk of hosts without procps): a real process started here is found, by its pid only.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeFile } from '../../src/probe/scripts.js';

const which = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
const shells = [
  { name: 'dash', argv: [which('dash')] },
  { name: 'busybox sh', argv: [which('busybox'), 'sh'] },
].filter((s) => s.argv[0] !== '');

/** Hide tools from `has` (and so from pids_of) the way a host without them would. */
const without = (tools: string[]) =>
  tools.length ? `has() { case "$1" in ${tools.join('|')}) return 1;; esac; command -v "$1" >/dev/null 2>&1; }` : '';

const NAME = 'dh-pids-test';
let dir: string;
let child: ChildProcess;

beforeAll(async () => {
  dir = mkdtempSync(join(os.tmpdir(), 'dockhand-pids-'));
  // A process whose name (comm) is ours alone: sleep, copied under that name.
  copyFileSync(which('sleep'), join(dir, NAME));
  child = spawn(join(dir, NAME), ['60'], { stdio: 'ignore' });
  await new Promise((r) => child.once('spawn', r));
});
afterAll(() => {
  child?.kill();
  rmSync(dir, { recursive: true, force: true });
});

function pidsOf(argv: string[], hide: string[], name: string): string {
  const script = `${probeFile('framing.sh')}\n${without(hide)}\npids_of '${name}'\n[ -z "$dh_pids" ] || printf '%s\\n' "$dh_pids"\n`;
  const r = spawnSync(argv[0]!, [...argv.slice(1), '-c', script], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

describe.each(shells)('pids_of under $name', ({ argv }) => {
  const variants: Array<[string, string[]]> = [
    ['pidof', []],
    ['pgrep only', ['pidof']],
    ['neither (the /proc walk)', ['pidof', 'pgrep']],
  ];
  it.each(variants)('with %s: the running process, by pid, one a line', (_, hide) => {
    expect(pidsOf(argv, hide, NAME)).toBe(`${child.pid}\n`);
  });
  it.each(variants)('with %s: nothing for a name no process has', (_, hide) => {
    expect(pidsOf(argv, hide, 'dh-no-such-proc')).toBe('');
  });
});
