/** Step 5: the Docker packages of the chosen source, optionally pinned to a version and held. */
import { packageList, type PlanContext } from '../context.js';
import { script } from '../script.js';
import { shQuote } from '../../shell/quote.js';
import type { Facts } from '../../facts/types.js';
import { change, ok, rootCommand, type StepResult } from './result.js';
import { allOf, type HostTask, type StateTest, type Target } from './task.js';

/**
 * `27.5` matches 5:27.5.1-1~debian.12~bookworm and 3:27.5.0-1.el9 (epoch and release ignored); an
 * exact version with its epoch (`5:27.5.1-1~debian.12~bookworm`) matches only itself.
 */
export function versionSatisfies(installed: string, wanted: string): boolean {
  if (/^\d+:/.test(wanted)) return installed === wanted;
  // dpkg writes 5:27.5.1-1~…, rpm facts %{EPOCH}:… with "(none)" for no epoch.
  const upstream = installed.replace(/^(\d+|\(none\)):/, '');
  return upstream === wanted || ['.', '-', '~'].some((sep) => upstream.startsWith(wanted + sep));
}

/** The packages pinned to --docker-version: engine and CLI (plugins and containerd follow their own versions). */
function pinnedPackages(ctx: Target): string[] {
  return [ctx.packages.engine, ctx.packages.cli].filter((p): p is string => p !== undefined);
}

/** What the facts say is missing or at another version than --docker-version. */
function packageGaps(ctx: Target, facts: Facts): { all: string[]; missing: string[]; wrongVersion: string[] } {
  const all = packageList(ctx.packages);
  const missing = all.filter((p) => facts.packages[p] === undefined);
  const pinned = ctx.dockerVersion ? pinnedPackages(ctx) : [];
  const wrongVersion = pinned.filter((p) => {
    const v = facts.packages[p];
    return v !== undefined && !versionSatisfies(v, ctx.dockerVersion!);
  });
  return { all, missing, wrongVersion };
}

/** Shell twin of versionSatisfies: the installed version of `pkg` satisfies `wanted`. */
function versionSatisfiesShell(ctx: Target, pkg: string, wanted: string): string {
  const w = shQuote(wanted);
  const v = `v=$(${ctx.pm.installedVersion(pkg)})`;
  if (/^\d+:/.test(wanted)) return `${v}; [ "$v" = ${w} ]`;
  return `${v}; case $v in [0-9]*:*|'(none)':*) u=\${v#*:} ;; *) u=$v ;; esac; case $u in ${w}|${w}.*|${w}-*|${w}~*) true ;; *) false ;; esac`;
}

function packagesTest(ctx: Target): StateTest {
  const all = packageList(ctx.packages);
  const pinned = ctx.dockerVersion ? pinnedPackages(ctx) : [];
  return {
    what: `${all.join(' ')} installed${ctx.dockerVersion ? ` (${pinned.join(' ')} at ${ctx.dockerVersion})` : ''}`,
    shell: allOf([...all.map((p) => ctx.pm.isInstalled(p)), ...pinned.map((p) => versionSatisfiesShell(ctx, p, ctx.dockerVersion!))]),
    holds: (facts) => {
      const { missing, wrongVersion } = packageGaps(ctx, facts);
      return missing.length === 0 && wrongVersion.length === 0;
    },
  };
}

/** The install lines (resolving and holding a pinned version): the same for plan and script. */
function installLines(ctx: Target): { summary: string; lines: string[] } {
  const { pm, dockerVersion } = ctx;
  const all = packageList(ctx.packages);
  const pinned = dockerVersion ? pinnedPackages(ctx) : [];
  let lines: string[];
  const pin = pm.pinning;
  if (dockerVersion && pin) {
    const unpinned = all.filter((p) => !pinned.includes(p));
    const specs = pinned.map((p) => pin.pinnedSpec(p)).join(' ');
    lines = [
      ...pin.resolveVersion(ctx.packages.engine, dockerVersion),
      'echo "resolved version: $version"',
      ...pin.release(pinned),
      `${pm.install(unpinned, pin.installFlags)} ${specs}`,
      ...pin.hold(pinned),
    ];
  } else {
    lines = [pm.install(all)];
  }
  return {
    summary: dockerVersion ? `install ${all.join(' ')} at ${dockerVersion} and hold ${pinned.join(' ')}` : `install ${all.join(' ')}`,
    lines: [...pm.env, ...(pm.refresh ? [pm.refresh] : []), ...lines],
  };
}

export function packagesTasks(ctx: Target): HostTask[] {
  const { summary, lines } = installLines(ctx);
  return [{ summary, test: packagesTest(ctx), action: lines }];
}

export function packages(ctx: PlanContext): StepResult {
  const { facts, dockerVersion } = ctx;
  const { all, missing, wrongVersion } = packageGaps(ctx, facts);
  if (packagesTest(ctx).holds!(facts)) {
    return ok(`installed: ${all.map((p) => `${p} ${facts.packages[p]}`).join(', ')}`);
  }
  const reasons = [];
  if (missing.length) reasons.push(`not installed: ${missing.join(', ')}`);
  if (wrongVersion.length) reasons.push(`not at ${dockerVersion}: ${wrongVersion.map((p) => `${p} ${facts.packages[p]}`).join(', ')}`);
  const { summary, lines } = installLines(ctx);
  return change(reasons.join('; '), [rootCommand(summary, script(...lines))]);
}
