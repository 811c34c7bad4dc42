# shellcheck shell=sh
# Fact area locks (locks.ts): which processes hold the package manager locks now.
# The DH_* lists are fixed paths without glob characters or spaces (locks.ts).
: "${DH_LOCK_FILES:?}" "${DH_PID_LOCK_FILES:?}"

sec locks
dh_ls=""
for dh_f in $DH_LOCK_FILES; do [ -e "$dh_f" ] && dh_ls="$dh_ls $dh_f"; done
if [ -n "$dh_ls" ] && has ls; then
  # ls -di prints "INODE PATH" for each; /proc/locks names the inode of each held lock. One ls for
  # all of them (a fork per file before).
  # shellcheck disable=SC2012,SC2086 # only the inode number is read; the list is split on purpose
  ls -di $dh_ls 2>/dev/null | while read -r dh_i dh_f; do kv "inode $dh_f" "$dh_i"; done
fi
for dh_f in $DH_PID_LOCK_FILES; do
  [ -e "$dh_f" ] && kv "pidfile $dh_f" "$(head -n 1 "$dh_f" 2>/dev/null)"
done
if [ -r /proc/locks ]; then
  emit_file /proc/locks
  # The command name of every PID that holds a lock: /proc/PID/comm is readable by anyone.
  dh_seen=" "
  set -f  # the fields are split unquoted below; no globbing of them
  while IFS= read -r dh_x; do
    # shellcheck disable=SC2086 # split into fields on purpose
    set -- $dh_x
    [ "$2" = "->" ] && shift
    dh_lp=$5
    case "$dh_lp" in ''|*[!0-9]*) continue;; esac
    case "$dh_seen" in *" $dh_lp "*) continue;; esac
    dh_seen="$dh_seen$dh_lp "
    # The shell's read, not a cat per lock holder (IFS= keeps the name as $(cat) did).
    if [ -r "/proc/$dh_lp/comm" ]; then dh_comm=""; { IFS= read -r dh_comm < "/proc/$dh_lp/comm"; } 2>/dev/null; kv "comm $dh_lp" "$dh_comm"; fi
  done < /proc/locks
  set +f
fi
