/**
 * A stand-in for Docker's apt repository, built at test time and served to the test hosts over HTTP:
 * a throwaway GPG key (generated in a temp GNUPGHOME), packages named like Docker's, a Packages index,
 * a Release file signed into InRelease, laid out as `<base>/linux/debian/dists/<suite>/stable/…` with
 * the armored public key at `<base>/linux/debian/gpg`, exactly where dockhand looks with --mirror.
 *
 * The hosts reach only the Debian mirror and this machine, so the Docker packages are made from
 * Debian's own: docker.io becomes docker-ce, containerd + runc become containerd.io (providing and
 * replacing both, as Docker's does), the CLI and plugins are empty packages. The installed daemon is
 * real, and nothing named like a conflicting Debian package ends up installed.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, normalize, resolve, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import { runOk } from './hosts/proc.js';

export const REPO_PATH = 'linux/debian';
export const COMPONENT = 'stable';

export interface SigningKey {
  /** 40 hex digits, upper case */
  fingerprint: string;
  armoredPublicKey: string;
  /** writes the public key in binary form (what `gpg --dearmor` makes: old-style keyrings) */
  exportBinary(out: string): Promise<void>;
  /** signs `file` into `out` (clear-signed), with this key only */
  clearsign(file: string, out: string): Promise<void>;
  remove(): void;
}

/** A fresh ed25519 signing key in its own GNUPGHOME (nothing touches root's keyring). */
export async function generateSigningKey(): Promise<SigningKey> {
  const home = mkdtempSync(join(tmpdir(), 'dockhand-gnupg-'));
  const env = { ...process.env, GNUPGHOME: home };
  const gpg = (args: string[]) => runOk('gpg', ['--batch', '--quiet', ...args], { env });
  await gpg(['--passphrase', '', '--quick-gen-key', 'dockhand test repository <repo@dockhand.invalid>', 'ed25519', 'sign', 'never']);
  const colons = await gpg(['--with-colons', '--list-keys']);
  const fingerprint = colons.split('\n').find((l) => l.startsWith('fpr:'))?.split(':')[9];
  if (!fingerprint) throw new Error(`gpg made no key:\n${colons}`);
  const armoredPublicKey = await gpg(['--armor', '--export', fingerprint]);
  return {
    fingerprint,
    armoredPublicKey,
    exportBinary: async (out) => {
      await gpg(['--yes', '--output', out, '--export', fingerprint]);
    },
    clearsign: async (file, out) => {
      await gpg(['--yes', '--local-user', fingerprint, '--digest-algo', 'SHA256', '--output', out, '--clearsign', file]);
    },
    remove: () => rmSync(home, { recursive: true, force: true }),
  };
}

export interface DebSpec {
  /** DEBIAN/control fields, in order */
  control: Record<string, string>;
}

/** Builds an empty package (control file only) into `outDir`; returns the .deb path. */
export async function buildEmptyDeb(outDir: string, spec: DebSpec): Promise<string> {
  const tree = mkdtempSync(join(tmpdir(), 'dockhand-deb-'));
  try {
    mkdirSync(join(tree, 'DEBIAN'));
    writeFileSync(join(tree, 'DEBIAN', 'control'), renderControl(spec.control));
    return await buildDeb(tree, outDir, spec.control);
  } finally {
    rmSync(tree, { recursive: true, force: true });
  }
}

async function buildDeb(tree: string, outDir: string, control: Record<string, string>): Promise<string> {
  const out = join(outDir, `${control.Package}_${stripEpoch(control.Version!)}_${control.Architecture}.deb`);
  // gzip at level 1: these are rebuilt on every run; xz would cost tens of seconds for docker.io.
  await runOk('dpkg-deb', ['--root-owner-group', '-Zgzip', '-z1', '--build', tree, out]);
  return out;
}

const stripEpoch = (version: string) => version.replace(/^\d+:/, '');

export function renderControl(fields: Record<string, string>): string {
  return `${Object.entries(fields)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n')}\n`;
}

/** Parses a control file (one stanza; continuation lines kept with their field). */
export function parseControl(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  let last: string | undefined;
  for (const line of text.split('\n')) {
    if (/^\s/.test(line) && last) fields[last] += `\n${line}`;
    else {
      const m = line.match(/^([A-Za-z0-9-]+):\s*(.*)$/);
      if (m) fields[(last = m[1]!)] = m[2]!;
    }
  }
  return fields;
}

