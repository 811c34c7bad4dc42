/**
 * Everything a step needs to decide, resolved once per host from facts + playbook + options:
 * the package source, the package manager, the users to add, the repository coordinates.
 */
import { PreconditionError, UsageError } from '../core/errors.js';
import { dockerVersionProblem, fingerprintProblem, mirrorProblem, normalizeFingerprint } from '../core/values.js';
import type { Facts } from '../facts/types.js';
import type { DockerSource, PackageSet, Playbook, SourceKind, Step, VersionEntry } from '../playbook/schema.js';
import type { Selection } from '../playbook/select.js';
import type { DaemonOptions } from './daemon-settings.js';
import { chooseTool, packageManagerOps, type PackageManagerOps } from './package-managers.js';
import { serviceManagerFor, type ServiceManager } from './service-managers.js';

export { normalizeFingerprint };

export const DOCKER_DOWNLOAD_BASE = 'https://download.docker.com';

/** What the user asked for on the command line (all optional; the playbook supplies defaults). */
export interface PlanOptions {
  source?: SourceKind;
  /** `27.5` or `27.5.1`: resolved to the exact package version on the host, then held. */
  dockerVersion?: string;
  /** Base URL replacing Docker's download site (a mirror of its linux/ tree). */
  mirror?: string;
  channel?: 'stable' | 'test';
  /** The mirror's own signing key fingerprint (a mirror may re-sign). */
  keyFingerprint?: string;
  /** Users to add to the docker group (default: loginUser). */
  users?: string[];
  /**
   * The login user as the controller knows it (transport.loginUser: the SSH user, or SUDO_USER /
   * the process user locally). Never taken from facts: probe output must not pick who gets root.
   */
  loginUser?: string;
  allowStorageSwitch?: boolean;
  /** Daemon settings (inventory `daemon:` and the daemon flags): merged into daemon.json. */
  daemon?: DaemonOptions;
  /** A sudo password was given (--ask-become-pass): sudo that asks for one can still be used. */
  becomePassword?: boolean;
}

export interface DockerRepo {
  base: string;
  /** linux/ubuntu, linux/centos, … */
  path: string;
  /** apt suite (codename) or rpm release directory (major version). */
  suite: string;
  channel: 'stable' | 'test';
  /** 40 hex digits, no spaces. */
  fingerprint: string;
}

export interface PlanContext {
  facts: Facts;
  /** The target's architecture (machine and package names): what a rendered script is made for. */
  arch: Facts['arch'];
  playbook: Playbook;
  release?: VersionEntry;
  source: SourceKind;
  packages: PackageSet;
  /** Set only with source docker. */
  dockerSource?: DockerSource;
  repo?: DockerRepo;
  pm: PackageManagerOps;
  /** The host's init system, as the operations steps render. */
  serviceManager: ServiceManager;
  dockerVersion?: string;
  users: string[];
  allowStorageSwitch: boolean;
  daemon: DaemonOptions;
  becomePassword: boolean;
  /** Parameters of a step the playbook declares, or undefined when it does not have it. */
  step<K extends Step['step']>(id: K): Extract<Step, { step: K }> | undefined;
}

export function makeContext(facts: Facts, selection: Selection, options: PlanOptions): PlanContext {
  const { playbook, release } = selection;
  const source = options.source ?? playbook.defaultSource;
  const chosen = playbook.sources[source];
  if (!chosen) {
    throw new UsageError(
      `${facts.host}: ${playbook.title} has no '${source}' package source`,
      `use --source ${source === 'docker' ? 'distro' : 'docker'}`,
    );
  }
  const step = <K extends Step['step']>(id: K) => playbook.steps.find((s) => s.step === id) as Extract<Step, { step: K }> | undefined;
  const lockTimeout = step('wait-ready')?.lockTimeoutSeconds ?? 600;
  const pm = packageManagerOps(chooseTool(facts, release?.packageManager ?? playbook.packageManager), lockTimeout);

  if (options.dockerVersion !== undefined) {
    // Flags and inventory values were checked before connecting; this guards other callers.
    const problem = dockerVersionProblem(options.dockerVersion);
    if (problem) throw new UsageError(`docker version ${problem}`);
    if (source !== 'docker' || !pm.pinning) {
      // Decided from the host's package manager: a plan failure (exit 2), not a bad flag.
      throw new PreconditionError(
        facts.host,
        `docker version ${options.dockerVersion} needs the docker package source on an apt or dnf host (this one: ${source}, ${pm.tool})`,
        'use --source docker on an apt/dnf host, or leave out --docker-version / docker_version',
      );
    }
  }
  const dockerSource = source === 'docker' ? playbook.sources.docker : undefined;
  let repo: DockerRepo | undefined;
  if (dockerSource) {
    const fingerprint = normalizeFingerprint(options.keyFingerprint ?? dockerSource.keyFingerprint);
    const problem = fingerprintProblem(fingerprint) ?? (options.mirror === undefined ? undefined : mirrorProblem(options.mirror));
    if (problem) throw new UsageError(problem);
    const suite = dockerSource.suite === 'codename' ? release?.codename : release?.version;
    if (!suite) throw new UsageError(`${facts.host}: playbook ${playbook.id} gives no ${dockerSource.suite} for this release`);
    repo = {
      base: (options.mirror ?? DOCKER_DOWNLOAD_BASE).replace(/\/+$/, ''),
      path: release?.dockerRepo ?? dockerSource.repo,
      suite,
      channel: options.channel ?? 'stable',
      fingerprint,
    };
  } else if (options.mirror || options.keyFingerprint || options.channel) {
    throw new UsageError(`${facts.host}: --mirror, --channel and --key-fingerprint apply to --source docker only`);
  }

  return {
    facts,
    arch: facts.arch,
    playbook,
    release,
    source,
    packages: chosen.packages,
    dockerSource,
    repo,
    pm,
    serviceManager: serviceManagerFor(facts),
    dockerVersion: options.dockerVersion,
    users: dockerUsers(options.users, options.loginUser),
    allowStorageSwitch: options.allowStorageSwitch ?? false,
    daemon: options.daemon ?? {},
    becomePassword: options.becomePassword ?? false,
    step,
  };
}

/**
 * Who joins the docker group: --users, else the person behind the session as the controller knows
 * it (nobody when it does not know); never root. The docker group is root-equivalent, so this
 * never reads facts (issue 8 Found #1: a forged probe record named the user).
 */
function dockerUsers(requested: string[] | undefined, loginUser: string | undefined): string[] {
  const names = requested?.length ? requested : loginUser ? [loginUser] : [];
  for (const n of names) {
    if (!/^[a-z_][a-z0-9_.-]*\$?$/i.test(n)) throw new UsageError(`--users: '${n}' is not a valid user name`);
  }
  return [...new Set(names)].filter((n) => n !== 'root');
}

/** Package names of a set, in install order. */
export function packageList(set: PackageSet): string[] {
  return [set.engine, set.cli, set.containerd, set.buildx, set.compose].filter((p): p is string => p !== undefined);
}
