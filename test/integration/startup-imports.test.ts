/**
 * Start-up cost: the built CLI loads its heavy dependencies (zod, ora, ssh2, yaml) only on the paths
 * that use them. Each run records every module it resolves through a test-only ESM loader
 * (test/fixtures/startup/record-imports.mjs); the CLI itself has no hook for this. The CLI is a bundle
 * (scripts/bundle.mjs): a loaded file of it counts as loading every npm package the build put into it
 * (dist/src/bundle-meta.json); a package left external would be seen in node_modules.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const cli = join(root, 'dist/src/cli.js');
const recorder = join(root, 'test/fixtures/startup/record-imports.mjs');
const heavy = ['zod', 'ora', 'ssh2', 'yaml'] as const;
const bundleDir = join(root, 'dist/src');
const bundled: Record<string, { packages: string[] }> = JSON.parse(readFileSync(join(bundleDir, 'bundle-meta.json'), 'utf8')).files;

/** The npm packages in one loaded file: its node_modules package, or what the bundle put into it. */
function packagesIn(url: string): string[] {
  const external = url.match(/\/node_modules\/((?:@[^/]+\/)?[^/]+)\//)?.[1];
  if (external) return [external];
  if (!url.startsWith('file:')) return [];
  const file = relative(bundleDir, fileURLToPath(url));
  return bundled[file]?.packages ?? [];
}

/** Run the CLI; answer its exit code and the npm packages it loaded. */
function loadedPackages(args: string[]): { status: number | null; packages: Set<string>; stdout: string; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), 'dockhand-imports-'));
  const out = join(dir, 'imports.txt');
  writeFileSync(out, '');
  try {
    const r = spawnSync(process.execPath, ['--import', recorder, cli, ...args], {
      encoding: 'utf8',
      env: { ...process.env, DOCKHAND_RECORD_IMPORTS: out, DOCKER_CONFIG: dir },
      timeout: 60_000,
    });
    const packages = new Set(readFileSync(out, 'utf8').split('\n').flatMap(packagesIn));
    return { status: r.status, packages, stdout: r.stdout, stderr: r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const heavyIn = (packages: Set<string>) => heavy.filter((p) => packages.has(p));

describe('start-up imports of the built CLI', () => {
  it('`dockhand --version` alone loads no npm package at all, and prints what the parser prints', () => {
    const r = loadedPackages(['--version']);
    expect(r.status, r.stderr).toBe(0);
    expect([...r.packages]).toEqual([]);
    // --json makes it a full parse (src/cli.ts, yargs' .version()): the same answer.
    const parsed = loadedPackages(['--json', '--version']);
    expect(parsed.packages.has('yargs')).toBe(true);
    expect(r.stdout).toBe(parsed.stdout);
    expect(r.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  const helpAndVersion = [['--json', '--version'], ['--help'], ['doctor', '--help'], ['up', '--help'], ['facts', '--help'], ['contexts', '--help']];
  it.each(helpAndVersion.map((args) => [args.join(' '), args] as const))(
    '`dockhand %s` loads yargs and none of zod, ora, ssh2, yaml',
    (_title, args) => {
      const r = loadedPackages([...args]);
      expect(r.status, r.stderr).toBe(0);
      expect(r.packages.has('yargs')).toBe(true); // the recorder works
      expect(heavyIn(r.packages)).toEqual([]);
    },
  );

  it('local facts --json needs none of them', () => {
    const r = loadedPackages(['facts', '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(heavyIn(r.packages)).toEqual([]);
  });

  // Issue 15: parsing checks/*.yaml with yaml + zod was the larger part of a local doctor's own CPU.
  it('the local doctor reads the check declarations compiled at build time: none of zod, yaml, ssh2, ora', () => {
    const r = loadedPackages(['doctor', '--json']);
    expect([0, 1, 3], r.stderr).toContain(r.status);
    expect(r.stdout).toContain('"findings"'); // it did examine (its JSON report)
    expect(heavyIn(r.packages)).toEqual([]);
  });

  // Issue 15: the plain local doctor runs without the parser (src/plain-doctor.ts); a command line it
  // does not answer (a flag given twice) goes to the parser, with the same report.
  it('the plain local doctor loads no parser either; a flag given twice is parsed by yargs, with the same report', () => {
    const plain = loadedPackages(['--json']);
    const parsed = loadedPackages(['--json', '--json']);
    expect([0, 1, 3], plain.stderr).toContain(plain.status);
    expect(plain.packages.has('yargs')).toBe(false);
    expect(parsed.packages.has('yargs')).toBe(true);
    expect(parsed.status).toBe(plain.status);
    const ids = (stdout: string) => (JSON.parse(stdout) as { findings: { id: string; status: string }[] }[]).flatMap((h) => h.findings.map((f) => `${f.id} ${f.status}`));
    expect(ids(parsed.stdout)).toEqual(ids(plain.stdout));
    expect(ids(plain.stdout).length).toBeGreaterThan(20);
  });

  it('a local plan reads the playbooks compiled at build time: neither yaml nor zod', () => {
    const r = loadedPackages(['plan', '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('"summary"'); // it did plan (the JSON summary line)
    expect(heavyIn(r.packages)).toEqual([]);
  });

  it('an SSH target still loads ssh2 (on demand) and reports the host unreachable', () => {
    // Port 1 on loopback: refused at once, before any host key or login.
    const r = loadedPackages(['facts', '-H', 'nobody@127.0.0.1:1', '--connect-timeout', '5', '--json']);
    expect(r.status, r.stderr).toBe(4);
    expect(heavyIn(r.packages)).toEqual(['ssh2']);
  });
});

// Issue 15: ssh2's index evaluated its HTTP(S) agents (node:http, node:https, node:tls) and its
// server on every SSH run; the bundle defers them to first use (scripts/bundle.mjs, lazy-ssh2-extras).
describe('the bundled SSH transport', () => {
  it('loads without node:http, node:https or node:tls', () => {
    const chunk = Object.entries(bundled).find(([, f]) => f.packages.includes('ssh2'))?.[0];
    expect(chunk).toBeDefined();
    const script = `import(${JSON.stringify(join(bundleDir, chunk!))}).then((m) => {
      console.log(JSON.stringify({ exports: Object.keys(m), builtins: process.moduleLoadList.filter((x) => /^NativeModule (http|https|tls)$/.test(x)) }));
    });`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { exports: string[]; builtins: string[] };
    expect(out.exports).toContain('SshTransport');
    expect(out.builtins).toEqual([]);
  });
});

// Issue 15: yargs rendered the running command's help text before every handler (to keep it for a
// showHelp() dockhand never calls): measuring every line loaded the real string-width and wrap-ansi.
describe('the bundled command-line parser', () => {
  it('renders no help before a command runs, and --help and unknown flags still answer as before', () => {
    const chunk = Object.entries(bundled).find(([, f]) => f.packages.includes('yargs'))?.[0];
    const src = readFileSync(join(bundleDir, chunk!), 'utf8');
    expect(src).toContain('cacheHelpMessage');
    expect(src).not.toMatch(/getUsageInstance\(\)\.cacheHelpMessage\(\)/);
    const help = spawnSync(process.execPath, [cli, 'plan', '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^dockhand plan \[targets\.\.\]/);
    const bad = spawnSync(process.execPath, [cli, 'plan', '--bogus'], { encoding: 'utf8' });
    expect(bad.stderr).toContain('unknown option --bogus for `dockhand plan`');
  });
});
