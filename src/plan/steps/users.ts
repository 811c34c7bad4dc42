/** Step 7: the docker group and its members. Membership is root-equivalent; the plan says so. */
import { shQuote } from '../../shell/quote.js';
import type { PlanContext } from '../context.js';
import type { PlannedCommand } from '../model.js';
import { fail, script } from '../script.js';
import { change, ok, rootCommand, type StepResult } from './result.js';
import type { HostTask, Target } from './task.js';
import { ROOTLESS_ALTERNATIVE_NOTE } from './rootless.js';

export const ROOT_EQUIVALENT_NOTE =
  'members of the docker group can start containers as root: this is root-equivalent access to the host';

export function isMember(ctx: Pick<PlanContext, 'facts'>, user: string, group: string): boolean {
  const { facts } = ctx;
  if (facts.dockerGroup.members.includes(user)) return true;
  // The connecting user's database groups also cover a primary group of that name.
  return user === facts.user.name && facts.user.databaseGroups.includes(group);
}

export function users(ctx: PlanContext): StepResult {
  const group = ctx.step('users')?.group ?? 'docker';
  const commands: PlannedCommand[] = [];
  const reasons: string[] = [];
  if (!ctx.facts.dockerGroup.exists) {
    reasons.push(`group ${group} does not exist`);
    // The engine package may have created it meanwhile (docker-ce does): check on the host.
    commands.push(rootCommand(`create group ${group}`, script(`grep -q '^${group}:' /etc/group || ${ctx.pm.createSystemGroup(group)}`)));
  }
  // --rootless: the users get a daemon of their own (step rootless), not the root-equivalent group.
  const members = ctx.rootless ? [] : ctx.users;
  const toAdd = members.filter((u) => !isMember(ctx, u, group));
  for (const user of toAdd) {
    const u = shQuote(user);
    commands.push(
      rootCommand(
        `add ${user} to ${group}`,
        script(`id ${u} >/dev/null 2>&1 || ${fail(`user ${user} does not exist on this host`)}`, ctx.pm.addToGroup(user, group)),
      ),
    );
  }
  if (toAdd.length) reasons.push(`not in ${group}: ${toAdd.join(', ')}`);
  if (commands.length === 0) {
    if (ctx.rootless) return ok(`group ${group} exists; ${ctx.users.join(', ') || 'nobody'} get${ctx.users.length === 1 ? 's' : ''} rootless Docker instead (step rootless)`);
    return ok(members.length ? `${members.join(', ')} in group ${group}` : `group ${group} exists; no user to add (root needs none)`, members.length ? [ROOT_EQUIVALENT_NOTE] : []);
  }
  return change(reasons.join('; '), commands, {
    notes: toAdd.length ? [ROOT_EQUIVALENT_NOTE, ROOTLESS_ALTERNATIVE_NOTE, 'the new group applies to new login sessions only'] : [],
    // Our own session keeps its old groups until it logs in again.
    reconnectAfter: toAdd.includes(ctx.facts.user.name) || undefined,
  });
}

/** On the host: the group exists (the engine package usually made it), then each user is in it. */
export function usersTasks(ctx: Target): HostTask[] {
  const group = ctx.step('users')?.group ?? 'docker';
  const g = shQuote(group);
  const tasks: HostTask[] = [
    {
      summary: `create group ${group} (a system group)`,
      test: { what: `group ${group} exists`, shell: `grep -q ${shQuote(`^${group}:`)} /etc/group`, holds: (facts) => facts.dockerGroup.exists },
      action: [ctx.pm.createSystemGroup(group)],
    },
  ];
  for (const user of ctx.users) {
    const u = shQuote(user);
    tasks.push({
      summary: `add ${user} to ${group} (takes effect at the user's next login)`,
      // id -Gn reads the group database for another user: what the next login gets.
      test: { what: `${user} is in group ${group}`, shell: `id -Gn ${u} 2>/dev/null | tr ' ' '\n' | grep -qx ${g}`, holds: (facts) => isMember({ facts }, user, group) },
      action: [`id ${u} >/dev/null 2>&1 || ${fail(`user ${user} does not exist on this host`)}`, ctx.pm.addToGroup(user, group)],
      notes: [ROOT_EQUIVALENT_NOTE],
    });
  }
  tasks.push(runtimeUsersTask(ctx, group));
  return tasks;
}

/** A user name as the script accepts it at run time (the same rule as --users). */
export const RUNTIME_USER_PATTERN = '^[a-z_][a-z0-9_.-]*$';

/**
 * Users named when the script runs (DOCKHAND_USERS, comma-separated: how an SSM parameter reaches it),
 * beside those rendered in. Each name is checked against RUNTIME_USER_PATTERN before any use.
 */
function runtimeUsersTask(ctx: Target, group: string): HostTask {
  // The tool's own command, with the validated loop variable as the user.
  const add = ctx.pm.addToGroup('DH_USER', group).replace('DH_USER', '"$u"');
  const loop = (body: string[]) => [
    'for u in $(printf \'%s\' "${DOCKHAND_USERS:-}" | tr \',\' \' \'); do',
    ...body.map((l) => `  ${l}`),
    'done',
  ];
  return {
    summary: `add the users named in DOCKHAND_USERS to ${group}`,
    test: {
      what: `every user named in DOCKHAND_USERS is in group ${group}`,
      shell: loop([`id -Gn "$u" 2>/dev/null | tr ' ' '\\n' | grep -qx ${shQuote(group)} || exit 1`]).join('\n'),
    },
    action: loop([
      `case $u in [!a-z_]*|*[!a-z0-9_.-]*) echo "DOCKHAND_USERS: '$u' is not a valid user name" >&2; exit 1 ;; esac`,
      `id "$u" >/dev/null 2>&1 || { echo "user $u does not exist on this host" >&2; exit 1; }`,
      `id -Gn "$u" | tr ' ' '\\n' | grep -qx ${shQuote(group)} || ${add}`,
    ]),
    notes: [ROOT_EQUIVALENT_NOTE],
  };
}
