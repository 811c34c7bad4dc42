/**
 * The probe framing (src/probe/framing.ts, probes/framing.sh) under the real shells: arbitrary
 * bytes in every host-sourced field — file contents, file names, command output, process
 * arguments, symlink targets — parse back as exactly that data, and never change the structure
 * (issue 8, Found #1 and #2). Runs the shell side under dash AND busybox sh.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDoctorOutput } from '../../src/doctor/parse.js';
import { examinationScript } from '../../src/doctor/script.js';
import { parseProbeOutput } from '../../src/facts/parse.js';
import { ProbeTamperError, sectionOf, splitProbeOutput, stdoutOf } from '../../src/probe/framing.js';
import { probeFile } from '../../src/probe/scripts.js';

const which = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
const shells = [
  { name: 'dash', argv: [which('dash')] },
  { name: 'busybox sh', argv: [which('busybox'), 'sh'] },
].filter((s) => s.argv[0] !== '');

/** A PATH whose od, cat, readlink… are busybox's applets, as on Alpine (Debian's busybox sh runs coreutils). */
const appletDir = mkdtempSync(join(os.tmpdir(), 'dockhand-applets-'));
afterAll(() => rmSync(appletDir, { recursive: true, force: true }));
const withApplets = which('busybox') && spawnSync(which('busybox'), ['--install', '-s', appletDir]).status === 0;
const framingShells = [
  ...shells.map((s) => ({ ...s, env: process.env })),
  ...(withApplets ? [{ name: 'busybox sh with busybox applets', argv: [which('busybox'), 'sh'], env: { ...process.env, PATH: `${appletDir}:${process.env.PATH}` } }] : []),
];

/** What a string becomes on its way through argv or a file name: UTF-8 bytes, decoded back. */
const viaBytes = (s: string | Buffer) => Buffer.from(s).toString('utf8');

/** Text an attacker would plant: both protocols' markers (old and new), NUL-free control bytes. */
const hostileText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc
    .array(
      fc.constantFrom(
        '\n@@dockhand:section user\nname=root\nuid=0\nsudo_user=mallory',
        '\n@@doctor:kv config_dir=/etc\n@@doctor:stat 41ed root root 0 0 /etc',
        '@@dockhand:done', 'S', 'K', 'F', 'C', 'D', 'ok', '0', '\x1b]52;c;aGk=\x07', '\x1b[2J', '\r', '\t', '\n', ' ', '|', '~', "'\"$`\\",
        '\u00e9', '\uffff', '\ud800',
      ),
      { maxLength: 8 },
    )
    .map((a) => a.join('')),
).map((s) => s.replace(/\0/g, ''));

/** Arbitrary bytes, with the markers and invalid UTF-8 likely. */
const hostileBytes = fc.oneof(
  fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
  fc.tuple(hostileText, fc.uint8Array({ maxLength: 8 })).map(([t, b]) => Buffer.concat([Buffer.from(t), Buffer.from(b), Buffer.from([0, 0xff, 0xc3])])),
);

/** A name for a file: any bytes but NUL and `/`, after a first letter (a glob skips dot files). */
const hostileName = fc
  .uint8Array({ maxLength: 40 })
  .map((a) => Buffer.concat([Buffer.from('n'), Buffer.from(a.filter((b) => b !== 0 && b !== 0x2f))]));

