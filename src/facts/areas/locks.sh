# shellcheck shell=sh
# Fact area locks (locks.ts): which processes hold the package manager locks now.
# The DH_* lists are fixed paths without glob characters or spaces (locks.ts).
: "${DH_LOCK_FILES:?}" "${DH_PID_LOCK_FILES:?}"

sec locks
for dh_f in $DH_LOCK_FILES; do
  if [ -e "$dh_f" ]; then
    # ls -di prints "INODE PATH"; /proc/locks names the inode of each held lock.
    # shellcheck disable=SC2012 # only the inode number is read
    if has ls; then kv "inode $dh_f" "$(ls -di "$dh_f" 2>/dev/null | { read -r dh_i _; echo "$dh_i"; })"; fi
  fi
done
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
    [ -r "/proc/$dh_lp/comm" ] && kv "comm $dh_lp" "$(cat "/proc/$dh_lp/comm" 2>/dev/null)"
  done < /proc/locks
  set +f
fi
