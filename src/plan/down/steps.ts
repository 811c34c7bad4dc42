/**
 * The removal steps, each a pure function of the host's facts: what to stop, release, remove and
 * (only when asked) take away; "ok" when there is nothing left to do, so a second `down` changes nothing.
 */
import { APT_KEYRING, RPM_KEY, RPM_REPO } from '../../facts/probe.js';
import type { Facts } from '../../facts/types.js';
import type { PackageSet, Playbook } from '../../playbook/schema.js';
import { shJoin, shQuote } from '../../shell/quote.js';
import { packageList } from '../context.js';
import type { PackageManagerOps } from '../package-managers.js';
import { script } from '../script.js';
import type { ServiceManager } from '../service-managers.js';
import { APT_SOURCES } from '../steps/repository.js';
import { change, ok, rootCommand, type StepResult } from '../steps/result.js';
import { CONTAINERD_ROOT, type DownOptions } from './model.js';

export interface DownContext {
  facts: Facts;
  playbook: Playbook;
  pm: PackageManagerOps;
  serviceManager: ServiceManager;
  options: DownOptions;
}

/** The units `down` stops and disables, socket first (else it would start the daemon again). */
const SERVICES = ['docker.socket', 'docker', 'containerd'];

/** Every package any of the playbook's sources installs, plus Docker's optional extras, that is installed. */
export function installedDockerPackages(ctx: DownContext): string[] {
  const sets = Object.values(ctx.playbook.sources).filter((s): s is { packages: PackageSet } => s !== undefined);
  const names = [...new Set([...sets.flatMap((s) => packageList(s.packages)), 'docker-ce-rootless-extras'])];
  return names.filter((p) => ctx.facts.packages[p] !== undefined);
}

export function stopServices(ctx: DownContext): StepResult {
  const { facts, serviceManager: sm } = ctx;
  if (sm.exactFacts) {
    const live = SERVICES.filter((n) => sm.running(facts, n) || sm.enabled(facts, n));
    if (live.length === 0) return ok('no Docker unit running or enabled');
    const units = live.map((n) => sm.unit(n));
    return change(`running or enabled: ${units.join(', ')}`, [rootCommand(`stop and disable ${units.join(' ')}`, script(sm.render('disable-now', live)))], {
      notes: ['running containers stop; their data stays in the data root unless --purge-data'],
    });
  }
  // Without exact facts the host decides: only services that still have an init script.
  if (installedDockerPackages(ctx).length === 0) return ok('no Docker package installed');
  const names = ['docker', 'containerd'];
  const lines = names.map((n) => {
    const stop = sm.render('disable-now', [n]);
    return stop && sm.installed ? `if ${sm.installed(n)}; then ${stop} || true; fi` : undefined;
  });
  if (lines.every((l) => l === undefined)) return ok(`${sm.kind}: no service manager to stop services with`);
  return change('Docker packages installed: stop their services', [rootCommand(`stop ${names.join(' ')}`, script(...lines))]);
}

export function releaseHold(ctx: DownContext): StepResult {
  const held = (ctx.facts.held ?? []).filter((p) => ctx.facts.packages[p] !== undefined || ctx.pm.tool === 'apt');
  if (ctx.pm.tool === 'apt') {
    if (held.length === 0) return ok('no Docker package held');
    return change(`held: ${held.join(', ')}`, [rootCommand(`unhold ${held.join(' ')}`, script(`apt-mark unhold ${shJoin(held)}`))]);
  }
  // dnf keeps its locks in the versionlock list, which the facts do not read: released with the packages.
  const pinned = ['docker-ce', 'docker-ce-cli'].filter((p) => ctx.facts.packages[p] !== undefined);
  if (!ctx.pm.pinning || pinned.length === 0) return ok('nothing held');
  const cmd = ctx.pm.tool === 'yum' ? 'yum' : 'dnf';
  return change(`${pinned.join(', ')} may be version-locked`, [
    rootCommand(`release any version lock on ${pinned.join(' ')}`, script(`${cmd} versionlock delete ${shJoin(pinned)} >/dev/null 2>&1 || true`)),
  ]);
}

