/**
 * Step `rootless`: each user asked for (`--rootless --users …`, inventory `rootless: true`) gets a
 * Docker daemon of their own, run by their own systemd user manager, instead of membership in the
 * root-equivalent docker group. In order: the packages rootless mode needs, subordinate IDs where the
 * user has none, lingering (the user manager runs without a login and survives logout), then — as the
 * user, talking to their own manager — the user service docker.service and the `rootless` context,
 * proven from a fresh login.
 *
 * Why dockhand writes the user unit itself rather than running dockerd-rootless-setuptool.sh: the
 * tool skips an existing unit (a changed one never reaches the user), refuses on heuristics the facts
 * already decide better (`ip_tables` in /proc/modules, absent on nf_tables-only kernels that run
 * rootless Docker fine), and with Debian's docker.io it cannot run at all (it lives in
 * /usr/share/docker.io/contrib and calls `$BIN/docker` beside itself). The unit is the one the tool
 * writes, so a tool-made setup and a dockhand-made one are the same thing.
 *
 * Why a `rootless` context (what the tool sets up too) and not DOCKER_HOST in the profile: a context
 * reaches every docker CLI call — login shells, `ssh host docker …`, cron, scripts — while a profile
 * export reaches only login shells, and DOCKER_HOST silently beats every context, so the user could
 * never `docker --context default` back to the system daemon where both run. SDKs read only
 * DOCKER_HOST: the note says so, and the doctor reports a DOCKER_HOST that points elsewhere.
 *
 * How the user's commands run: `runuser -u USER` with XDG_RUNTIME_DIR and the session bus of the
 * user's manager (user@UID.service, started by lingering). `systemctl --user -M USER@` would do the same
 * but needs systemd ≥ 248 (bullseye has 247); `machinectl shell` needs systemd-container and machined,
 * which minimal servers lack. runuser + the manager's bus is what a real login of the user talks to.
 */
import { createHash } from 'node:crypto';
import { PreconditionError } from '../../core/errors.js';
import { ROOTLESS_RECORD_DIR, type RootlessFacts, type RootlessUserFacts } from '../../facts/areas/rootless.js';
import { shJoin, shQuote } from '../../shell/quote.js';
import type { PlanContext } from '../context.js';
import { contentHash } from '../daemon-json.js';
import type { PlannedCommand } from '../model.js';
import { ensureDirLine, fail, pollUntilLines, script } from '../script.js';
import { allocateSubIds, rangesOf, SUBID_COUNT, type Allocation } from '../subids.js';
import { change, ok, rootCommand, type StepResult } from './result.js';
import { allOf, type HostTask, type Target } from './task.js';

export const ROOTLESS_CONTEXT = 'rootless';

/** Said once, in the docker-group step, wherever a user is (or would be) added to the group. */
export const ROOTLESS_ALTERNATIVE_NOTE =
  'without root-equivalence: `dockhand up --rootless --users NAME` gives a user a rootless Docker daemon of their own instead';

/** The runtime directory logind gives a user (pam_systemd's XDG_RUNTIME_DIR). */
export const runtimeDir = (uid: number) => `/run/user/${uid}`;
export const rootlessSocket = (uid: number) => `${runtimeDir(uid)}/docker.sock`;

/**
 * The user unit, as dockerd-rootless-setuptool.sh writes it (`bin`: the directory of dockerd-rootless.sh).
 * Restart=always with a start limit: a daemon that keeps failing stops, and the doctor shows why.
 */
