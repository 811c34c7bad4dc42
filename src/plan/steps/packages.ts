/** Step 5: the Docker packages of the chosen source, optionally pinned to a version and held. */
import { packageList, type PlanContext } from '../context.js';
import { script } from '../script.js';
import { change, ok, rootCommand, type StepResult } from './result.js';

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
function pinnedPackages(ctx: PlanContext): string[] {
  return [ctx.packages.engine, ctx.packages.cli].filter((p): p is string => p !== undefined);
}

export function packages(ctx: PlanContext): StepResult {
  const { facts, pm, dockerVersion } = ctx;
  const all = packageList(ctx.packages);
  const missing = all.filter((p) => facts.packages[p] === undefined);
  const pinned = dockerVersion ? pinnedPackages(ctx) : [];
  const wrongVersion = pinned.filter((p) => {
    const v = facts.packages[p];
    return v !== undefined && !versionSatisfies(v, dockerVersion!);
  });
  if (missing.length === 0 && wrongVersion.length === 0) {
    return ok(`installed: ${all.map((p) => `${p} ${facts.packages[p]}`).join(', ')}`);
  }
  const reasons = [];
  if (missing.length) reasons.push(`not installed: ${missing.join(', ')}`);
  if (wrongVersion.length) reasons.push(`not at ${dockerVersion}: ${wrongVersion.map((p) => `${p} ${facts.packages[p]}`).join(', ')}`);

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
  return change(reasons.join('; '), [
    rootCommand(
      dockerVersion ? `install ${all.join(' ')} at ${dockerVersion} and hold ${pinned.join(' ')}` : `install ${all.join(' ')}`,
      script(...pm.env, pm.refresh, ...lines),
    ),
  ]);
}
