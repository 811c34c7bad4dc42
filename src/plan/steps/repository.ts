/**
 * Steps 2–4 for source docker: prerequisites to fetch and verify the key, removal of conflicting
 * packages, and the repository itself (pinned signing key + source file), with legacy leftovers
 * that would make apt fail ("Conflicting values set for option Signed-By") removed.
 */
import { shJoin, shQuote } from '../../shell/quote.js';
import type { KeyFileFacts } from '../../facts/types.js';
import type { DockerRepo, PlanContext } from '../context.js';
import type { RepositoryFormat } from '../package-managers.js';
import { ensureDirLine, script, writeFileLines } from '../script.js';
import { change, ok, rootCommand, type StepResult } from './result.js';

import { APT_KEYRING, RPM_KEY, RPM_REPO } from '../../facts/probe.js';

export { APT_KEYRING, RPM_KEY, RPM_REPO };
const SOURCES_DIR = '/etc/apt/sources.list.d';
export const APT_SOURCES = `${SOURCES_DIR}/docker.sources`;

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
    ensureDirLine(dest.slice(0, dest.lastIndexOf('/'))),
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

/**
 * Why a signing key file must be (re)installed, or undefined when it holds exactly the expected key.
 * Not gathered (facts from an older probe) counts as a reason: re-fetching a verified key is harmless.
 */
export function keyFileProblem(key: KeyFileFacts | undefined, path: string, fingerprint: string): string | undefined {
  if (!key) return `${path} was not inspected`;
  if (!key.exists) return `${path} is missing`;
  if (!key.fingerprints) return `${path} is not a readable ASCII-armoured key`;
  if (key.fingerprints.length !== 1 || key.fingerprints[0] !== fingerprint) {
    return `${path} holds ${key.fingerprints.join(', ')}, not the expected key ${fingerprint}`;
  }
  return undefined;
}

/** `key=value` lines of an ini-style .repo file, per `[section]`. */
function repoSections(text: string): Map<string, Map<string, string>> {
  const sections = new Map<string, Map<string, string>>();
  let current: Map<string, string> | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const header = /^\[(.+)\]$/.exec(line);
    if (header) sections.set(header[1]!, (current = new Map()));
    else if (current && /^[^#;].*=/.test(line)) current.set(line.slice(0, line.indexOf('=')).trim(), line.slice(line.indexOf('=') + 1).trim());
  }
  return sections;
}

/**
 * The .repo file says what dockhand would write: every section and key of the wanted file with the
 * same value (baseurl, gpgkey, enabled, gpgcheck…). Keys added by hand (priority=…) are left alone.
 */
export function rpmRepoMatches(current: string, wanted: string): boolean {
  const have = repoSections(current);
  for (const [name, keys] of repoSections(wanted)) {
    const section = have.get(name);
    if (!section) return false;
    for (const [key, value] of keys) if (section.get(key) !== value) return false;
  }
  return true;
}

/** One way to configure Docker's repository, named by the package manager's repositoryFormat. */
interface FormatOps {
  /** Where the verified signing key goes, and lines run after it is installed. */
  keyPath: string;
  afterKeyInstall: string[];
  /** The source file and its wanted content. */
  source(ctx: PlanContext, repo: DockerRepo): { path: string; content: string };
  work(ctx: PlanContext, repo: DockerRepo): RepositoryWork | undefined;
}

const FORMATS: Record<RepositoryFormat, FormatOps> = {
  apt: {
    keyPath: APT_KEYRING,
    afterKeyInstall: [],
    source: (ctx, repo) => ({ path: APT_SOURCES, content: aptSourcesContent(repo, aptArchitecture(ctx)) }),
    work(ctx, repo) {
      const { facts } = ctx;
      const files = facts.aptSources?.files;
      const desired = aptSourcesContent(repo, aptArchitecture(ctx));
      const current = files?.find((f) => f.path === APT_SOURCES);
      const reasons: string[] = [];
      const writeSource = !(current?.exists && current.content?.trim() === desired.trim());
      if (writeSource) reasons.push(current?.exists ? `${APT_SOURCES} differs from the wanted source` : `${APT_SOURCES} is missing`);
      // The keyring's fingerprint is in the facts, so a source rewrite alone (another arch, a mirror
      // signing with the same key) does not re-fetch it; a missing or different key does.
      const keyProblem = keyFileProblem(facts.aptSources?.keyring, APT_KEYRING, repo.fingerprint);
      if (keyProblem) reasons.push(keyProblem);
      // Other files naming Docker's repository: whole files in sources.list.d are ours to remove;
      // a line in /etc/apt/sources.list is not (the file holds the distribution's own sources).
      const others = (files ?? []).filter((f) => f.exists && f.path !== APT_SOURCES && f.path !== APT_KEYRING).map((f) => f.path);
      const legacy = [...others.filter((p) => p.startsWith(`${SOURCES_DIR}/`)), ...(facts.aptSources?.legacyKeys ?? [])];
      const manual = others.filter((p) => !p.startsWith(`${SOURCES_DIR}/`));
      if (legacy.length) reasons.push(`legacy entries would conflict: ${legacy.join(', ')}`);
      if (reasons.length === 0 && manual.length === 0) return undefined;
      return { reasons, fetchKey: keyProblem !== undefined, writeSource, legacy, manual };
    },
  },
  rpm: {
    keyPath: RPM_KEY,
    afterKeyInstall: [`rpm --import ${shQuote(RPM_KEY)}`],
    source: (_ctx, repo) => ({ path: RPM_REPO, content: rpmRepoContent(repo) }),
    work(ctx, repo) {
      const { facts } = ctx;
      const file = facts.rpmRepo?.file;
      const writeSource = !(file?.content !== undefined && rpmRepoMatches(file.content, rpmRepoContent(repo)));
      const keyProblem = keyFileProblem(facts.rpmRepo?.key, RPM_KEY, repo.fingerprint);
      const reasons: string[] = [];
      if (writeSource) {
        reasons.push(!facts.rpmRepo ? `${RPM_REPO} was not inspected` : file?.exists ? `${RPM_REPO} differs from the wanted repository` : `${RPM_REPO} is missing`);
      }
      if (keyProblem) reasons.push(keyProblem);
      if (reasons.length === 0) return undefined;
      return { reasons, fetchKey: keyProblem !== undefined, writeSource, legacy: [], manual: [] };
    },
  },
};

function formatOf(ctx: PlanContext): FormatOps | undefined {
  return ctx.pm.repositoryFormat && FORMATS[ctx.pm.repositoryFormat];
}

/** What the repository step must do (undefined: nothing). Prerequisites depend on it too. */
export function repositoryWork(ctx: PlanContext): RepositoryWork | undefined {
  const format = formatOf(ctx);
  return ctx.repo && format ? format.work(ctx, ctx.repo) : undefined;
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
  const format = formatOf(ctx)!;
  const commands = [];
  if (work.fetchKey) {
    const dest = format.keyPath;
    commands.push(
      rootCommand(`download the signing key, verify fingerprint ${repo.fingerprint}, install ${dest}`, script(...fetchVerifiedKeyLines(repo, dest), ...format.afterKeyInstall)),
    );
  }
  if (work.writeSource) {
    const { path, content } = format.source(ctx, repo);
    commands.push(rootCommand(`write ${path}`, script(...writeFileLines(path, content))));
  }
  if (work.legacy.length) {
    commands.push(rootCommand(`remove legacy ${work.legacy.join(' ')}`, script(`rm -f ${shJoin(work.legacy)}`)));
  }
  return change(work.reasons.join('; '), commands, { notes: manualNotes });
}