/** Debian's package → the Docker package that takes its place (runc is part of containerd.io). */
export const DOCKER_NAME_FOR: Readonly<Record<string, string>> = {
  'docker.io': 'docker-ce',
  'docker-cli': 'docker-ce-cli',
  containerd: 'containerd.io',
  runc: 'containerd.io',
};

/**
 * A Depends-like list with Debian's names replaced by Docker's (their version constraints dropped:
 * the versions differ), duplicates and relations on the package itself removed.
 */
export function renameRelations(list: string, self: string): string {
  const relations = list
    .split(',')
    .map((relation) =>
      relation
        .split('|')
        .map((alt) => {
          const name = alt.trim().split(/[\s(:]/)[0]!;
          return DOCKER_NAME_FOR[name] ?? alt.trim();
        })
        .join(' | '),
    )
    .filter((r) => r !== '' && r !== self);
  return [...new Set(relations)].join(', ');
}

/**
 * Rebuilds Debian's docker.io, docker-cli (when the suite has it), containerd and runc (.deb files in
 * `debianDebs`) under Docker's names; docker-ce-cli (when there is no docker-cli) and the plugins are
 * empty packages. Returns the .deb paths in `outDir`.
 * `engineVersion` gives docker-ce and docker-ce-cli that version (two builds: two versions to move
 * between). As Docker's docker-ce does (and Debian's docker.io does not), an upgrade restarts the daemon.
 */
export async function dockerLikeDebs(debianDebs: string, outDir: string, opts: { engineVersion?: string } = {}): Promise<string[]> {
  const versioned = opts.engineVersion ? { Version: opts.engineVersion } : {};
  const find = (name: string) => readdirSync(debianDebs).find((f) => f.startsWith(`${name}_`) && f.endsWith('.deb'));
  const path = (name: string) => {
    const file = find(name);
    if (!file) throw new Error(`no ${name}_*.deb in ${debianDebs}`);
    return join(debianDebs, file);
  };
  mkdirSync(outDir, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'dockhand-repack-'));
  try {
    /** `from` rebuilt as its Docker name, with the files of `merged` packages added. */
    const renamed = async (from: string, merged: string[] = [], extra: Record<string, string> = {}): Promise<string> => {
      const to = DOCKER_NAME_FOR[from]!;
      const tree = join(work, to);
      await runOk('dpkg-deb', ['--raw-extract', path(from), tree]);
      for (const m of merged) await runOk('dpkg-deb', ['--extract', path(m), tree]);
      // The md5sums of a merged package would be incomplete; dpkg does not need them.
      rmSync(join(tree, 'DEBIAN', 'md5sums'), { force: true });
      const control = parseControl(readFileSync(join(tree, 'DEBIAN', 'control'), 'utf8'));
      // Relations naming Debian's packages would be wrong for the renamed one; `extra` sets its own.
      for (const k of ['Breaks', 'Conflicts', 'Replaces', 'Provides', 'Source', 'Built-Using', 'Installed-Size']) delete control[k];
      control.Package = to;
      if (control.Depends !== undefined) control.Depends = renameRelations(control.Depends, to);
      Object.assign(control, extra);
      writeFileSync(join(tree, 'DEBIAN', 'control'), renderControl(control));
      const postinst = join(tree, 'DEBIAN', 'postinst');
      if (to === 'docker-ce' && existsSync(postinst)) {
        // "$2" is the version upgraded from: empty on a fresh install (start), else restart.
        const text = readFileSync(postinst, 'utf8').replace(
          /deb-systemd-invoke start 'docker\.service'/,
          `deb-systemd-invoke "$(if [ -n "$2" ]; then echo restart; else echo start; fi)" 'docker.service'`,
        );
        writeFileSync(postinst, text, { mode: 0o755 });
      }
      return buildDeb(tree, outDir, control);
    };
    const replaced = 'containerd, runc';
    const built = [
      await renamed('containerd', ['runc'], { Provides: replaced, Conflicts: replaced, Replaces: replaced }),
      await renamed('docker.io', [], versioned),
    ];
    const emptyOnes = ['docker-buildx-plugin', 'docker-compose-plugin'];
    if (find('docker-cli')) built.push(await renamed('docker-cli', [], versioned));
    else emptyOnes.push('docker-ce-cli');
    for (const name of emptyOnes) {
      built.push(
        await buildEmptyDeb(outDir, {
          control: {
            Package: name,
            Version: name === 'docker-ce-cli' && opts.engineVersion ? opts.engineVersion : '0.1-dockhand1',
            Architecture: 'all',
            Maintainer: 'dockhand tests <tests@dockhand.invalid>',
            Description: `empty stand-in for ${name}`,
          },
        }),
      );
    }
    return built;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export interface AptRepo {
  /** directory holding `linux/debian/…`; serve it as the --mirror base */
  root: string;
  fingerprint: string;
}

/**
 * Writes the repository tree for `suite` (pool, Packages(.gz), Release, InRelease, gpg) under `root`;
 * call it once per suite with the same root and key.
 * Packages of architecture `all` are listed in the `arch` index, as dpkg-scanpackages does.
 */
export async function writeAptRepo(root: string, suite: string, arch: string, debs: readonly string[], key: SigningKey): Promise<AptRepo> {
  const base = join(root, REPO_PATH);
  // A pool per suite: packages of the same name and version differ between suites' builds.
  const pool = join(base, 'pool', suite, COMPONENT);
  const indexDir = join(base, 'dists', suite, COMPONENT, `binary-${arch}`);
  mkdirSync(pool, { recursive: true });
  mkdirSync(indexDir, { recursive: true });
  const stanzas: string[] = [];
  for (const deb of debs) {
    const name = deb.slice(deb.lastIndexOf('/') + 1);
    const target = join(pool, name);
    writeFileSync(target, readFileSync(deb));
    const control = parseControl(await runOk('dpkg-deb', ['--field', target]));
    const bytes = readFileSync(target);
    stanzas.push(
      renderControl({
        ...control,
        Filename: `pool/${suite}/${COMPONENT}/${name}`,
        Size: String(bytes.length),
        MD5sum: createHash('md5').update(bytes).digest('hex'),
        SHA256: createHash('sha256').update(bytes).digest('hex'),
      }),
    );
  }
  const packages = Buffer.from(stanzas.join('\n'));
  writeFileSync(join(indexDir, 'Packages'), packages);
  writeFileSync(join(indexDir, 'Packages.gz'), gzipSync(packages));

  const indexFiles = ['Packages', 'Packages.gz'].map((f) => {
    const bytes = readFileSync(join(indexDir, f));
    return { rel: `${COMPONENT}/binary-${arch}/${f}`, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
  });
  const release = [
    'Origin: dockhand-test',
    'Label: dockhand-test',
    `Suite: ${suite}`,
    `Codename: ${suite}`,
    `Date: ${new Date().toUTCString()}`,
    `Architectures: ${arch}`,
    `Components: ${COMPONENT}`,
    'SHA256:',
    ...indexFiles.map((f) => ` ${f.sha256} ${String(f.size).padStart(10)} ${f.rel}`),
    '',
  ].join('\n');
  const dists = join(base, 'dists', suite);
  writeFileSync(join(dists, 'Release'), release);
  await key.clearsign(join(dists, 'Release'), join(dists, 'InRelease'));
  writeFileSync(join(base, 'gpg'), key.armoredPublicKey);
  return { root, fingerprint: key.fingerprint };
}

export interface StaticServer {
  /** http://address:port */
  url: string;
  /** request paths seen, in order (to assert the hosts really fetched from here) */
  requests: string[];
  close(): Promise<void>;
}

/** Serves `root` read-only over HTTP on `address` (e.g. the test bridge's gateway), any free port. */
export function serveDirectory(root: string, address: string): Promise<StaticServer> {
  const top = resolve(root);
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    requests.push(path);
    const file = normalize(join(top, path));
    if (!file.startsWith(top + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-length': statSync(file).size, 'content-type': 'application/octet-stream' });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(0, address, () => {
      const { port } = server.address() as AddressInfo;
      resolvePromise({
        url: `http://${address}:${port}`,
        requests,
        close: () => new Promise((r) => server.close(() => r())),
      });
    });
  });
}