export function removePackages(ctx: DownContext): StepResult {
  const installed = installedDockerPackages(ctx);
  if (installed.length === 0) return ok('no Docker package installed');
  return change(`installed: ${installed.map((p) => `${p} ${ctx.facts.packages[p]}`).join(', ')}`, [
    rootCommand(`remove ${installed.join(' ')}`, script(...ctx.pm.env, ctx.pm.remove(installed))),
  ], { notes: ['configuration files under /etc/docker and the data root are kept'] });
}

/** The repository and key files dockhand's repository step writes (and no other file). */
export function repositoryFiles(facts: Facts): string[] {
  const apt = facts.aptSources;
  const rpm = facts.rpmRepo;
  return [
    apt?.files?.some((f) => f.path === APT_SOURCES && f.exists) ? APT_SOURCES : undefined,
    apt?.keyring?.exists ? APT_KEYRING : undefined,
    rpm?.file?.exists ? RPM_REPO : undefined,
    rpm?.key?.exists ? RPM_KEY : undefined,
  ].filter((p): p is string => p !== undefined);
}

export function removeRepository(ctx: DownContext): StepResult {
  const files = repositoryFiles(ctx.facts);
  if (files.length === 0) return ok('no repository or key file of dockhand present');
  return change(`present: ${files.join(', ')}`, [rootCommand(`remove ${files.join(' ')}`, script(`rm -f ${shJoin(files)}`))]);
}

export function groupMembers(ctx: DownContext): StepResult {
  const { options, facts } = ctx;
  const users = (options.users?.length ? options.users : options.loginUser ? [options.loginUser] : []).filter((u) => u !== 'root');
  const members = users.filter((u) => facts.dockerGroup.members.includes(u));
  if (!options.removeGroupMembers) {
    return ok(members.length ? `kept: ${members.join(', ')} in group docker (--remove-group-members takes them out)` : 'no docker group member to keep');
  }
  if (members.length === 0) return ok(`not in group docker: ${users.join(', ') || 'nobody asked'}`);
  const remove = (u: string) => (ctx.pm.tool === 'apk' ? `delgroup ${shQuote(u)} docker` : `gpasswd -d ${shQuote(u)} docker`);
  return change(`in group docker: ${members.join(', ')}`, [rootCommand(`remove ${members.join(' ')} from group docker`, script(...members.map(remove)))]);
}

/** A byte count for people: 1.5 GiB. */
export function humanBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) (v /= 1024), i++;
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

/** The data directories and their sizes, as measured (only those that exist). */
export function dataDirs(ctx: Pick<DownContext, 'facts' | 'options'>): Array<{ path: string; bytes: number }> {
  const sizes = ctx.options.dataSizes ?? {};
  return [ctx.facts.dockerRoot.path, CONTAINERD_ROOT].flatMap((path) => (sizes[path] !== undefined ? [{ path, bytes: sizes[path]! }] : []));
}

export function purgeData(ctx: DownContext): StepResult {
  const root = ctx.facts.dockerRoot.path;
  if (!ctx.options.purgeData) return ok(`kept: ${root} and ${CONTAINERD_ROOT} (--purge-data deletes them)`);
  const dirs = dataDirs(ctx);
  if (dirs.length === 0) return ok(`${root} and ${CONTAINERD_ROOT} do not exist`);
  const what = dirs.map((d) => `${d.path} (${humanBytes(d.bytes)})`).join(', ');
  // --one-file-system: a volume mounted below the data root is not followed onto another filesystem.
  return change(`--purge-data: ${what}`, [rootCommand(`delete ${dirs.map((d) => d.path).join(' ')}`, script(`rm -rf --one-file-system -- ${shJoin(dirs.map((d) => d.path))}`))], {
    notes: [`deletes every image, container and volume: ${what}`],
  });
}
