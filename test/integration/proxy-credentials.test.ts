/**
 * A proxy URL's credentials go into the host's files as given and nowhere else: not into the plan's
 * text, its --show-commands scripts, nor --json (the brief: secrets never reach output). The plan is
 * of this machine (read-only: `plan` only runs the facts probe), as a user would run it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI } from '../harness/run.js';

const dir = mkdtempSync(join(tmpdir(), 'dockhand-proxy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const password = 'pw-s3cret%21';
const run = (args: string[]) =>
  spawnSync(process.execPath, [CLI, 'plan', ...args], {
    encoding: 'utf8',
    cwd: dir,
    env: { ...process.env, HOME: dir, CI: 'true' },
    timeout: 60_000,
  });

describe('proxy credentials are masked on every writer', () => {
  it.each([
    ['--proxy, text with scripts', ['--proxy', `http://deploy:${password}@127.0.0.1:3128`, '--show-commands']],
    ['--proxy, --json', ['--proxy', `http://deploy:${password}@127.0.0.1:3128`, '--json']],
    ['--daemon-opt proxies, --json', ['--daemon-opt', `proxies={"http-proxy":"http://deploy:${password}@127.0.0.1:3128"}`, '--json']],
  ])('%s', (_name, args) => {
    const r = run(args);
    expect(r.status, r.stderr).toBe(0);
    const all = r.stdout + r.stderr;
    // Positive control: the proxy is really in the plan (its host part is printed).
    expect(r.stdout).toContain('@127.0.0.1:3128');
    expect(all).not.toContain('s3cret');
    expect(all).not.toContain('pw-s3cret!'); // the decoded form too
    if (args.includes('--json')) for (const line of r.stdout.trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
  });
});
