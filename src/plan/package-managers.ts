/**
 * The generic step implementations' view of a package manager: one object per tool, chosen from the
 * host's facts (or the playbook when the facts could not tell). Everything distro-specific is data
 * in the playbook; everything tool-specific is here, as operations and capabilities (pinning, the
 * repository format, group tools) — steps ask for a capability, never for a tool or family by name.
 */
import type { Facts } from '../facts/types.js';
import type { PackageTool } from '../playbook/schema.js';
import { sh, shJoin, shQuote } from '../shell/quote.js';
import { pollUntilLines } from './script.js';

export type Family = 'apt' | 'dnf' | 'zypper' | 'pacman' | 'apk';

/** Installing an exact version of Docker and holding it there (apt, dnf). */
export interface VersionPinning {
  /**
   * Lines that resolve a user's version (`27.5`) of `pkg` to the exact repository version into the
   * shell variable $version, failing with the available versions when there is none.
   */
  resolveVersion(pkg: string, wanted: string): string[];
  /** The install argument for `pkg` at the resolved $version. */
  pinnedSpec(pkg: string): string;
  /** Install flags that let the pinned install move a held package, up or down. */
  installFlags: readonly string[];
  /** Lines run before the pinned install that release an earlier hold (none when installFlags override it). */
  release(packages: readonly string[]): string[];
  /** Lines that hold packages at their installed version. */
  hold(packages: readonly string[]): string[];
}

/** How Docker's own repository is configured: a deb822 source + keyring, or a .repo file + rpm key. */
export type RepositoryFormat = 'apt' | 'rpm';

export interface PackageManagerOps {
  tool: PackageTool;
  /** Environment lines every script using this tool starts with (sudo resets the environment). */
  env: string[];
  /** Refresh the package lists before installing (apt, apk); undefined when install refreshes itself. */
  refresh?: string;
  /** `flags` go before the package names (already shell words). */
  install(packages: readonly string[], flags?: readonly string[]): string;
  remove(packages: readonly string[]): string;
  /** Install only those not installed yet (decided on the host: curl may come as curl-minimal). */
  installMissing(packages: readonly string[]): string;
  /** Present where Docker's repository offers exact versions to pin. */
  pinning?: VersionPinning;
  /** Present where Docker publishes a repository for this tool. */
  repositoryFormat?: RepositoryFormat;
  /** Shell condition (no output): `pkg` is installed — what the facts probe reports as installed. */
  isInstalled(pkg: string): string;
  /** Shell expression printing the installed version of `pkg` as the facts report it (empty when not installed). */
  installedVersion(pkg: string): string;
  /**
   * An interrupted run leaves the package database half-done and blocks every install until it is
   * finished (dpkg): the shell test that none is pending, and the lines that finish it.
   */
  interruptedRun?: { noneShell: string; finish: string[] };
  /** Group tools of the distributions using this tool: shadow's groupadd/usermod, or busybox's addgroup. */
  createSystemGroup(group: string): string;
  addToGroup(user: string, group: string): string;
}

/** shadow-utils (groupadd, usermod): every distribution here but Alpine. */
const SHADOW_GROUPS = {
  createSystemGroup: (g: string) => `groupadd --system ${shQuote(g)}`,
  addToGroup: (u: string, g: string) => `usermod -aG ${shQuote(g)} ${shQuote(u)}`,
};
/** rpm's database (dnf, yum, zypper), in the probe's %{EPOCH}:%{VERSION}-%{RELEASE} form. */
const RPM_QUERY = {
  isInstalled: (p: string) => `rpm -q ${shQuote(p)} >/dev/null 2>&1`,
  installedVersion: (p: string) => `rpm -q --qf '%{EPOCH}:%{VERSION}-%{RELEASE}' ${shQuote(p)} 2>/dev/null`,
};

/** busybox (Alpine): addgroup does both. */
const BUSYBOX_GROUPS = {
  createSystemGroup: (g: string) => `addgroup -S ${shQuote(g)}`,
  addToGroup: (u: string, g: string) => `addgroup ${shQuote(u)} ${shQuote(g)}`,
};

/**
 * The release a Docker package version was built for, by repository format: `…~debian.12~bookworm`
 * (the apt suite), `….el9` / `….fc42` (the rpm release directory is the number).
 */
export const BUILT_FOR: ReadonlyArray<{ format: RepositoryFormat; pattern: RegExp; suite(m: RegExpExecArray): string; label(m: RegExpExecArray): string }> = [
  { format: 'apt', pattern: /~(?:debian|ubuntu|raspbian)\.[0-9.]+~([a-z]+)$/, suite: (m) => m[1]!, label: (m) => m[1]! },
  { format: 'rpm', pattern: /\.(?:el|fc)(\d+)$/, suite: (m) => m[1]!, label: (m) => m[0].slice(1) },
];