export function rootlessUnit(bin: string): string {
  return [
    '[Unit]',
    'Description=Docker Application Container Engine (Rootless)',
    'Documentation=https://docs.docker.com/go/rootless/',
    '',
    '[Service]',
    `Environment=PATH=${bin}:/sbin:/usr/sbin:/usr/local/bin:/usr/bin:/bin`,
    `ExecStart=${bin}/dockerd-rootless.sh`,
    'ExecReload=/bin/kill -s HUP $MAINPID',
    'TimeoutSec=0',
    'RestartSec=2',
    'Restart=always',
    'StartLimitBurst=3',
    'StartLimitInterval=60s',
    'LimitNOFILE=infinity',
    'LimitNPROC=infinity',
    'LimitCORE=infinity',
    'TasksMax=infinity',
    'Delegate=yes',
    'Type=simple',
    'KillMode=mixed',
    '',
    '[Install]',
    'WantedBy=default.target',
    '',
  ].join('\n');
}

/** What dockhand records for a user once their setup is proven: the unit it wrote, the socket, the context. */
export function rootlessRecord(unit: string, uid: number): string {
  return `unit-sha256 ${unitHash(unit)}\nsocket unix://${rootlessSocket(uid)}\ncontext ${ROOTLESS_CONTEXT}\n`;
}

interface Wanted {
  packages: string[];
  /** Directory of dockerd-rootless.sh for this source. */
  bin: string;
}

function wantedFor(ctx: Target): Wanted | undefined {
  const params = ctx.step('rootless');
  const packages = params?.packages[ctx.source];
  const path = params?.script[ctx.source];
  if (!params || !packages || !path) return undefined;
  return { packages, bin: path.slice(0, path.lastIndexOf('/')) || '/' };
}

/** The refusals: what no step of dockhand's can provide, each with its fix. */
function refuseUnmet(ctx: PlanContext, rl: RootlessFacts | undefined): asserts rl is RootlessFacts {
  const { facts } = ctx;
  // Annotated, so that TypeScript narrows after a call (control flow through `never`).
  const refuse: (message: string, fix: string) => never = (message, fix) => {
    throw new PreconditionError(facts.host, `rootless Docker: ${message}`, fix);
  };
  if (!rl) refuse('the facts say nothing about user namespaces or subordinate IDs', 'run a dockhand whose facts probe has the rootless area');
  // A capability only systemd has: per-user service managers (user@UID.service) with lingering.
  if (ctx.serviceManager.kind !== 'systemd') {
    refuse(`each user's daemon runs as a systemd user service, and this host's init is ${ctx.serviceManager.kind}`, 'use the docker group, or start dockerd-rootless.sh yourself (see https://docs.docker.com/go/rootless/)');
  }
  const k = rl.kernel;
  if (k.usernsClone === 0) {
    refuse(
      'unprivileged user namespaces are switched off (kernel.unprivileged_userns_clone = 0)',
      "echo 'kernel.unprivileged_userns_clone = 1' > /etc/sysctl.d/50-rootless.conf && sysctl --system",
    );
  }
  if (k.maxUserNamespaces === 0) {
    refuse('user namespaces are switched off (user.max_user_namespaces = 0)', "echo 'user.max_user_namespaces = 28633' > /etc/sysctl.d/51-rootless.conf && sysctl --system");
  }
  if (k.apparmorRestrict === 1 && k.apparmorProfiles.length === 0) {
    refuse(
      'AppArmor restricts unprivileged user namespaces (kernel.apparmor_restrict_unprivileged_userns = 1, Ubuntu 24.04+) and no profile in /etc/apparmor.d lets rootlesskit create one',
      'write /etc/apparmor.d/rootlesskit with: abi <abi/4.0>, include <tunables/global> "/usr/bin/rootlesskit" flags=(unconfined) { userns, include if exists <local/rootlesskit> } — then systemctl restart apparmor.service (https://docs.docker.com/go/rootless/)',
    );
  }
  for (const file of [rl.subuid, rl.subgid]) {
    if (file.badLine !== undefined) refuse(`${file.path}:${file.badLine} is not NAME:START:COUNT, so new ranges could overlap`, `fix ${file.path}:${file.badLine}, then run dockhand again`);
    if (!file.ranges) refuse(`${file.path} could not be read`, `make ${file.path} readable (mode 0644, as shadow ships it)`);
  }
  for (const user of ctx.users) {
    const u = rl.users[user];
    if (u?.uid === undefined) refuse(`no account for ${user} in the passwd database`, `create the user first (adduser ${user}), or leave it out of --users`);
    for (const file of [rl.subuid, rl.subgid]) {
      const mine = rangesOf(file.ranges!, user, u.uid);
      const total = mine.reduce((n, r) => n + r.count, 0);
      if (mine.length && total < SUBID_COUNT) {
        refuse(`${user} has ${total} subordinate IDs in ${file.path}; rootless Docker needs ${SUBID_COUNT}`, `give ${user} a range of ${SUBID_COUNT} in ${file.path} (usermod --add-sub${file.path.endsWith('uid') ? 'uids' : 'gids'} START-END ${user}), then run dockhand again`);
      }
    }
  }
}

