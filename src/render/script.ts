/**
 * The standalone script: POSIX sh (dash, busybox ash, bash), the distribution's own tools only. It
 * is the playbook's steps as their host tasks (src/plan/steps): per task the state test runs first and
 * the action only when it fails, so a converged host sees no change and no dockerd restart.
 *
 * Layout: a comment header (dockhand version, options, exit codes, the sha256 of the body), the line
 * BODY_MARK, then the body. `sed '1,/^# --- body ---$/d' script | sha256sum` gives the header's hash.
 */
import { createHash } from 'node:crypto';
import { shQuote } from '../shell/quote.js';
import { stepDefinition, type HostTask } from '../plan/steps/index.js';
import { STORAGE_REFUSED_EXIT } from '../plan/steps/storage.js';
import type { RenderTarget } from './target.js';

export const BODY_MARK = '# --- body ---';

/** The script's exit codes (README "render"; the header repeats them). */
export const SCRIPT_EXIT = {
  ok: 0,
  stepFailed: 1,
  wrongHost: 3,
  daemonJson: 4,
  notRoot: 5,
  storageRefused: STORAGE_REFUSED_EXIT,
  wouldChange: 10,
  usage: 64,
} as const;

const EXIT_DOC = [
  `${SCRIPT_EXIT.ok}  converged: nothing to do, or every change made and verified`,
  `${SCRIPT_EXIT.stepFailed}  a step or a check failed (the output names it; later steps did not run)`,
  `${SCRIPT_EXIT.wrongHost}  not the OS or architecture this script was made for: nothing changed`,
  `${SCRIPT_EXIT.daemonJson}  /etc/docker/daemon.json cannot be merged safely: nothing changed`,
  `${SCRIPT_EXIT.notRoot}  not run as root: nothing changed`,
  `${SCRIPT_EXIT.storageRefused}  overlay2 cannot run here (kernel, data root filesystem) or a storage switch would hide images: nothing changed`,
  `${SCRIPT_EXIT.wouldChange} --dry-run: something would change (0: nothing would)`,
  `${SCRIPT_EXIT.usage} unknown option`,
];

export interface ScriptMeta {
  version: string;
  /** The options as given, one `--flag value` each (shown in the header). */
  options: string[];
}

export interface RenderedScript {
  text: string;
  bodySha256: string;
}

/** Comment lines: printable ASCII only, so nothing in an option can end the comment or the line. */
function comment(text: string): string {
  return `# ${text.replace(/[^\x20-\x7e]/g, '?')}`;
}

/**
 * Indents each line's first physical line only: an element spanning lines may hold a quoted file
 * content (printf '%s' 'Types: deb\nURIs: …'), which must reach the host exactly as written.
 */
function indent(lines: readonly string[], by = '    '): string[] {
  return lines.map((l) => (l === '' ? '' : `${by}${l}`));
}

/** The runtime identity check: refuse, saying what was found, on another OS, release or machine. */
function identityLines({ identity }: RenderTarget): string[] {
  const want = `${identity.label}, ${identity.machine}`;
  const release = identity.version
    ? `case $dh_version in ${shQuote(identity.version)}|${shQuote(identity.version)}.*) ;; *) ${identity.codename ? `[ "$dh_codename" = ${shQuote(identity.codename)} ] || ` : ''}dh_wrong=1 ;; esac`
    : '';
  return [
    'dh_osr() { sed -n "s/^$1=//p" /etc/os-release 2>/dev/null | head -n 1 | tr -d "\\"\'"; }',
    'dh_id=$(dh_osr ID); dh_version=$(dh_osr VERSION_ID); dh_codename=$(dh_osr VERSION_CODENAME); dh_machine=$(uname -m)',
    'dh_wrong=0',
    `[ "$dh_id" = ${shQuote(identity.id)} ] || dh_wrong=1`,
    ...(release ? [release] : []),
    `[ "$dh_machine" = ${shQuote(identity.machine)} ] || dh_wrong=1`,
    'if [ "$dh_wrong" = 1 ]; then',
    `  echo ${shQuote(`dockhand: this script is for ${want}; this host is`)} "ID=\${dh_id:-?} VERSION_ID=\${dh_version:-?} VERSION_CODENAME=\${dh_codename:-?}, \${dh_machine}: nothing changed" >&2`,
    `  exit ${SCRIPT_EXIT.wrongHost}`,
    'fi',
  ];
}

