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
import { allOf, type HostTask, type Target } from './task.js';

import { APT_KEYRING, RPM_KEY, RPM_REPO } from '../../facts/probe.js';

export { APT_KEYRING, RPM_KEY, RPM_REPO };
const SOURCES_DIR = '/etc/apt/sources.list.d';
export const APT_SOURCES = `${SOURCES_DIR}/docker.sources`;

const DPKG_ARCH: Record<string, string> = { x86_64: 'amd64', aarch64: 'arm64', armv7l: 'armhf', armv6l: 'armhf', ppc64le: 'ppc64el', s390x: 's390x' };

export function aptArchitecture(ctx: Pick<PlanContext, 'arch'>): string {
  return ctx.arch.package ?? DPKG_ARCH[ctx.arch.machine] ?? ctx.arch.machine;
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

/** awk over `gpg --with-colons`: the fingerprint of each primary key, one a line. */
const PRIMARY_FPR_AWK = `awk -F: '$1 == "pub" { p = 1; next } $1 == "fpr" && p { print $10 } { p = 0 }'`;

/**
 * Shell twin of keyFileProblem() === undefined: `path` is an ASCII-armoured key file holding exactly
 * the one primary key `fingerprint` (gpg in a throwaway GNUPGHOME; without gpg the test fails, and the
 * prerequisites install it).
 */
export function keyFileHoldsShell(path: string, fingerprint: string): string {
  const f = shQuote(path);
  return [
    `grep -q 'BEGIN PGP PUBLIC KEY BLOCK' ${f} 2>/dev/null && command -v gpg >/dev/null 2>&1`,
    `g=$(mktemp -d) && found=$(GNUPGHOME="$g" gpg --batch --show-keys --with-colons ${f} 2>/dev/null | ${PRIMARY_FPR_AWK}); rm -rf "$g"; [ "$found" = ${shQuote(fingerprint)} ]`,
  ].join(' && ');
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
    `found=$(gpg --batch --show-keys --with-colons "$work/key" | ${PRIMARY_FPR_AWK})`,
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

/** Shell twin of rpmRepoMatches(): every section and key of `wanted` has the same value in `path`. */
function rpmRepoMatchesShell(path: string, wanted: string): string {
  const pairs: string[] = [];
  for (const [name, keys] of repoSections(wanted)) for (const [k, v] of keys) pairs.push(`${name}\t${k}\t${v}`);
  return (
    `[ -r ${shQuote(path)} ] && awk -v want=${shQuote(pairs.join('\n'))} '` +
    'function trim(x) { gsub(/^[ \t]+|[ \t]+$/, "", x); return x } ' +
    '{ line = trim($0) } line ~ /^\[.+\]$/ { sec = substr(line, 2, length(line) - 2); next } ' +
    'line ~ /^[^#;].*=/ { i = index(line, "="); have[sec "\t" trim(substr(line, 1, i - 1))] = trim(substr(line, i + 1)) } ' +
    'END { n = split(want, w, "\n"); for (j = 1; j <= n; j++) { split(w[j], f, "\t"); if (have[f[1] "\t" f[2]] != f[3]) exit 1 } }' +
    `' ${shQuote(path)}`
  );
}

/** Files besides docker.sources that name Docker's apt repository (the probe's rule): loop body `$f`. */
const APT_LEGACY_LOOP = (onLegacy: string) =>
  [
    `for f in ${SOURCES_DIR}/*; do`,
    `  [ -f "$f" ] && [ "$f" != ${APT_SOURCES} ] || continue`,
    `  case "\${f##*/}" in docker.list|download_docker_com_linux_*) ${onLegacy}; continue ;; esac`,
    `  case "$(cat "$f" 2>/dev/null)" in *linux/ubuntu*|*linux/debian*|*linux/raspbian*) ${onLegacy} ;; esac`,
    'done',
    `for f in /etc/apt/trusted.gpg.d/docker*; do if [ -e "$f" ]; then ${onLegacy}; fi; done`,
  ];

/** One way to configure Docker's repository, named by the package manager's repositoryFormat. */
interface FormatOps {
  /** Where the verified signing key goes, and lines run after it is installed. */
  keyPath: string;
  afterKeyInstall: string[];
  /** The source file and its wanted content. */
  source(ctx: Target, repo: DockerRepo): { path: string; content: string };
  /** Shell: the source file says what dockhand would write (the twin of work()'s writeSource). */
  sourceHolds(path: string, content: string): string;
  /** Legacy files that would conflict, found and removed on the host; undefined: this format has none. */
  legacyLoop?: typeof APT_LEGACY_LOOP;
  work(ctx: PlanContext, repo: DockerRepo): RepositoryWork | undefined;
}

const FORMATS: Record<RepositoryFormat, FormatOps> = {
  apt: {
    keyPath: APT_KEYRING,
    afterKeyInstall: [],
    source: (ctx, repo) => ({ path: APT_SOURCES, content: aptSourcesContent(repo, aptArchitecture(ctx)) }),
    // The plan compares trimmed text; $(cat) drops the trailing newlines.
    sourceHolds: (path, content) => `[ "$(cat ${shQuote(path)} 2>/dev/null)" = ${shQuote(content.trim())} ]`,
    legacyLoop: APT_LEGACY_LOOP,
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
    sourceHolds: rpmRepoMatchesShell,
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

function formatOf(ctx: Target): FormatOps | undefined {
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

/** The facts-side answers of the repository step, computed as decide() does. */
function workFromFacts(ctx: Target, facts: PlanContext['facts']): RepositoryWork | undefined {
  return repositoryWork({ ...ctx, facts });
}

export function prerequisitesTasks(ctx: Target): HostTask[] {
  const format = formatOf(ctx);
  const wanted = ctx.step('prerequisites')?.packages ?? [];
  if (!ctx.repo || !format || wanted.length === 0) return [];
  return [
    {
      summary: `install ${wanted.join(' ')} (those not installed yet)`,
      test: {
        what: `signing key ${format.keyPath} in place, or ${wanted.join(' ')} installed to fetch it`,
        shell: `{ ${keyFileHoldsShell(format.keyPath, ctx.repo.fingerprint)}; } || { ${allOf(wanted.map((p) => ctx.pm.isInstalled(p)))}; }`,
        holds: (facts) => !workFromFacts(ctx, facts)?.fetchKey || wanted.every((p) => facts.packages[p] !== undefined),
      },
      action: [...ctx.pm.env, ctx.pm.installMissing(wanted)],
    },
  ];
}

export function removeConflictsTasks(ctx: Target): HostTask[] {
  // One package at a time, as Docker's own instructions do: a package that is not there is skipped.
  return (ctx.dockerSource?.conflicts ?? []).map((p) => ({
    summary: `remove ${p} (images, containers and volumes in /var/lib/docker are kept)`,
    test: { what: `${p} not installed`, shell: `! { ${ctx.pm.isInstalled(p)}; }`, holds: (facts) => facts.packages[p] === undefined },
    action: [...ctx.pm.env, ctx.pm.remove([p])],
  }));
}

export function repositoryTasks(ctx: Target): HostTask[] {
  const { repo } = ctx;
  const format = formatOf(ctx);
  if (!repo || !format) return [];
  const { path, content } = format.source(ctx, repo);
  const tasks: HostTask[] = [
    {
      summary: `download the signing key, verify fingerprint ${repo.fingerprint}, install ${format.keyPath}`,
      test: {
        what: `${format.keyPath} holds exactly the key ${repo.fingerprint}`,
        shell: keyFileHoldsShell(format.keyPath, repo.fingerprint),
        holds: (facts) => !workFromFacts(ctx, facts)?.fetchKey,
      },
      action: [...fetchVerifiedKeyLines(repo, format.keyPath), ...format.afterKeyInstall],
    },
    {
      summary: `write ${path}`,
      test: { what: `${path} is the wanted source`, shell: format.sourceHolds(path, content), holds: (facts) => !workFromFacts(ctx, facts)?.writeSource },
      action: writeFileLines(path, content),
    },
  ];
  if (format.legacyLoop) {
    tasks.push({
      summary: 'remove legacy Docker source and key files that would conflict',
      test: {
        what: 'no legacy Docker source or key file',
        shell: format.legacyLoop('exit 1').join('\n'),
        holds: (facts) => (workFromFacts(ctx, facts)?.legacy.length ?? 0) === 0,
      },
      action: format.legacyLoop('echo "removing $f"; rm -f -- "$f"'),
    });
  }
  return tasks;
}