/** Users without any range in either file get one start for both (gids line up with uids). */
function subIdAllocations(ctx: PlanContext, rl: RootlessFacts): Allocation[] {
  const lacking = ctx.users.filter((u) => {
    const uid = rl.users[u]!.uid;
    return rangesOf(rl.subuid.ranges!, u, uid).length === 0 || rangesOf(rl.subgid.ranges!, u, uid).length === 0;
  });
  if (lacking.length === 0) return [];
  const all = allocateSubIds([...rl.subuid.ranges!, ...rl.subgid.ranges!], lacking);
  if (!all) {
    throw new PreconditionError(ctx.facts.host, `rootless Docker: no free subordinate ID range of ${SUBID_COUNT} left below 600100000`, 'free a range in /etc/subuid and /etc/subgid');
  }
  return all;
}

/** Hash of a file as the plan saw it, checked on the host before it is changed (never edit unseen changes). */
function unchangedLines(path: string, content: string | undefined): string[] {
  const f = shQuote(path);
  const seen = content === undefined ? 'absent' : contentHash(content);
  return [
    `if [ -e ${f} ]; then now=$(printf '%s' "$(cat ${f})" | sha256sum | cut -d ' ' -f 1); else now=absent; fi`,
    `if [ "$now" != ${shQuote(seen)} ]; then echo ${shQuote(`${path} changed since the plan was made; run dockhand again`)} >&2; exit 1; fi`,
  ];
}

function subIdCommand(rl: RootlessFacts, allocations: readonly Allocation[]): PlannedCommand {
  return rootCommand(
    `subordinate IDs for ${allocations.map((a) => `${a.user} ${a.start}–${a.start + a.count - 1}`).join(', ')} (/etc/subuid, /etc/subgid)`,
    script(
      ...[rl.subuid, rl.subgid].flatMap((f) => [
        ...unchangedLines(f.path, f.exists ? f.content : undefined),
        `[ -e ${f.path} ] || install -m 0644 /dev/null ${f.path}`,
      ]),
      ...allocations.map((a) => {
        const range = `${a.start}-${a.start + a.count - 1}`;
        return `usermod --add-subuids ${range} --add-subgids ${range} ${shQuote(a.user)}`;
      }),
    ),
  );
}

const unitHash = (unit: string) => createHash('sha256').update(unit).digest('hex');

/**
 * As root: start the user's manager (lingering keeps it), then as the user, through that manager:
 * write the unit when it differs, reload, enable, (re)start, wait for the socket to answer, point the
 * `rootless` context at it and make it current; back as root, prove it from a fresh login and record it.
 * The uid and home are read on the host ($uid, $home); `expectUid`: the plan's, checked to be still true.
 */
