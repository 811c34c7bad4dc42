/**
 * What a rendered artifact is made for: a playbook release and an architecture, named on the command
 * line (--os/--os-version/--arch) or read from a host's facts (-H, an inventory group). From it come
 * the plan context the steps' tasks are built from, and the identity the script checks at run time.
 */
import { UsageError } from '../core/errors.js';
import type { Facts } from '../facts/types.js';
import { makeContext, type PlanContext, type PlanOptions } from '../plan/context.js';
import type { Playbook } from '../playbook/schema.js';
import { selectPlaybook, type Selection } from '../playbook/select.js';

export interface TargetIdentity {
  /** os-release ID the host must have. */
  id: string;
  /** VERSION_ID it must match (equal, or that followed by `.`), or its VERSION_CODENAME; none for rolling releases. */
  version?: string;
  codename?: string;
  /** `uname -m`. */
  machine: string;
  /** "Debian 12 (bookworm)". */
  label: string;
}

export interface RenderTarget {
  ctx: PlanContext;
  selection: Selection;
  identity: TargetIdentity;
}

/** uname -m per --arch spelling (dpkg's and rpm's names both accepted). */
const MACHINES: Record<string, { machine: string; deb: string; rpm: string }> = {
  x86_64: { machine: 'x86_64', deb: 'amd64', rpm: 'x86_64' },
  amd64: { machine: 'x86_64', deb: 'amd64', rpm: 'x86_64' },
  aarch64: { machine: 'aarch64', deb: 'arm64', rpm: 'aarch64' },
  arm64: { machine: 'aarch64', deb: 'arm64', rpm: 'aarch64' },
  armv7l: { machine: 'armv7l', deb: 'armhf', rpm: 'armv7hl' },
  armhf: { machine: 'armv7l', deb: 'armhf', rpm: 'armv7hl' },
  ppc64le: { machine: 'ppc64le', deb: 'ppc64el', rpm: 'ppc64le' },
  s390x: { machine: 's390x', deb: 's390x', rpm: 's390x' },
};

export const ARCHES = Object.keys(MACHINES);

/**
 * Facts for a host that does not exist yet: only its identity (os-release, architecture, init
 * system) is known. Everything else reads as "nothing there", which no task may rely on anyway
 * (tasks see a Target, which has no facts).
 */
function identityFacts(os: { id: string; version?: string; codename?: string }, arch: string, playbook: Playbook): Facts {
  const m = MACHINES[arch]!;
  const deb = playbook.packageManager === 'apt';
  return {
    host: 'render',
    os: { id: os.id, idLike: [], versionId: os.version, versionCodename: os.codename, raw: {} },
    arch: { machine: m.machine, package: deb ? m.deb : m.rpm },
    kernel: { release: 'unknown', major: 6, minor: 0 },
    init: { system: os.id === 'alpine' ? 'openrc' : 'systemd', pid1: os.id === 'alpine' ? 'init' : 'systemd', hasServiceCommand: true, wsl: false },
    packageManager: 'unknown',
    privilege: { uid: 0, isRoot: true, sudoInstalled: false, sudoNoPassword: false },
    user: { name: 'root', uid: 0, gid: 0, home: '/root', sessionGroups: ['root'], sessionGids: [0], databaseGroups: ['root'] },
    packages: {},
    units: {},
    dockerGroup: { exists: false, members: [] },
    socket: { path: '/var/run/docker.sock', exists: false },
    daemonJson: { path: '/etc/docker/daemon.json', exists: false },
    dockerRoot: { path: '/var/lib/docker', exists: false, driversWithData: [] },
    overlay: { supported: true, moduleLoaded: true, persisted: true },
    versions: {},
    binaries: {},
    cloudInit: { present: false },
    locks: [],
  } as Facts;
}

export interface NamedTarget {
  os: string;
  osVersion?: string;
  arch?: string;
}

/** --os ID --os-version V [--arch A]: a playbook id and one of its releases (number or codename). */
export function namedTarget(named: NamedTarget, playbooks: readonly Playbook[], options: PlanOptions): RenderTarget {
  const arch = (named.arch ?? 'x86_64').toLowerCase();
  if (!MACHINES[arch]) throw new UsageError(`--arch: '${named.arch}' is not one of ${ARCHES.join(', ')}`);
  const playbook = playbooks.find((p) => p.id === named.os || p.match.ids.includes(named.os));
  if (!playbook) {
    throw new UsageError(`--os: no playbook for '${named.os}'`, `one of ${playbooks.map((p) => p.id).sort().join(', ')}; for a derivative, render from a host (-H) so its os-release is read`);
  }
  const versions = playbook.match.versions;
  let release;
  if (versions) {
    const wanted = named.osVersion;
    if (!wanted) throw new UsageError(`--os-version is needed for ${playbook.title}: one of ${versions.map((v) => v.version).join(', ')}`);
    release = versions.find((v) => v.version === wanted || v.codename === wanted);
    if (!release) throw new UsageError(`--os-version: ${playbook.title} ${wanted} is not supported; supported: ${versions.map((v) => v.version).join(', ')}`);
  } else if (named.osVersion) {
    throw new UsageError(`--os-version: ${playbook.title} has no releases (rolling): leave it out`);
  }
  const id = playbook.match.ids[0]!;
  const os = { id, version: release?.version, codename: release?.codename };
  const facts = identityFacts(os, arch, playbook);
  const selection: Selection = { playbook, release, via: `--os ${named.os}` };
  return targetFrom(facts, selection, options, os);
}

/** A host's own facts: the script checks for that host's ID and release (derivatives included). */
export function hostTarget(facts: Facts, playbooks: readonly Playbook[], options: PlanOptions & { os?: string; codename?: string }): RenderTarget {
  const selection = selectPlaybook(facts.os, playbooks, { os: options.os, codename: options.codename });
  const os = { id: facts.os.id, version: facts.os.versionId, codename: facts.os.versionCodename };
  return targetFrom(facts, selection, options, os);
}

function targetFrom(facts: Facts, selection: Selection, options: PlanOptions, os: { id: string; version?: string; codename?: string }): RenderTarget {
  const ctx = makeContext(facts, selection, options);
  const { playbook, release } = selection;
  const label = release ? `${playbook.title} ${release.version}${release.codename ? ` (${release.codename})` : ''}` : playbook.title;
  // A rolling release has no VERSION_ID to check; a versioned one is checked by number or codename.
  const identity: TargetIdentity = { id: os.id, machine: facts.arch.machine, label: os.id === selection.playbook.match.ids[0] ? label : `${os.id} ${os.version ?? ''} (as ${label})`.replace('  ', ' ') };
  if (release) {
    identity.version = os.version;
    identity.codename = os.codename;
  }
  return { ctx, selection, identity };
}