export function familyOf(tool: PackageTool): Family {
  return tool === 'dnf5' || tool === 'dnf4' || tool === 'yum' ? 'dnf' : tool;
}

/**
 * The host's own package manager when the facts name one of the playbook's family (dnf4 vs dnf5 vs
 * yum differ by release), else what the playbook declares.
 */
export function chooseTool(facts: Facts, declared: PackageTool): PackageTool {
  const detected = facts.packageManager;
  if (detected !== 'unknown' && familyOf(detected) === familyOf(declared)) return detected;
  return declared;
}

/**
 * awk filter printing the repository versions that are $want exactly (an exact version with its epoch,
 * as apt pins take it) or whose upstream part starts with $want (`28.1`: epoch ignored).
 */
const AWK_VERSION_MATCH =
  'u = v; sub(/^[0-9]+:/, "", u); if (v == want || u == want || index(u, want ".") == 1 || index(u, want "-") == 1 || index(u, want "~") == 1) print v';

function apt(lockTimeoutSeconds: number): PackageManagerOps {
  const aptGet = [
    'apt-get',
    '-o',
    `DPkg::Lock::Timeout=${lockTimeoutSeconds}`,
    '-o',
    'Dpkg::Options::=--force-confdef',
    '-o',
    'Dpkg::Options::=--force-confold',
  ];
  const aptGetCmd = shJoin(aptGet);
  // DPkg::Lock::Timeout makes install wait for dpkg's lock, but `apt-get update` does not wait for
  // the package lists' lock (apt 2.6 and 3.0 fail at once): apt-daily starting between the facts and
  // this step would fail the run. Retry while, and only while, the failure is that lock.
  const refresh = [
    'apt_update() {',
    `  if out=$(LC_ALL=C ${aptGetCmd} update 2>&1); then printf '%s\\n' "$out"; return 0; fi`,
    `  case $out in *'Could not get lock'*) return 1 ;; esac`,
    `  printf '%s\\n' "$out" >&2; exit 1`,
    '}',
    ...pollUntilLines({
      condition: 'apt_update',
      timeoutSeconds: lockTimeoutSeconds,
      waitingFor: 'another package manager to release the package lists',
      onTimeout: `printf '%s\\n' "$out" >&2; exit 1`,
    }),
  ].join('\n');
  return {
    tool: 'apt',
    env: ['export DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1'],
    refresh,
    install: (pkgs, flags = []) => [aptGetCmd, 'install', '-y', ...flags, shJoin(pkgs)].filter(Boolean).join(' '),
    remove: (pkgs) => `${aptGetCmd} remove -y ${shJoin(pkgs)}`,
    installMissing: (pkgs) =>
      [
        'missing=',
        `for p in ${shJoin(pkgs)}; do`,
        `  dpkg-query -W -f='\${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"`,
        'done',
        'if [ -n "$missing" ]; then',
        refresh,
        `${aptGetCmd} install -y $missing`,
        'fi',
      ].join('\n'),
    repositoryFormat: 'apt',
    isInstalled: (p) => `dpkg-query -W -f='\${Status}' ${shQuote(p)} 2>/dev/null | grep -q 'ok installed'`,
    // What the facts probe counts as interrupted: `dpkg --audit` output, or journal files in updates/.
    interruptedRun: {
      noneShell: '[ -z "$(dpkg --audit 2>/dev/null)" ] && [ -z "$(ls -A /var/lib/dpkg/updates 2>/dev/null)" ]',
      finish: ['export DEBIAN_FRONTEND=noninteractive', 'dpkg --force-confdef --force-confold --configure -a'],
    },
    installedVersion: (p) => `dpkg-query -W -f='\${Version}' ${shQuote(p)} 2>/dev/null`,
    ...SHADOW_GROUPS,
    pinning: {
      resolveVersion: (pkg, wanted) => [
        `version=$(apt-cache madison ${shQuote(pkg)} | awk -F'|' -v want=${shQuote(wanted)} '{ v = $2; gsub(/ /, "", v); ${AWK_VERSION_MATCH} }' | head -n 1)`,
        `[ -n "$version" ] || { echo ${shQuote(`no ${pkg} version ${wanted} in the repository; available:`)} >&2; apt-cache madison ${shQuote(pkg)} | head -n 10 >&2; exit 1; }`,
      ],
      pinnedSpec: (pkg) => `${shQuote(pkg)}="$version"`,
      installFlags: ['--allow-downgrades', '--allow-change-held-packages'],
      release: () => [],
      hold: (pkgs) => [`apt-mark hold ${shJoin(pkgs)}`],
    },
  };
}