function setupLines(user: string, unit: string, expectUid?: number): string[] {
  const u = shQuote(user);
  const asUser = script(
    'cd "$HOME"',
    'dir="$HOME/.config/systemd/user"; unit="$dir/docker.service"; sock="unix://$XDG_RUNTIME_DIR/docker.sock"',
    // The unit as it should be, next to the one there: replaced (and the daemon restarted) only when they differ.
    '[ -d "$dir" ] || install -d -m 0755 "$dir"',
    'tmp=$(mktemp "$dir/.docker.service.XXXXXX")',
    `trap 'rm -f "$tmp"' EXIT`,
    `printf '%s' ${shQuote(unit)} > "$tmp"`,
    'chmod 0644 "$tmp"',
    'if cmp -s "$tmp" "$unit"; then changed=0; rm -f "$tmp"; else changed=1; mv -f "$tmp" "$unit"; fi',
    'trap - EXIT',
    'systemctl --user daemon-reload',
    'systemctl --user enable docker.service',
    'systemctl --user reset-failed docker.service 2>/dev/null || true',
    'if [ "$changed" = 1 ]; then systemctl --user restart docker.service; else systemctl --user start docker.service; fi',
    ...pollUntilLines({
      condition: 'docker -H "$sock" version >/dev/null 2>&1',
      timeoutSeconds: 90,
      waitingFor: `${user}'s rootless daemon`,
      onTimeout: `{ journalctl --user -u docker.service -n 20 --no-pager >&2 || true; ${fail(`${user}'s rootless daemon did not answer within 90s`)}; }`,
    }),
    `if docker context inspect ${ROOTLESS_CONTEXT} >/dev/null 2>&1; then`,
    `  docker context update ${ROOTLESS_CONTEXT} --docker "host=$sock" >/dev/null`,
    'else',
    `  docker context create ${ROOTLESS_CONTEXT} --description 'Rootless mode (dockhand)' --docker "host=$sock" >/dev/null`,
    'fi',
    `docker context use ${ROOTLESS_CONTEXT} >/dev/null`,
  );
  // From a fresh login (su -l: PAM session, the user's profile): the client reaches the rootless daemon.
  const probe = shJoin(['docker', 'info', '--format', '{{json .SecurityOptions}}']);
  const record = `${ROOTLESS_RECORD_DIR}/${user}`;
  return [
    `uid=$(id -u ${u}) || ${fail(`user ${user} does not exist on this host`)}`,
    ...(expectUid === undefined ? [] : [`[ "$uid" = ${expectUid} ] || ${fail(`${user}'s uid is no longer ${expectUid}; run dockhand again`)}`]),
    `home=$(getent passwd ${u} | cut -d: -f6)`,
    `[ -n "$home" ] && [ -d "$home" ] || ${fail(`${user} has no home directory`)}`,
    // Type=notify: returns once the manager is up (lingering keeps it; logind may be starting it already).
    'systemctl start "user@$uid.service"',
    ...pollUntilLines({
      condition: '[ -S "/run/user/$uid/systemd/private" ]',
      timeoutSeconds: 60,
      waitingFor: `${user}'s user manager`,
      onTimeout: fail(`${user}'s user manager did not start`),
    }),
    `cd / && runuser -u ${u} -- env -i "HOME=$home" USER=${u} LOGNAME=${u} PATH=/usr/local/bin:/usr/bin:/bin "XDG_RUNTIME_DIR=/run/user/$uid" "DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/$uid/bus" sh -c ${shQuote(asUser)}`,
    `out=$(su -l -s /bin/sh ${u} -c ${shQuote(probe)} 2>&1) || { printf '%s\n' "$out" >&2; ${fail(`${user} cannot reach their rootless daemon from a fresh login`)}; }`,
    `case $out in *rootless*) ;; *) printf '%s\n' "$out" >&2; ${fail(`a fresh login of ${user} reaches a daemon that is not rootless`)} ;; esac`,
    // The record (rootlessRecord): what the plan compares on the next run.
    ensureDirLine(ROOTLESS_RECORD_DIR),
    `tmp=$(mktemp ${shQuote(`${ROOTLESS_RECORD_DIR}/.${user}.XXXXXX`)})`,
    `printf 'unit-sha256 %s\nsocket unix:///run/user/%s/docker.sock\ncontext %s\n' ${unitHash(unit)} "$uid" ${ROOTLESS_CONTEXT} > "$tmp"`,
    'chmod 0644 "$tmp"',
    `mv -f "$tmp" ${shQuote(record)}`,
  ];
}

function setupCommand(user: string, uid: number, unit: string): PlannedCommand {
  return rootCommand(`${user}: rootless daemon as ${user}'s user service docker.service, context ${ROOTLESS_CONTEXT} (${rootlessSocket(uid)})`, script(...setupLines(user, unit, uid)));
}

/** Shell: first fit of 65,536 IDs ≥ 100000 over both files (allocateSubIds, for scripts that decide on the host). */
export const FIRST_FIT_AWK =
  "awk -F: -v min=100000 -v n=65536 '$0 !~ /^[ \t]*(#|$)/ && NF == 3 { s[++k] = $2; e[k] = $2 + $3 } " +
  "END { c = min; moved = 1; while (moved) { moved = 0; for (i = 1; i <= k; i++) if (s[i] < c + n && c < e[i]) { c = e[i]; moved = 1 } } print c }'";

/** Tasks for rendered scripts (no facts): each state tested on the host, the same actions as the plan's. */
export function rootlessTasks(ctx: Target): HostTask[] {
  if (!ctx.rootless || ctx.users.length === 0) return [];
  const w = wantedFor(ctx);
  if (!w) return [];
  const unit = rootlessUnit(w.bin);
  const tasks: HostTask[] = [
    {
      summary: `install ${w.packages.join(' ')}`,
      test: { what: `${w.packages.join(' ')} installed`, shell: allOf(w.packages.map((p) => ctx.pm.isInstalled(p))), holds: (facts) => w.packages.every((p) => facts.packages[p] !== undefined) },
      action: [...ctx.pm.env, ctx.pm.refresh, ctx.pm.install(w.packages)].filter((l): l is string => !!l),
    },
  ];
  for (const user of ctx.users) {
    const u = shQuote(user);
    const owner = `"^${user}:\\|^$(id -u ${u}):"`;
    tasks.push(
      {
        summary: `subordinate IDs for ${user} (65,536, overlapping no other range)`,
        test: { what: `${user} has subordinate IDs`, shell: `grep -q ${owner} /etc/subuid 2>/dev/null && grep -q ${owner} /etc/subgid 2>/dev/null` },
        action: [
          'for f in /etc/subuid /etc/subgid; do [ -e "$f" ] || install -m 0644 /dev/null "$f"; done',
          `start=$(cat /etc/subuid /etc/subgid | ${FIRST_FIT_AWK})`,
          `usermod --add-subuids "$start-$((start + 65535))" --add-subgids "$start-$((start + 65535))" ${u}`,
        ],
      },
      {
        summary: `enable lingering for ${user}`,
        test: { what: `${user} lingers`, shell: `[ -e /var/lib/systemd/linger/${user} ]`, holds: (facts) => facts.rootless?.users[user]?.linger },
        action: [`loginctl enable-linger ${u}`],
      },
      {
        summary: `${user}: rootless daemon as ${user}'s user service, context ${ROOTLESS_CONTEXT}`,
        test: {
          what: `${user}'s rootless daemon set up and running`,
          shell: `uid=$(id -u ${u}) && [ "$(cat ${shQuote(`${ROOTLESS_RECORD_DIR}/${user}`)} 2>/dev/null)" = "$(printf 'unit-sha256 %s\nsocket unix:///run/user/%s/docker.sock\ncontext %s' ${unitHash(unit)} "$uid" ${ROOTLESS_CONTEXT})" ] && grep -qs "user@$uid.service/app.slice/docker.service" $(for p in $(pgrep -u "$uid" -x dockerd); do echo /proc/$p/cgroup; done) /dev/null`,
          holds: (facts) => {
            const f = facts.rootless?.users[user];
            return f?.uid === undefined ? undefined : userConverged(f, unit);
          },
        },
        action: setupLines(user, unit),
        notes: [`${user} reaches their own rootless daemon (docker context ${ROOTLESS_CONTEXT})`],
      },
    );
  }
  return tasks;
}

/** The user's setup is done: dockhand's record matches this unit and socket, and the daemon runs as their user service. */
function userConverged(u: RootlessUserFacts, unit: string): boolean {
  return u.record.content === rootlessRecord(unit, u.uid!) && u.daemons.some((d) => d.userService);
}

/** --rootless on a playbook without the step (or without it for this source) is refused, never ignored. */
export function rootlessAvailable(ctx: PlanContext): void {
  if (ctx.rootless && ctx.users.length && !wantedFor(ctx)) {
    throw new PreconditionError(
      ctx.facts.host,
      `rootless Docker: playbook ${ctx.playbook.id} says nothing about it for the ${ctx.source} source`,
      'leave out --rootless (rootless: true) for this host, or add a rootless step to its playbook',
    );
  }
}

export function rootless(ctx: PlanContext): StepResult {
  if (!ctx.rootless) return ok('no user asked for rootless Docker (--rootless)');
  if (ctx.users.length === 0) return ok('--rootless, but no user to set up (root runs the system daemon)');
  rootlessAvailable(ctx);
  const w = wantedFor(ctx)!;
  const rl = ctx.facts.rootless;
  refuseUnmet(ctx, rl);
  const { facts, pm } = ctx;
  const commands: PlannedCommand[] = [];
  const reasons: string[] = [];
  const notes: string[] = [];

  const missing = w.packages.filter((p) => facts.packages[p] === undefined);
  if (missing.length) {
    reasons.push(`not installed: ${missing.join(', ')}`);
    commands.push(rootCommand(`install ${missing.join(' ')}`, script(...pm.env, pm.refresh, pm.install(missing))));
  }
  const allocations = subIdAllocations(ctx, rl);
  if (allocations.length) {
    reasons.push(`no subordinate IDs: ${allocations.map((a) => a.user).join(', ')}`);
    commands.push(subIdCommand(rl, allocations));
  }
  const unit = rootlessUnit(w.bin);
  for (const user of ctx.users) {
    const u = rl.users[user]!;
    const uid = u.uid!;
    if (u.linger !== true) {
      reasons.push(`${user}: not lingering`);
      commands.push(rootCommand(`enable lingering for ${user} (the user manager runs without a login, and after logout)`, script(`loginctl enable-linger ${shQuote(user)}`)));
    }
    if (!userConverged(u, unit) || missing.length) {
      const why = u.record.content === undefined ? 'not set up' : u.record.content !== rootlessRecord(unit, uid) ? 'set up differently' : 'daemon not running as the user service';
      reasons.push(`${user}: ${why}`);
      commands.push(setupCommand(user, uid, unit));
    }
    notes.push(`${user} reaches their own rootless daemon at unix://${rootlessSocket(uid)} (docker context ${ROOTLESS_CONTEXT}, the CLI's current context); SDKs that read only DOCKER_HOST need DOCKER_HOST=unix://${rootlessSocket(uid)}`);
    if (facts.dockerGroup.members.includes(user)) notes.push(`${user} is also in the docker group: root-equivalent access stays until \`gpasswd -d ${user} docker\``);
    if (rl.kernel.cgroup2 && u.delegated && !u.delegated.includes('cpu')) {
      notes.push(
        `${user}'s user manager is not delegated cpu/io (has: ${u.delegated.join(' ') || 'none'}): --cpus/--memory limits will not work; fix: mkdir -p /etc/systemd/system/user@.service.d && printf '[Service]\\nDelegate=cpu cpuset io memory pids\\n' > /etc/systemd/system/user@.service.d/delegate.conf && systemctl daemon-reload`,
      );
    }
  }
  if (commands.length === 0) return ok(`rootless Docker set up and running for ${ctx.users.join(', ')}`, notes);
  return change(reasons.join('; '), commands, { notes });
}
