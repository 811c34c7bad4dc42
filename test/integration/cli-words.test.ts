/**
 * The command line's own words, from the built CLI as a user runs it: "did you mean" for mistyped
 * commands and flags, a flag of another command says whose it is, the doctor's flags only under
 * `doctor`, and every command's --help ends with examples. None of these connects anywhere.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runProgram } from '../harness/run.js';

const cli = fileURLToPath(new URL('../../dist/src/cli.js', import.meta.url));
const env = { PATH: process.env.PATH, HOME: process.env.HOME, LANG: 'C.UTF-8' };
const run = (...args: string[]) => runProgram(process.execPath, [cli, ...args], env);

describe('did you mean', () => {
  it('a mistyped command: exit 64, the closest command, the list', async () => {
    const r = await run('plna', '-H', 'web-1');
    expect(r.code).toBe(64);
    expect(r.stderr).toBe('dockhand: unknown command "plna" — did you mean `dockhand plan`?\n  hint: commands: doctor, plan, up, down, bundle, facts, contexts, init, render, completion (dockhand --help)\n');
    expect((await run('doctr')).stderr).toMatch(/did you mean `dockhand doctor`\?/);
    // Nothing close: no guess, still the list.
    const far = await run('xyzzy');
    expect(far.stderr).toMatch(/^dockhand: unknown command "xyzzy"\n {2}hint: commands: /);
  });

  it('a mistyped flag: the closest flag of that command', async () => {
    const r = await run('plan', '--show-comands');
    expect(r.code).toBe(64);
    expect(r.stderr).toBe('dockhand: unknown option --show-comands for `dockhand plan` — did you mean --show-commands?\n');
    expect((await run('up', '--dockr-version', '27.5')).stderr).toMatch(/unknown option --dockr-version for `dockhand up` — did you mean --docker-version\?/);
    expect((await run('--verbos')).stderr).toMatch(/unknown option --verbos for `dockhand doctor` — did you mean --verbose\?/);
  });

  it("another command's flag says whose it is", async () => {
    const r = await run('plan', '--fix');
    expect(r.code).toBe(64);
    expect(r.stderr).toBe('dockhand: --fix is an option of `dockhand doctor`, not of `dockhand plan`\n');
    expect((await run('doctor', '--show-commands')).stderr).toMatch(/--show-commands is an option of `dockhand plan`, not of `dockhand doctor`/);
  });
});

describe('--help', () => {
  it('the top level lists commands and global options, not the doctor\'s flags', async () => {
    const r = await run('--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/dockhand doctor +find out why Docker/);
    for (const flag of ['--fix', '--user', '--allow-root-equivalent', '--yes', '--host ']) expect(r.stdout).not.toContain(flag);
    const doctor = await run('doctor', '--help');
    for (const flag of ['--fix', '--user', '--allow-root-equivalent', '--yes']) expect(doctor.stdout).toContain(flag);
    expect((await run('plan', '--help')).stdout).not.toContain('--fix');
  });

  it.each([[], ['doctor'], ['plan'], ['up'], ['facts'], ['contexts'], ['init'], ['completion']])('%s --help ends with examples', async (...command: string[]) => {
    const r = await run(...command, '--help');
    expect(r.code, r.stderr).toBe(0);
    const blocks = r.stdout.trimEnd().split('\n\n');
    const last = blocks.at(-1)!;
    expect(last).toMatch(/^Examples:\n {2}(eval "\$\()?dockhand/);
    expect(last.split('\n').length).toBeGreaterThanOrEqual(3);
  });

  it('a bare command line runs the doctor (the default command)', async () => {
    const r = await run('--json', '--no-color');
    expect([0, 1, 3]).toContain(r.code);
    expect(JSON.parse(r.stdout)[0].host).toBe('local');
  }, 60_000);
});
