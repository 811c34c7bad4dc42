/**
 * Steps 2–4 for source docker: prerequisites to fetch and verify the key, removal of conflicting
 * packages, and the repository itself (pinned signing key + source file), with legacy leftovers
 * that would make apt fail ("Conflicting values set for option Signed-By") removed.
 */
import { shJoin, shQuote } from '../../shell/quote.js';
import type { DockerRepo, PlanContext } from '../context.js';
import { script, writeFileLines } from '../script.js';
import { change, ok, rootCommand, type StepResult } from './result.js';

export const APT_KEYRING = '/etc/apt/keyrings/docker.asc';
const SOURCES_DIR = '/etc/apt/sources.list.d';
export const APT_SOURCES = `${SOURCES_DIR}/docker.sources`;
export const RPM_KEY = '/etc/pki/rpm-gpg/docker-ce.asc';
export const RPM_REPO = '/etc/yum.repos.d/docker-ce.repo';

const DPKG_ARCH: Record<string, string> = { x86_64: 'amd64', aarch64: 'arm64', armv7l: 'armhf', armv6l: 'armhf', ppc64le: 'ppc64el', s390x: 's390x' };

export function aptArchitecture(ctx: PlanContext): string {
  return ctx.facts.arch.package ?? DPKG_ARCH[ctx.facts.arch.machine] ?? ctx.facts.arch.machine;
}

/** The deb822 source file, in the form Docker documents. */
export function aptSourcesContent(repo: DockerRepo, arch: string): string {
  return [
    'Types: deb',
    `URIs: ${repo.base}/${repo.path}`,
    `Suites: ${repo.suite}`,
    `Components: ${repo.channel}`,
    `Architectures: ${arch}`,
    `Signed-By: ${APT_KEYRING}`,
    '',
  ].join('\n');
}

/** The .repo file; the key is the verified local copy, so dnf never fetches an unchecked key. */
export function rpmRepoContent(repo: DockerRepo): string {
  const section = (channel: 'stable' | 'test') => [
    `[docker-ce-${channel}]`,
    `name=Docker CE ${channel === 'stable' ? 'Stable' : 'Test'} - $basearch`,
    `baseurl=${repo.base}/${repo.path}/${repo.suite}/$basearch/${channel}`,
    `enabled=${channel === 'stable' || repo.channel === 'test' ? 1 : 0}`,
    'gpgcheck=1',
    `gpgkey=file://${RPM_KEY}`,
  ];
  return [...section('stable'), '', ...section('test'), ''].join('\n');
}

export function keyUrl(repo: DockerRepo): string {
  return `${repo.base}/${repo.path}/gpg`;
}

/**
 * Download the key to a temp dir, check that its primary key fingerprint(s) are exactly the pinned
 * one (a file with an extra key is refused too), and only then install it. gpg runs with a throwaway
 * GNUPGHOME so nothing is imported into root's keyring.
 */
export function fetchVerifiedKeyLines(repo: DockerRepo, dest: string): string[] {
  const url = keyUrl(repo);
  return [
    'work=$(mktemp -d)',
    `trap 'rm -rf "$work"' EXIT`,
    `curl -fsSL --retry 3 -o "$work/key" ${shQuote(url)}`,
    'GNUPGHOME="$work/gnupg"; export GNUPGHOME',
    'mkdir -m 700 "$GNUPGHOME"',
    `found=$(gpg --batch --show-keys --with-colons "$work/key" | awk -F: '$1 == "pub" { p = 1; next } $1 == "fpr" && p { print $10 } { p = 0 }')`,
    `if [ "$found" != ${shQuote(repo.fingerprint)} ]; then`,
    `  echo ${shQuote(`refusing the key from ${url}: expected fingerprint ${repo.fingerprint}, got:`)} "\${found:-no key}" >&2`,
    `  echo 'a mirror that re-signs needs --key-fingerprint with its own key' >&2`,
    '  exit 1',
    'fi',
    `install -d -m 0755 ${shQuote(dest.slice(0, dest.lastIndexOf('/')))}`,
    `install -m 0644 "$work/key" ${shQuote(dest)}`,
  ];
}

interface RepositoryWork {
  reasons: string[];
  fetchKey: boolean;
  writeSource: boolean;
  legacy: string[];
  /** Files dockhand will not edit that also name Docker's repository. */
  manual: string[];
}

