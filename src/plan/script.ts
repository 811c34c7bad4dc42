/** Small helpers for the host-side scripts plans are made of (POSIX sh; dash is /bin/sh). */
import { shQuote } from '../shell/quote.js';

/** A script that stops at the first failing command. */
export function script(...lines: Array<string | false | undefined>): string {
  return ['set -eu', ...lines.filter((l): l is string => typeof l === 'string' && l !== '')].join('\n');
}

/**
 * Create a directory (mode 0755) only when it is missing: `install -d -m` on an existing directory
 * would re-mode it, and an admin's 0700 /etc/docker is theirs to keep.
 */
export function ensureDirLine(dir: string): string {
  const d = shQuote(dir);
  return `[ -d ${d} ] || install -d -m 0755 ${d}`;
}

/**
 * Shell lines that write `content` to `path` atomically: a temp file in the same directory (same
 * filesystem, so the rename is atomic), `beforeRename` lines that may check "$tmp", then rename.
 * The temp file is flushed to disk before the rename (and the directory after it), so a crash leaves
 * the old file or the new one, never an empty one. `keepOwnerAndMode`: an existing file's mode and
 * owner carry over to the new one (else `mode`, owner root). `contentFrom` replaces `content` with a
 * shell command whose output is the content.
 */
export function writeFileLines(
  path: string,
  content: string,
  opts: { mode?: string; beforeRename?: string[]; keepOwnerAndMode?: boolean; contentFrom?: string } = {},
): string[] {
  const slash = path.lastIndexOf('/');
  const dir = path.slice(0, slash) || '/';
  const f = shQuote(path);
  return [
    ensureDirLine(dir),
    `tmp=$(mktemp ${shQuote(`${dir}/.${path.slice(slash + 1)}.XXXXXX`)})`,
    `trap 'rm -f "$tmp"' EXIT`,
    // contentFrom: a command printing content computed on the host (a rendered script's merge).
    `${opts.contentFrom ?? `printf '%s' ${shQuote(content)}`} > "$tmp"`,
    `chmod ${opts.mode ?? '0644'} "$tmp"`,
    // stat -c works in GNU coreutils and busybox alike.
    ...(opts.keepOwnerAndMode
      ? [`if [ -e ${f} ]; then meta=$(stat -c '%a %u:%g' ${f}); chmod "\${meta% *}" "$tmp"; chown "\${meta#* }" "$tmp"; fi`]
      : []),
    ...(opts.beforeRename ?? []),
    // `sync FILE` fsyncs just that file (coreutils ≥ 8.24, busybox ≥ 1.31); older ones sync everything.
    `sync "$tmp" 2>/dev/null || sync`,
    `mv -f "$tmp" ${f}`,
    'trap - EXIT',
    `sync ${shQuote(dir)} 2>/dev/null || true`,
  ];
}

/**
 * Lines that delete all but the newest `keep` of `prefix`* (timestamped backups: the names sort by
 * age, and glob expansion is sorted, so the oldest come first).
 */
export function pruneBackupsLines(prefix: string, keep: number): string[] {
  return [
    `set -- ${shQuote(prefix)}*`,
    '[ -e "$1" ] || set --',
    `excess=$(($# - ${keep}))`,
    'for old in "$@"; do [ "$excess" -gt 0 ] || break; rm -f -- "$old"; excess=$((excess - 1)); done',
  ];
}

/** A message on stderr followed by failure. */
export function fail(message: string): string {
  return `{ echo ${shQuote(message)} >&2; exit 1; }`;
}

/**
 * Prefix of output lines a script means for the user while it runs (a long wait saying what it waits
 * for). Other command output stays out of the line log; these lines are shown, without the prefix.
 */
export const PROGRESS_MARK = 'dockhand-progress: ';

/**
 * An echo of a progress line: `message` is literal text (quoted here), `expanding` is appended inside
 * the same double quotes unescaped, for the shell to expand (e.g. `${waited}s`).
 */
export function progressEcho(message: string, expanding = ''): string {
  return `echo "${PROGRESS_MARK}${message.replace(/["`\\$]/g, '\\$&')}${expanding}"`;
}

/**
 * Lines that poll `condition` every 5 s until it holds, printing a progress line every 30 s (the
 * first one at once), and running `onTimeout` (which must exit) after `timeoutSeconds`.
 * `$waited` holds the seconds waited so far.
 */
export function pollUntilLines(opts: { condition: string; timeoutSeconds: number; waitingFor: string; onTimeout: string }): string[] {
  return [
    'waited=0',
    `until ${opts.condition}; do`,
    `  if [ "$waited" -ge ${opts.timeoutSeconds} ]; then ${opts.onTimeout}; fi`,
    `  if [ $((waited % 30)) -eq 0 ]; then ${progressEcho(`waiting for ${opts.waitingFor} (`, '${waited}s)')}; fi`,
    '  sleep 5',
    '  waited=$((waited + 5))',
    'done',
  ];
}