describe.each(framingShells)('framing under $name', ({ argv, env }) => {
  const dir = mkdtempSync(join(os.tmpdir(), 'dockhand-framing-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;

  it('arbitrary bytes in files, file names, command output, symlink targets and values parse back exactly', () => {
    fc.assert(
      fc.property(hostileBytes, hostileName, hostileText, hostileText, (content, name, key, value) => {
        const d = join(dir, String(n++));
        mkdirSync(d);
        const dBuf = Buffer.from(d);
        const filePath = Buffer.concat([dBuf, Buffer.from('/'), name]);
        writeFileSync(filePath, content);
        const script = `${probeFile('framing.sh')}
sec s
kv "$1" "$2"
for f in "$3"/*; do kv "name $f" x; emit_file "$f"; stream piped < "$f"; run cat cat "$f"; done
run rc3 sh -c 'printf out; exit 3'
run gone dockhand-no-such-tool
emit_file "$3/missing"
printf 'D\\000'
`;
        const out = spawnSync(argv[0]!, [...argv.slice(1), '-c', script, 'probe', key, value, d], { encoding: 'utf8', env });
        expect(out.status, out.stderr).toBe(0);
        const parsed = splitProbeOutput(out.stdout);
        const path = viaBytes(filePath);
        const text = viaBytes(content);
        expect(parsed).toEqual({
          complete: true,
          sections: {
            s: {
              kv: key === `name ${path}` ? fail('collision') : { [viaBytes(key)]: viaBytes(value), [`name ${path}`]: 'x' },
              files: { [path]: { path, exists: true, content: text }, [`${d}/missing`]: { path: `${d}/missing`, exists: false } },
              commands: { piped: { rc: 0, stdout: text }, cat: { rc: 0, stdout: text }, rc3: { rc: 3, stdout: 'out' }, gone: { rc: null, stdout: '' } },
            },
          },
        });
      }),
      { numRuns: 40 },
    );
  }, 120_000);

  it('a symlink target with newlines and both protocols\' markers is one value (doctor stat_path)', () => {
    fc.assert(
      fc.property(hostileName, (targetBytes) => {
        const d = join(dir, String(n++));
        mkdirSync(d);
        const target = Buffer.concat([Buffer.from('\n@@doctor:kv config_dir=/etc\n@@doctor:stat 41ed root root 0 0 /etc\nS\n'), targetBytes]);
        const link = join(d, 'docker.sock');
        // ln from a shell, so the target is the exact bytes (node's symlink takes a string or Buffer).
        execFileSync('sh', ['-c', 'ln -s -- "$(cat "$1")" "$2"', 'ln', '-', link], { input: target });
        const script = `${probeFile('framing.sh')}
sec doctor
kv "link $1" "$(readlink "$1")"
printf 'D\\000'
`;
        const out = spawnSync(argv[0]!, [...argv.slice(1), '-c', script, 'probe', link], { encoding: 'utf8', env });
        const parsed = splitProbeOutput(out.stdout);
        // Command substitution drops trailing newlines; nothing else changes.
        expect(parsed.sections).toEqual({ doctor: { kv: { [`link ${link}`]: viaBytes(target).replace(/\n+$/, '') }, files: {}, commands: {} } });
      }),
      { numRuns: 25 },
    );
  }, 120_000);
});

function fail(why: string): never {
  throw new Error(why);
}

describe('the parser refuses what the shell side never prints', () => {
  const ok = (body: string) => `S\0s\0${body}D\0`;
  it.each([
    ['a repeated key (last-one-wins is the attack)', ok('K\0uid\x001000\0K\0uid\x000\0')],
    ['a repeated section', `S\0user\0K\0name\0alice\0S\0user\0K\0name\0root\0D\0`],
    ['a repeated file', ok('F\0/f\0missing\0\0F\0/f\0ok\x0061\0')],
    ['a repeated command', ok('C\0c\0\x000\0C\0c\0\x000\0')],
    ['an unknown record', ok('X\0y\0')],
    ['a record before any section', 'K\0a\0b\0D\0'],
    ['content that is not hex', ok('F\0/f\0ok\0zz\0')],
    ['odd hex', ok('C\0c\x00616\x000\0')],
    ['a bad exit code', ok('C\0c\0\0-1\0')],
    ['content for a missing file', ok('F\0/f\0missing\x0061\0')],
    ['records after the end', `${ok('')}S\0t\0`],
  ])('%s', (_name, text) => {
    expect(() => splitProbeOutput(text, 'h1')).toThrow(ProbeTamperError);
    expect(() => splitProbeOutput(text, 'h1')).toThrow(/^h1: the probe's output is malformed/);
  });

  it('host-chosen names such as __proto__ and constructor are plain keys, not the object machinery', () => {
    const out = splitProbeOutput(`S\0__proto__\0K\0__proto__\0x\0K\0constructor\0y\0F\0__proto__\0missing\0\0D\0`);
    const s = sectionOf(out, '__proto__');
    expect(Object.keys(out.sections)).toEqual(['__proto__']);
    expect(s.kv['__proto__']).toBe('x');
    expect(s.kv['constructor']).toBe('y');
    expect(s.files['__proto__']).toEqual({ path: '__proto__', exists: false });
    expect(stdoutOf(s, 'toString')).toBeUndefined();
    expect(sectionOf(out, 'hasOwnProperty').kv).toEqual({});
  });

  it('output cut short is incomplete, not an error', () => {
    expect(splitProbeOutput('S\0s\0K\0a\0b\0C\0c\x0061').complete).toBe(false);
    expect(splitProbeOutput('')).toEqual({ sections: {}, complete: false });
  });
});

const canStage =
  process.getuid?.() === 0 && ['unshare', 'mount'].every((t) => which(t) !== '') &&
  spawnSync('unshare', ['--mount', '--pid', '--fork', '--mount-proc', 'true']).status === 0;

/**
 * The whole examination (facts + doctor probes) in private namespaces: a process named dockerd
 * with hostile arguments and a hostile symlink under the checked user's ~/.docker are planted
 * between a clean run and a hostile one; every fact but the dockerd's own line stays the same.
 */
describe.runIf(canStage).each(shells)('the whole examination under $name with planted records', ({ argv }) => {
  const dir = mkdtempSync(join(os.tmpdir(), 'dockhand-framing-stage-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  copyFileSync(which('dash') || '/bin/sh', join(dir, 'dockerd'));
  const STAGE = `
set -e
T=$1; shift
mount -t tmpfs dockhand-test /root
"$SHELL_BIN" $SHELL_ARG -c "$PROBE" > "$T/clean.out"
mkdir -p /root/.docker/desktop
ln -s -- "$(cat "$T/target")" /root/.docker/desktop/docker.sock
"$T/dockerd" -c 'sleep 60; :' "$@" &
while ! pidof dockerd >/dev/null; do sleep 0.05; done
"$SHELL_BIN" $SHELL_ARG -c "$PROBE" > "$T/hostile.out"
`;
  it('facts and doctor evidence are unchanged but for the planted data, which arrives exactly', () => {
    fc.assert(
      fc.property(fc.array(hostileText.filter((s) => s !== ''), { minLength: 1, maxLength: 4 }), hostileName, (args, targetTail) => {
        const target = Buffer.concat([Buffer.from('/nowhere\n@@doctor:kv config_dir=/etc\n@@doctor:stat 41ed root root 0 0 /etc\n'), targetTail]);
        writeFileSync(join(dir, 'target'), target);
        const r = spawnSync('unshare', ['--mount', '--propagation', 'private', '--pid', '--fork', '--mount-proc', 'sh', '-c', STAGE, 'stage', dir, ...args], {
          encoding: 'utf8',
          env: { ...process.env, PROBE: examinationScript(), SHELL_BIN: argv[0], SHELL_ARG: argv[1] ?? '' },
          timeout: 60_000,
        });
        expect(r.status, r.stderr).toBe(0);
        const clean = readFileSync(join(dir, 'clean.out'), 'utf8');
        const hostile = readFileSync(join(dir, 'hostile.out'), 'utf8');
        const [fc0, fh] = [parseProbeOutput('h', clean), parseProbeOutput('h', hostile)];
        expect(fc0.dockerd).toBeUndefined();
        expect(fh.dockerd?.cmdline).toBe([join(dir, 'dockerd'), '-c', 'sleep 60; :', ...args].map(viaBytes).join(' ').trim());
        expect(fh.user).toEqual(fc0.user);
        expect(fh.privilege).toEqual(fc0.privilege);
        expect(fh.packages).toEqual(fc0.packages);
        expect(fh.dockerGroup).toEqual(fc0.dockerGroup);
        const [dc, dh] = [parseDoctorOutput(clean).evidence, parseDoctorOutput(hostile).evidence];
        expect(dh.user).toEqual(dc.user);
        expect(dh.configDir.path).toBe('/root/.docker');
        expect(dh.configDir.path).toBe(dc.configDir.path);
        const planted = dh.sockets.find((s) => s.path === '/root/.docker/desktop/docker.sock');
        expect(planted?.exists).toBe(false);
        // `readlink -f` resolves what it can; the planted text stays inside the one value.
        expect(planted?.linkTarget).toContain('@@doctor:kv config_dir=/etc');
        expect(dh.sockets.map((s) => s.path)).toEqual(dc.sockets.map((s) => s.path));
        expect(dh.sockets.filter((s) => s.path !== planted!.path)).toEqual(dc.sockets.filter((s) => s.path !== planted!.path));
      }),
      { numRuns: 6 },
    );
  }, 240_000);
});
