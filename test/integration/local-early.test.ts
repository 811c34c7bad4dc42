/**
 * Issue 15: a local command started early (transport/local.ts startEarly; bin.ts starts the local
 * doctor's examination while the CLI loads) is adopted by the first exec of exactly its argv, with
 * all its output, instead of running twice; anything else kills it. Real processes throughout.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.js';
import { examinationArgv, isPlainLocalDoctor } from '../../src/doctor/early.js';
import { LocalTransport } from '../../src/transport/local.js';
import { startEarly } from '../../src/transport/early-process.js';

const dir = mkdtempSync(join(tmpdir(), 'dockhand-early-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const transport = () => new LocalTransport('local', { hostKeyPolicy: 'strict', connectTimeoutMs: 5000, commandTimeoutMs: 20_000 }, silentLogger);
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const until = async (what: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!what() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  return what();
};

describe('a local command started early', () => {
  it('is adopted by an exec of the same script: it runs once, and the exec gets all of its output, status and stderr', async () => {
    const runs = join(dir, 'runs');
    // Output before and after the adoption, on both streams, and a status: all must arrive.
    const script = `echo run >> '${runs}'; printf 'early\\0'; echo to-stderr >&2; sleep 0.3; printf 'late'; exit 3`;
    startEarly(['sh', '-c', script]);
    await new Promise((r) => setTimeout(r, 150)); // the early part of its output is kept meanwhile
    const r = await transport().exec(script);
    expect(r.stdout).toBe('early\0late');
    expect(r.stderr).toContain('to-stderr');
    expect(r.code).toBe(3);
    expect(readFileSync(runs, 'utf8')).toBe('run\n');
  });

  it('an exec of another script kills it unadopted and runs its own', async () => {
    const pidFile = join(dir, 'early.pid');
    startEarly(['sh', '-c', `echo $$ > '${pidFile}'; exec sleep 30`]);
    expect(await until(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '')).toBe(true);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(alive(pid)).toBe(true);
    const r = await transport().exec('echo other');
    expect(r.stdout).toBe('other\n');
    expect(await until(() => !alive(pid))).toBe(true);
  });

  it('is never adopted twice: a second exec of the same script runs it again', async () => {
    const runs = join(dir, 'runs-twice');
    const script = `echo run >> '${runs}'`;
    startEarly(['sh', '-c', script]);
    await transport().exec(script);
    await transport().exec(script);
    expect(readFileSync(runs, 'utf8')).toBe('run\nrun\n');
  });
});

describe('the local doctor starts its examination early only when the arguments cannot change it', () => {
  it.each([
    [[], true],
    [['doctor'], true],
    [['--json'], true],
    [['doctor', '--json', '--verbose', '--no-color'], true],
    [['doctor', '--fix', '--yes'], true],
    [['doctor', '--user', 'alice'], false],
    [['doctor', '-H', 'web-1'], false],
    [['doctor', '-i', 'inventory.yaml'], false],
    [['plan'], false],
    [['--json', 'doctor'], false],
    [['doctor', '--report', 'x.html'], false],
  ])('%j → %s', (args, early) => {
    expect(isPlainLocalDoctor(args)).toBe(early);
  });
});

// The built CLI: `sh` is a stand-in that logs each script it is given, then runs the real one. The
// plain local doctor must run its examination exactly once (started early, then adopted).
const root = fileURLToPath(new URL('../..', import.meta.url));
const cli = join(root, 'dist/src/cli.js');
describe.skipIf(!existsSync(cli))('the built CLI', () => {
  const examinations = (args: string[], program = cli) => {
    const bin = mkdtempSync(join(dir, 'bin-'));
    const log = join(bin, 'sh.log');
    const real = spawnSync('sh', ['-c', 'command -v sh'], { encoding: 'utf8' }).stdout.trim();
    // Each examination's line says whether it is a probe edited after the build (the stale-file test).
    writeFileSync(
      join(bin, 'sh'),
      `#!${real}\ncase "$2" in *'# edited after the build'*) echo edited >> '${log}';; *'sec doctor'*) echo built >> '${log}';; esac\nexec ${real} "$@"\n`,
    );
    chmodSync(join(bin, 'sh'), 0o755);
    const cfg = mkdtempSync(join(dir, 'cfg-'));
    const r = spawnSync(process.execPath, [program, ...args], { encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, DOCKER_CONFIG: cfg }, timeout: 60_000 });
    const scripts = existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : [];
    return { r, count: scripts.length, scripts };
  };

  it.each([[['doctor', '--json']], [['--json']], [['doctor', '--json', '--user', 'root']]])('%j examines once and reports', (args) => {
    const { r, count } = examinations(args);
    expect([0, 1, 3], r.stderr).toContain(r.status);
    expect(Array.isArray(JSON.parse(r.stdout))).toBe(true);
    expect(count).toBe(1);
  });

  it("starts the build's examination command, which is exactly the one the doctor asks for, as root and not", async () => {
    const built = JSON.parse(readFileSync(join(root, 'dist/early-examination.json'), 'utf8')).argv;
    expect(built[0]).toBe('sh');
    expect(built[2]).toContain('sec doctor');
    expect(built).toEqual(await examinationArgv(false));
    expect(built).toEqual(await examinationArgv(true));
  });

  it('a stale build file (a probe edited since the build) is killed unadopted: the doctor runs its own examination, once', () => {
    const copy = mkdtempSync(join(dir, 'stale-'));
    for (const part of ['dist', 'package.json', 'playbooks', 'checks', 'probes', 'src/facts/areas']) cpSync(join(root, part), join(copy, part), { recursive: true });
    writeFileSync(join(copy, 'probes/doctor.sh'), `${readFileSync(join(copy, 'probes/doctor.sh'), 'utf8')}\n# edited after the build\n`);
    const { r, count, scripts } = examinations(['doctor', '--json'], join(copy, 'dist/src/cli.js'));
    expect([0, 1, 3], r.stderr).toContain(r.status);
    expect(Array.isArray(JSON.parse(r.stdout))).toBe(true);
    // Both were started; only the second, the edited probe's, ran to its end and was reported.
    expect(count).toBe(2);
    expect(scripts).toEqual(['built', 'edited']);
  });

  it('a damaged install (a probe fragment missing): the early start steps aside and the doctor reports it as it does without', () => {
    const copy = mkdtempSync(join(dir, 'install-'));
    for (const part of ['dist', 'package.json', 'playbooks', 'checks', 'probes']) cpSync(join(root, part), join(copy, part), { recursive: true });
    mkdirSync(join(copy, 'src/facts'), { recursive: true });
    cpSync(join(root, 'src/facts/areas'), join(copy, 'src/facts/areas'), { recursive: true, filter: (f) => !f.endsWith('/os.sh') && !f.endsWith('.ts') });
    const run = (env: Record<string, string>) =>
      spawnSync(process.execPath, [join(copy, 'dist/src/cli.js'), 'doctor', '--json'], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });
    const early = run({});
    const late = run({ DOCKHAND_NO_EARLY: '1' });
    expect(early.status).toBe(3);
    expect(JSON.parse(early.stdout)[0].error).toMatch(/os\.sh/);
    expect(early.stdout.replaceAll(copy, '')).toBe(late.stdout.replaceAll(copy, ''));
    expect(early.status).toBe(late.status);
  });
});