function dnf(tool: 'dnf5' | 'dnf4' | 'yum'): PackageManagerOps {
  const cmd = tool === 'yum' ? 'yum' : 'dnf';
  // dnf5 has versionlock built in; dnf4 and yum need their plugin package.
  const lockPlugin = tool === 'dnf4' ? 'python3-dnf-plugin-versionlock' : tool === 'yum' ? 'yum-plugin-versionlock' : undefined;
  return {
    tool,
    env: [],
    install: (pkgs, flags = []) => [cmd, 'install', '-y', ...flags, shJoin(pkgs)].filter(Boolean).join(' '),
    remove: (pkgs) => `${cmd} remove -y ${shJoin(pkgs)}`,
    installMissing: (pkgs) =>
      [
        'missing=',
        `for p in ${shJoin(pkgs)}; do`,
        '  rpm -q --whatprovides "$p" >/dev/null 2>&1 || missing="$missing $p"',
        'done',
        `if [ -n "$missing" ]; then ${cmd} install -y $missing; fi`,
      ].join('\n'),
    repositoryFormat: 'rpm',
    ...RPM_QUERY,
    ...SHADOW_GROUPS,
    pinning: {
      resolveVersion: (pkg, wanted) => [
        `version=$(${cmd} -q list --showduplicates ${shQuote(pkg)} 2>/dev/null | awk -v want=${shQuote(wanted)} '$1 ~ /^${pkg.replace(/[^a-z0-9-]/g, '')}\\./ { v = $2; ${AWK_VERSION_MATCH} }' | sort -V | tail -n 1)`,
        `[ -n "$version" ] || { echo ${shQuote(`no ${pkg} version ${wanted} in the repository; available:`)} >&2; ${cmd} -q list --showduplicates ${shQuote(pkg)} | tail -n 10 >&2; exit 1; }`,
      ],
      pinnedSpec: (pkg) => `${shQuote(pkg)}-"$version"`,
      installFlags: [],
      // A versionlock from an earlier pin would hide the wanted version from install.
      release: (pkgs) => [`${cmd} versionlock delete ${shJoin(pkgs)} >/dev/null 2>&1 || true`],
      hold: (pkgs) => [...(lockPlugin ? [`${cmd} install -y ${lockPlugin}`] : []), `${cmd} versionlock add ${shJoin(pkgs)}`],
    },
  };
}

function simple(tool: 'zypper' | 'pacman' | 'apk'): PackageManagerOps {
  switch (tool) {
    case 'zypper':
      return {
        tool,
        env: [],
        ...RPM_QUERY,
        ...SHADOW_GROUPS,
        install: (pkgs) => sh`zypper --non-interactive install ${pkgs}`,
        remove: (pkgs) => sh`zypper --non-interactive remove ${pkgs}`,
        installMissing: (pkgs) => sh`zypper --non-interactive install ${pkgs}`,
      };
    case 'pacman':
      // Arch supports no partial upgrades: refreshing the lists means upgrading with them (-Syu).
      return {
        tool,
        env: [],
        isInstalled: (p) => `pacman -Q ${shQuote(p)} >/dev/null 2>&1`,
        installedVersion: (p) => `pacman -Q ${shQuote(p)} 2>/dev/null | cut -d ' ' -f 2`,
        ...SHADOW_GROUPS,
        install: (pkgs) => sh`pacman -Syu --noconfirm --needed ${pkgs}`,
        remove: (pkgs) => sh`pacman -R --noconfirm ${pkgs}`,
        installMissing: (pkgs) => sh`pacman -Syu --noconfirm --needed ${pkgs}`,
      };
    case 'apk':
      return {
        tool,
        env: [],
        isInstalled: (p) => `apk info -e ${shQuote(p)} >/dev/null 2>&1`,
        installedVersion: (p) => `apk info -e -v ${shQuote(p)} 2>/dev/null | sed -n 's/^${p.replace(/[^a-z0-9-]/g, '')}-//p'`,
        ...BUSYBOX_GROUPS,
        refresh: 'apk update',
        install: (pkgs) => sh`apk add --no-progress ${pkgs}`,
        remove: (pkgs) => sh`apk del --no-progress ${pkgs}`,
        installMissing: (pkgs) => sh`apk add --no-progress ${pkgs}`,
      };
  }
}

export function packageManagerOps(tool: PackageTool, lockTimeoutSeconds: number): PackageManagerOps {
  switch (tool) {
    case 'apt':
      return apt(lockTimeoutSeconds);
    case 'dnf5':
    case 'dnf4':
    case 'yum':
      return dnf(tool);
    default:
      return simple(tool);
  }
}