/** What the repository step must do (undefined: nothing). Prerequisites depend on it too. */
export function repositoryWork(ctx: PlanContext): RepositoryWork | undefined {
  const { repo, facts } = ctx;
  if (!repo) return undefined;
  if (ctx.pm.family === 'apt') {
    const files = facts.aptSources?.files;
    const desired = aptSourcesContent(repo, aptArchitecture(ctx));
    const current = files?.find((f) => f.path === APT_SOURCES);
    const keyring = files?.find((f) => f.path === APT_KEYRING);
    const reasons: string[] = [];
    const writeSource = !(current?.exists && current.content?.trim() === desired.trim());
    if (writeSource) reasons.push(current?.exists ? `${APT_SOURCES} differs from the wanted source` : `${APT_SOURCES} is missing`);
    // The keyring is re-fetched with a changed source (a mirror may sign with another key).
    const keyMissing = keyring ? !keyring.exists : files === undefined;
    if (keyMissing) reasons.push(`${APT_KEYRING} is missing`);
    // Other files naming Docker's repository: whole files in sources.list.d are ours to remove;
    // a line in /etc/apt/sources.list is not (the file holds the distribution's own sources).
    const others = (files ?? []).filter((f) => f.exists && f.path !== APT_SOURCES && f.path !== APT_KEYRING).map((f) => f.path);
    const legacy = [...others.filter((p) => p.startsWith(`${SOURCES_DIR}/`)), ...(facts.aptSources?.legacyKeys ?? [])];
    const manual = others.filter((p) => !p.startsWith(`${SOURCES_DIR}/`));
    if (legacy.length) reasons.push(`legacy entries would conflict: ${legacy.join(', ')}`);
    if (reasons.length === 0 && manual.length === 0) return undefined;
    return { reasons, fetchKey: writeSource || keyMissing, writeSource, legacy, manual };
  }
  if (ctx.pm.family === 'dnf') {
    // Facts carry no rpm repository files: an installed engine from this source means its repository
    // is in place; an explicit --mirror/--channel rewrites it.
    const installed = facts.packages[ctx.packages.engine] !== undefined;
    if (installed && !repo.explicit) return undefined;
    return {
      reasons: [installed ? 'rewrite for --mirror/--channel' : `${RPM_REPO} not set up (${ctx.packages.engine} not installed)`],
      fetchKey: true,
      writeSource: true,
      legacy: [],
      manual: [],
    };
  }
  return undefined;
}

export function prerequisites(ctx: PlanContext): StepResult {
  const params = ctx.step('prerequisites');
  const work = repositoryWork(ctx);
  if (!work?.fetchKey) return ok(ctx.repo ? 'no key to download' : `not needed with source ${ctx.source}`);
  const wanted = (params?.packages ?? []).filter((p) => ctx.facts.packages[p] === undefined);
  if (wanted.length === 0) return ok('all installed');
  return change(`needed to download and verify the Docker signing key: ${wanted.join(', ')}`, [
    rootCommand(`install ${wanted.join(' ')} (those not installed yet)`, script(...ctx.pm.env, ctx.pm.installMissing(wanted))),
  ]);
}

export function removeConflicts(ctx: PlanContext): StepResult {
  if (!ctx.dockerSource) return ok(`not needed with source ${ctx.source}`);
  const installed = ctx.dockerSource.conflicts.filter((p) => ctx.facts.packages[p] !== undefined);
  if (installed.length === 0) return ok('no conflicting package installed');
  return change(
    `conflicting packages installed: ${installed.join(', ')}`,
    [rootCommand(`remove ${installed.join(' ')}`, script(...ctx.pm.env, ctx.pm.remove(installed)))],
    { notes: [`removes ${installed.join(', ')} (images, containers and volumes in /var/lib/docker are kept)`] },
  );
}

export function repository(ctx: PlanContext): StepResult {
  const { repo } = ctx;
  const work = repositoryWork(ctx);
  if (!repo) return ok(`not needed with source ${ctx.source}`);
  const configured = `${repo.base}/${repo.path} ${repo.suite} ${repo.channel} configured`;
  const manualNotes = (work?.manual ?? []).map((p) => `${p} also names Docker's repository: remove that line by hand if apt reports conflicting Signed-By values`);
  if (!work || (work.reasons.length === 0)) return ok(configured, manualNotes);
  const apt = ctx.pm.family === 'apt';
  const commands = [];
  if (work.fetchKey) {
    const dest = apt ? APT_KEYRING : RPM_KEY;
    commands.push(
      rootCommand(
        `download the signing key, verify fingerprint ${repo.fingerprint}, install ${dest}`,
        script(...fetchVerifiedKeyLines(repo, dest), !apt && `rpm --import ${shQuote(dest)}`),
      ),
    );
  }
  if (work.writeSource) {
    const [path, content] = apt ? [APT_SOURCES, aptSourcesContent(repo, aptArchitecture(ctx))] : [RPM_REPO, rpmRepoContent(repo)];
    commands.push(rootCommand(`write ${path}`, script(...writeFileLines(path, content))));
  }
  if (work.legacy.length) {
    commands.push(rootCommand(`remove legacy ${work.legacy.join(' ')}`, script(`rm -f ${shJoin(work.legacy)}`)));
  }
  return change(work.reasons.join('; '), commands, { notes: manualNotes });
}
