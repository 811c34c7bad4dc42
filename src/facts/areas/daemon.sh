# shellcheck shell=sh
# Fact area daemon (daemon.ts): what configures dockerd besides daemon.json — the docker unit's
# ExecStart and its drop-ins, Debian's /etc/default/docker (flags there clash with daemon.json keys
# and dockerd then refuses to start) — and what the running daemon reports (docker info): running
# containers, image store, live-restore, registry mirrors.
# DH_DROPIN_DIRS and DH_INFO_FORMAT are fixed (daemon.ts); dh_pid comes from docker.sh.
: "${DH_DROPIN_DIRS:?}" "${DH_INFO_FORMAT:?}" "${DH_DROPINS_MAX:?}"

sec daemon_unit
if systemd_runs; then
  run show systemctl show --no-pager -p ExecStart,FragmentPath,Environment docker.service
fi
# Drop-ins from the fixed directories only (never paths the host names), at most DH_DROPINS_MAX.
dh_n=0
for dh_d in $DH_DROPIN_DIRS; do
  # merged /usr: /lib is /usr/lib, whose drop-ins are read already.
  case "$dh_d" in /lib/*) [ -L /lib ] && continue;; esac
  for dh_f in "$dh_d"/*.conf; do
    [ -e "$dh_f" ] || continue
    dh_n=$((dh_n + 1))
    [ "$dh_n" -le "$DH_DROPINS_MAX" ] || break 2
    emit_file "$dh_f"
  done
done
[ "$dh_n" -gt "$DH_DROPINS_MAX" ] && kv dropins_truncated yes
[ -e /etc/default/docker ] && emit_file /etc/default/docker

# Section daemon_info (what the running daemon reports) is daemon-info.sh: the probe runs it beside
# the fragments after this one (src/facts/probe.ts).
