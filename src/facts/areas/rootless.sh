# shellcheck shell=sh
# Fact area rootless (rootless.ts): what rootless Docker needs from the kernel and the distribution
# (unprivileged user namespaces, AppArmor's restriction on them, cgroup v2, newuidmap), the
# subordinate ID files, and for each user asked about (the script's arguments, "$@" — read here,
# before locks.sh reuses them): the account, lingering, the user manager, a dockerd that user runs
# (and whether it runs as their systemd user service), and the record dockhand keeps of its setup.
# All of it is readable without root; the user's home (0700 on current Debian) is not looked into.
: "${DH_RECORD_DIR:?}"

sec rootless_kernel
for dh_k in kernel/unprivileged_userns_clone user/max_user_namespaces kernel/apparmor_restrict_unprivileged_userns; do
  [ -r "/proc/sys/$dh_k" ] && kv "$dh_k" "$(cat "/proc/sys/$dh_k" 2>/dev/null)"
done
kvyn cgroup2 test -f /sys/fs/cgroup/cgroup.controllers
# shellcheck disable=SC2154 # dh_w: set by path_of (framing.sh)
for dh_b in newuidmap newgidmap rootlesskit slirp4netns pasta dockerd-rootless.sh; do has "$dh_b" && path_of "$dh_b" && kv "bin $dh_b" "$dh_w"; done
[ -x /usr/share/docker.io/contrib/dockerd-rootless.sh ] && kv "bin contrib" /usr/share/docker.io/contrib/dockerd-rootless.sh
# An AppArmor profile that lets rootlesskit create user namespaces (what Ubuntu 24.04+ needs when it
# restricts them): file names only, at most 20.
if [ -d /etc/apparmor.d ]; then
  dh_n=0
  for dh_f in /etc/apparmor.d/*; do
    { [ -f "$dh_f" ] && [ -r "$dh_f" ]; } || continue
    if grep -q rootlesskit "$dh_f" 2>/dev/null && grep -q userns "$dh_f" 2>/dev/null; then
      kv "apparmor ${dh_f##*/}" yes
      dh_n=$((dh_n + 1)); [ "$dh_n" -ge 20 ] && break
    fi
  done
fi

sec subids
emit_file /etc/subuid
emit_file /etc/subgid

sec rootless_daemons
# Every dockerd not run by root (at most 32): its owner and its cgroup (a user service of that user
# runs in user@UID.service/app.slice/docker.service). /proc/PID/cgroup is world-readable.
# The name is read with the shell's own `read` (no `cat` per process: on a busy host that loop was
# most of the probe's time, ~1 ms a fork); IFS= keeps it byte for byte, as $(cat) did.
dh_n=0
for dh_p in /proc/[0-9]*; do
  dh_comm=""; { IFS= read -r dh_comm < "$dh_p/comm"; } 2>/dev/null
  [ "$dh_comm" = dockerd ] || continue
  dh_owner=$(stat -c %u "$dh_p" 2>/dev/null) || continue
  { [ -n "$dh_owner" ] && [ "$dh_owner" != 0 ]; } || continue
  kv "uid ${dh_p#/proc/}" "$dh_owner"
  head -c 4096 "$dh_p/cgroup" 2>/dev/null | stream "cgroup ${dh_p#/proc/}"
  dh_n=$((dh_n + 1)); [ "$dh_n" -ge 32 ] && break
done

sec rootless_users
for dh_u in "$@"; do
  getent passwd "$dh_u" 2>/dev/null | head -n 1 | stream "passwd $dh_u"
  if [ -e "/var/lib/systemd/linger/$dh_u" ]; then kv "linger $dh_u" yes
  elif [ -d /var/lib/systemd/linger ] || [ -d /var/lib/systemd ]; then kv "linger $dh_u" no; fi
  emit_file "$DH_RECORD_DIR/$dh_u"
  dh_ruid=$(id -u "$dh_u" 2>/dev/null) || continue
  if systemd_runs; then
    run "manager $dh_u" systemctl show --no-pager -p ActiveState,DelegateControllers "user@$dh_ruid.service"
  fi
done
