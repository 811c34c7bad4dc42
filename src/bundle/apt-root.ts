/**
 * apt on this machine pointed at a throwaway root: its own sources, lists, cache and dpkg status, so
 * it resolves and downloads for another release and architecture without touching this machine's
 * apt. The status file is the target release's base system (its required and Essential packages with
 * their dependencies, which every installation of the release has), so the download is the Docker packages plus exactly the
 * dependencies a host of that release may lack. apt checks each repository's InRelease signature
 * with the key named in its source, and each package against the signed index.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DockhandError, ExitCode, lastLines } from '../core/errors.js';

const run = promisify(execFile);

export interface AptSource {
  url: string;
  suite: string;
  component: string;
  /** Keyring file the repository's signature is checked with. */
  keyring: string;
}

export interface AptRoot {
  dir: string;
  /** apt-get/apt-cache with the root's options. */
  aptGet(args: string[]): Promise<string>;
  aptCache(args: string[]): Promise<string>;
  /** Stanzas of every Packages index apt fetched. */
  indexes(): Array<Record<string, string>>;
  archives: string;
}

/** Control-file stanzas (RFC 822-like; continuation lines kept with their field). */
export function parseStanzas(text: string): Array<Record<string, string>> {
  const out: Array<Record<string, string>> = [];
  let cur: Record<string, string> = {};
  let last: string | undefined;
  for (const line of text.split('\n')) {
    if (line === '') {
      if (Object.keys(cur).length) out.push(cur);
      cur = {};
      last = undefined;
    } else if (/^\s/.test(line) && last) cur[last] += `\n${line}`;
    else {
      const m = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(line);
      if (m) cur[(last = m[1]!)] = m[2]!;
    }
  }
  if (Object.keys(cur).length) out.push(cur);
  return out;
}

/**
 * The dpkg status of a base system: the index's Priority: required and Essential packages and what
 * they depend on (Depends and Pre-Depends, first alternative, through Provides), installed — what
 * debootstrap's minbase gives, and so what every installation of the release has.
 */
export function baseStatus(stanzas: ReadonlyArray<Record<string, string>>): string {
  const byName = new Map<string, Record<string, string>>();
  const provided = new Map<string, string>();
  for (const s of stanzas) {
    if (!s.Package || byName.has(s.Package)) continue;
    byName.set(s.Package, s);
    for (const p of (s.Provides ?? '').split(',')) {
      const name = p.trim().split(/[\s(]/)[0];
      if (name && !provided.has(name)) provided.set(name, s.Package);
    }
  }
  const resolve = (alt: string) => {
    const name = alt.trim().split(/[\s(]/)[0]!.replace(/:any$/, '');
    return byName.has(name) ? name : provided.get(name);
  };
  const base = new Set<string>();
  const queue = [...byName.values()].filter((s) => s.Priority === 'required' || s.Essential === 'yes').map((s) => s.Package!);
  while (queue.length) {
    const name = queue.pop()!;
    if (base.has(name)) continue;
    base.add(name);
    const s = byName.get(name)!;
    for (const rel of [s.Depends, s['Pre-Depends']].filter(Boolean).join(',').split(',')) {
      if (!rel.trim()) continue;
      const dep = rel.split('|').map(resolve).find((n) => n !== undefined);
      if (dep && !base.has(dep)) queue.push(dep);
    }
  }
  const keep = ['Version', 'Architecture', 'Multi-Arch', 'Essential', 'Provides', 'Depends', 'Pre-Depends'];
  return (
    [...base]
      .map((name) => byName.get(name)!)
      .map((s) => [`Package: ${s.Package}`, 'Status: install ok installed', ...keep.filter((k) => s[k] !== undefined).map((k) => `${k}: ${s[k]}`)].join('\n'))
      .join('\n\n') + '\n'
  );
}

export function makeAptRoot(dir: string, arch: string, sources: readonly AptSource[]): AptRoot {
  for (const d of ['etc/apt/apt.conf.d', 'etc/apt/preferences.d', 'etc/apt/sources.list.d', 'etc/apt/trusted.gpg.d', 'var/lib/apt/lists/partial', 'var/cache/apt/archives/partial', 'var/lib/dpkg']) {
    mkdirSync(join(dir, d), { recursive: true });
  }
  writeFileSync(join(dir, 'var/lib/dpkg/status'), '');
  writeFileSync(
    join(dir, 'etc/apt/sources.list'),
    sources.map((s) => `deb [arch=${arch} signed-by=${s.keyring}] ${s.url} ${s.suite} ${s.component}`).join('\n') + '\n',
  );
  const opts = [
    '-o', `Dir=${dir}`,
    '-o', `Dir::State::status=${join(dir, 'var/lib/dpkg/status')}`,
    '-o', `APT::Architecture=${arch}`,
    '-o', `APT::Architectures=${arch}`,
    '-o', 'APT::Install-Recommends=false',
    '-o', 'Acquire::Languages=none',
    // The indexes are read back as plain files (this machine's apt.conf may say to keep them compressed).
    '-o', 'Acquire::GzipIndexes=false',
    '-o', 'Debug::NoLocking=1',
    // Only the keys named per source: nothing this machine trusts for its own apt.
    '-o', 'Dir::Etc::trusted=/nonexistent', '-o', 'Dir::Etc::trustedparts=/nonexistent',
  ];
  const lists = join(dir, 'var/lib/apt/lists');
  const tool = async (cmd: string, args: string[]) => {
    try {
      return (await run(cmd, [...opts, ...args], { maxBuffer: 64 * 1024 * 1024, env: { ...process.env, LC_ALL: 'C' } })).stdout;
    } catch (err) {
      // apt says what went wrong at the end of its output (unmet dependencies, a bad signature).
      const e = err as { stdout?: string; stderr?: string; code?: number };
      const said = lastLines(`${e.stdout ?? ''}\n${e.stderr ?? ''}`, 15);
      throw new DockhandError(`${cmd} ${args.join(' ')} (for the bundle) failed${e.code === undefined ? '' : ` with exit ${e.code}`}:\n${said}`, { exitCode: ExitCode.hostFailed });
    }
  };
  return {
    dir,
    archives: join(dir, 'var/cache/apt/archives'),
    aptGet: (args) => tool('apt-get', ['-q', ...args]),
    aptCache: (args) => tool('apt-cache', args),
    indexes: () =>
      readdirSync(lists)
        .filter((f) => f.endsWith('_Packages'))
        .flatMap((f) => parseStanzas(readFileSync(join(lists, f), 'utf8'))),
  };
}