function taskLines(stepLabel: string, task: HostTask): string[] {
  const label = shQuote(`${stepLabel}: ${task.summary}`);
  const notes = (task.notes ?? []).map((n) => `  echo ${shQuote(`dockhand:   note: ${n}`)}`);
  if (task.check) {
    return [
      'if [ "$dh_dry" = 1 ] && [ "$dh_check" = 0 ]; then',
      `  echo "dockhand: would check: "${label}`,
      'else',
      `  echo "dockhand: check: "${label}`,
      '  (',
      '    set -eu',
      ...indent(task.action),
      `  ) || dh_failed ${label} $?`,
      'fi',
    ];
  }
  // Package lists in $missing are split into words on purpose.
  const split = [...task.action, task.test.shell].some((l) => l.includes(' $missing')) ? ['# shellcheck disable=SC2086'] : [];
  return [
    ...split,
    // The test runs in a subshell: it may exit, and nothing it sets leaks into the script.
    'if (',
    ...indent([task.test.shell], '  '),
    ') >/dev/null 2>&1; then',
    `  echo "dockhand: ok: "${shQuote(`${stepLabel}: ${task.test.what}`)}`,
    'elif [ "$dh_dry" = 1 ]; then',
    `  echo "dockhand: would: "${label}`,
    ...notes,
    ...(task.waits ? [] : ['  dh_changes=$((dh_changes + 1))']),
    'else',
    `  echo "dockhand: ${task.waits ? 'wait' : 'change'}: "${label}`,
    ...notes,
    '  (',
    '    set -eu',
    ...indent(task.action),
    `  ) || dh_failed ${label} $?`,
    ...(task.waits ? [] : ['  dh_changes=$((dh_changes + 1))']),
    ...(task.changesDaemonConfig ? ['  dh_config_changed=1'] : []),
    'fi',
  ];
}

