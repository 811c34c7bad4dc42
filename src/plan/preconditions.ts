/**
 * Plans that hold: what a plan needs from the host that no step can provide, decided from the facts
 * when the plan is made. A host that cannot meet them fails in `plan` (exit 2, the reason and the
 * fix) and `up` never starts on it: no half-converted host whose packages were swapped before a
 * later step found it could not go on. Pure, like the rest of the plan.
 */
import { PreconditionError } from '../core/errors.js';
import type { PlanContext } from './context.js';
import type { PlanStep } from './model.js';
import { BUILT_FOR } from './package-managers.js';
import { rootlessAvailable } from './steps/rootless.js';

export function checkPreconditions(ctx: PlanContext, steps: readonly PlanStep[]): void {
  privilege(ctx, steps);
  accounts(ctx);
  versionForRelease(ctx);
  rootlessAvailable(ctx);
}

/** Root is needed for any command marked sudo; it must be there already or reachable without a prompt we cannot answer. */
function privilege(ctx: PlanContext, steps: readonly PlanStep[]): void {
  const { facts } = ctx;
  const rootSteps = steps.filter((s) => s.commands.some((c) => c.sudo)).length;
  if (rootSteps === 0 || facts.privilege.isRoot) return;
  const who = facts.user.name;
  const need = `${rootSteps} step${rootSteps === 1 ? '' : 's'} must run as root`;
  if (!facts.privilege.sudoInstalled) {
    throw new PreconditionError(facts.host, `${need}, but ${who} is not root and sudo is not installed`, 'log in as root, or install sudo and allow this user to use it');
  }
  if (!facts.privilege.sudoNoPassword && !ctx.becomePassword) {
    throw new PreconditionError(
      facts.host,
      `${need}, but ${who} is not root and sudo asks for a password (or ${who} may not use sudo)`,
      'pass --ask-become-pass (-K) for the sudo password, allow passwordless sudo for this user, or log in as root',
    );
  }
}

/** Every user to add to the docker group exists; known only when the facts looked (facts.accounts). */
function accounts(ctx: PlanContext): void {
  const { facts } = ctx;
  const missing = ctx.users.filter((u) => facts.accounts?.[u] === false);
  if (missing.length === 0) return;
  throw new PreconditionError(
    facts.host,
    `user${missing.length === 1 ? '' : 's'} ${missing.join(', ')} ${missing.length === 1 ? 'does' : 'do'} not exist on the host`,
    'create the user first (useradd), or leave it out of --users / the inventory users:',
  );
}

/**
 * An exact package version names the release it was built for (`…~debian.12~bookworm`, `….el9`):
 * the repository of another release cannot offer it. A plain `28.1` is resolved on the host.
 */
function versionForRelease(ctx: PlanContext): void {
  const { dockerVersion: version, repo, pm, facts } = ctx;
  if (!version || !repo) return;
  let builtFor: string | undefined;
  for (const { format, pattern, suite, label } of BUILT_FOR) {
    const m = pattern.exec(version);
    if (!m) continue;
    if (pm.repositoryFormat !== format || suite(m) !== repo.suite) builtFor = label(m);
    break;
  }
  if (builtFor === undefined) return;
  throw new PreconditionError(
    facts.host,
    `docker version ${version} is built for ${builtFor}; this host's repository (${repo.path} ${repo.suite}, ${pm.tool}) cannot offer it`,
    `give just the upstream version (e.g. ${upstreamOf(version)}) to get the ${repo.suite} build, or a version listed for ${repo.suite}`,
  );
}

function upstreamOf(version: string): string {
  return /^(?:\d+:)?(\d+(?:\.\d+){0,2})/.exec(version)?.[1] ?? version;
}