export function renderScript(target: RenderTarget, meta: ScriptMeta): RenderedScript {
  const { ctx, selection } = target;
  // The steps this target's plan has (as buildPlan: a step that `applies` only to some plans —
  // rootless, only with --rootless — is left out, so the script's numbering is the plan's).
  const steps = selection.playbook.steps
    .map(({ step }) => ({ id: step, def: stepDefinition(step) }))
    .filter(({ def }) => !def.applies || def.applies(ctx));
  const helpers = steps.flatMap(({ def }) => def.helpers?.(ctx) ?? []);
  const preflight = steps.flatMap(({ def }) => def.preflight?.(ctx) ?? []);
  const body: string[] = [
    'set -u',
    'dh_dry=0',
    'dh_check=0',
    'for dh_arg in "$@"; do',
    '  case $dh_arg in',
    '    --dry-run) dh_dry=1 ;;',
    '    --check) dh_dry=1; dh_check=1 ;;',
    '    --from-cloud-init) DOCKHAND_FROM_CLOUD_INIT=1 ;;',
    `    -h|--help) sed -n '2,/^${BODY_MARK}$/p' "$0" 2>/dev/null | sed 's/^# \\{0,1\\}//'; exit 0 ;;`,
    `    *) echo "dockhand: unknown option: $dh_arg (options: --dry-run, --check, --help)" >&2; exit ${SCRIPT_EXIT.usage} ;;`,
    '  esac',
    'done',
    'export DOCKHAND_FROM_CLOUD_INIT="${DOCKHAND_FROM_CLOUD_INIT:-}"',
    'export PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin${PATH:+:$PATH}"',
    `if [ "$(id -u)" != 0 ]; then echo 'dockhand: run this script as root (sudo sh SCRIPT): nothing changed' >&2; exit ${SCRIPT_EXIT.notRoot}; fi`,
    ...identityLines(target),
    'dh_changes=0',
    'dh_config_changed=',
    // What this run changed in the daemon's configuration (daemon.json keys, the proxy drop-in), for
    // the services step's reload-or-restart; actions run in subshells, so it goes through a file.
    'dh_state=$(mktemp -d "${TMPDIR:-/tmp}/dockhand.XXXXXX") || exit 1',
    `trap 'rm -rf "$dh_state"' EXIT`,
    "trap 'exit 1' HUP INT TERM",
    `dh_failed() { echo "dockhand: failed (exit $2): $1" >&2; if [ "$2" = ${SCRIPT_EXIT.daemonJson} ]; then exit ${SCRIPT_EXIT.daemonJson}; fi; exit ${SCRIPT_EXIT.stepFailed}; }`,
    ...helpers,
  ];
  for (const p of preflight) {
    body.push(`if ! ( ${p.shell} ); then echo ${shQuote(`dockhand: ${p.refusal}`)} >&2; exit ${p.exitCode}; fi`);
  }
  steps.forEach(({ id: step, def }, i) => {
    const label = `[${i + 1}/${steps.length}] ${step}`;
    body.push('', comment(`${label}: ${def.title}`));
    const tasks = def.tasks(ctx);
    if (tasks.length === 0) body.push(`echo "dockhand: ok: "${shQuote(`${label}: nothing to do with source ${ctx.source}`)}`);
    for (const task of tasks) body.push(...taskLines(label, task));
  });
  body.push(
    '',
    'if [ "$dh_dry" = 1 ]; then',
    `  if [ "$dh_changes" -gt 0 ]; then echo "dockhand: dry run: $dh_changes change(s) would be made"; exit ${SCRIPT_EXIT.wouldChange}; fi`,
    '  echo "dockhand: dry run: converged, nothing would change"; exit 0',
    'fi',
    'if [ "$dh_changes" -eq 0 ]; then echo "dockhand: converged: nothing changed"; else echo "dockhand: done: $dh_changes change(s) made and verified"; fi',
    '',
  );
  const bodyText = body.join('\n');
  const bodySha256 = createHash('sha256').update(bodyText).digest('hex');
  const users = ctx.users.length ? ctx.users.join(', ') : '(none)';
  const header = [
    '#!/bin/sh',
    // Structural, on purpose: tests and actions run in subshells (they may exit; what they export stays
    // there), the legacy-file loop is shared by a test and an action, and file contents are written
    // in single quotes (a .repo file's $basearch is yum's, not the shell's).
    '# shellcheck disable=SC2016,SC2030,SC2031,SC2234,SC2235,SC2317',
    comment(`dockhand ${meta.version} render: Docker for ${target.identity.label}, ${target.identity.machine}`),
    comment(`playbook ${selection.playbook.id}, source ${ctx.source}${ctx.repo ? ` (${ctx.repo.base}/${ctx.repo.path} ${ctx.repo.suite} ${ctx.repo.channel}, key ${ctx.repo.fingerprint})` : ''}`),
    comment(`options: ${meta.options.length ? meta.options.join(' ') : '(defaults)'}`),
    comment(`docker group members added: ${users}`),
    ...(ctx.users.length ? [comment('  the docker group is root-equivalent: its members can start containers as root on this host')] : []),
    comment(`body-sha256: ${bodySha256}`),
    comment(`  check: sed '1,/^${BODY_MARK}$/d' SCRIPT | sha256sum`),
    '#',
    comment('Usage: sudo sh SCRIPT [--dry-run]   (POSIX sh: dash, busybox ash, bash)'),
    comment('  Each step tests its state first and changes only what is not as wanted; a second run changes nothing.'),
    comment('  --dry-run prints what would change and changes nothing; --check also runs the checks (daemon'),
    comment('  answers, storage driver, users reach the API): exit 0 only on a converged, working host.'),
    comment('  DOCKHAND_USERS=a,b (environment) adds more users to the docker group at run time.'),
    comment('  DOCKHAND_ALLOW_STORAGE_SWITCH=1 (environment) allows a storage switch that hides images (exit 6 otherwise).'),
    comment('Exit codes:'),
    ...EXIT_DOC.map((l) => comment(`  ${l}`)),
    BODY_MARK,
  ];
  return { text: `${header.join('\n')}\n${bodyText}`, bodySha256 };
}
