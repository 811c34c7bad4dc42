# shellcheck shell=sh
# The doctor's own probe: client-side evidence for the checked user (CHECK_USER, default: whoever
# runs it), appended to the facts probe so the whole examination is ONE round trip, in the framing
# of probes/framing.sh. It only reads. Root-only reads (the journal) use `sudo -n` when that works
# without a password and are simply missing otherwise.
#
# Records of section `doctor`: kv pairs; `stat PATH` = "HEXMODE OWNER GROUP UID GID" (stat -L) or
# `missing`; `link PATH` = the symlink's target; `block LABEL` = the path of file LABEL (an F
# record); streams (C records) exports, journal-docker, journal-socket, tcp-listeners.
sec doctor
# How root reads are made, decided once (sudo -n costs a process and, on some hosts, a DNS look-up):
# self (we are root), sudo (passwordless), or none (the reads run as we are, and may find nothing).
if [ "$(id -u)" = 0 ]; then dh_root=self
elif has sudo && sudo -n true >/dev/null 2>&1; then dh_root=sudo
else dh_root=none; fi
as_root() { if [ "$dh_root" = sudo ]; then sudo -n "$@"; else "$@"; fi; }
file_block() { kv "block $1" "$2"; emit_file "$2"; }
dh_nl='
'
dh_seen=$dh_nl
# stat_path PATH: once per path (a path reached two ways is one record, not a repeated one).
stat_path() {
  [ -n "$1" ] || return 0
  case "$dh_seen" in *"$dh_nl$1$dh_nl"*) return 0;; esac
  dh_seen="$dh_seen$1$dh_nl"
  if [ -L "$1" ]; then kv "link $1" "$(readlink -f "$1" 2>/dev/null || readlink "$1")"; fi
  if [ -e "$1" ] || [ -S "$1" ]; then
    if s=$(stat -L -c '%f %U %G %u %g' "$1" 2>/dev/null); then kv "stat $1" "$s"; fi
  else kv "stat $1" missing; fi
}

me=$(id -un 2>/dev/null)
u=${CHECK_USER:-$me}
kv user "$u"
kv current_user "$me"
pw=$(getent passwd "$u" 2>/dev/null || grep "^$u:" /etc/passwd 2>/dev/null)
# The fields of the first entry, by expansion (no printf | cut pipeline: two forks): NAME:PW:UID:GID:
# GECOS:HOME:SHELL. The account's uid and gid are those `id -u USER` and `id -g USER` would print (the
# same NSS look-up), read from the entry instead of two more processes; `id` answers when the entry
# is not of that form.
pw=${pw%%"$dh_nl"*}
uid=""; gid=""; home=""
case "$pw" in *:*:*:*:*:*)
  dh_f=${pw#*:*:}; uid=${dh_f%%:*}; dh_f=${dh_f#*:}; gid=${dh_f%%:*}
  home=${pw#*:*:*:*:*:}; home=${home%%:*};;
esac
case "$uid" in ''|*[!0-9]*) uid=$(id -u "$u" 2>/dev/null);; esac
case "$gid" in ''|*[!0-9]*) gid=$(id -g "$u" 2>/dev/null);; esac
kv uid "$uid"
kv gid "$gid"
kv db_groups "$(id -Gn "$u" 2>/dev/null)"
if [ "$u" = "$me" ]; then kv session_groups "$(id -Gn 2>/dev/null)"; fi
[ -n "$home" ] || [ "$u" != "$me" ] || home=$HOME
kv home "$home"

# The environment is only ours to read when we run as the checked user.
if [ "$u" = "$me" ]; then
  for v in DOCKER_HOST DOCKER_CONTEXT DOCKER_CONFIG DOCKER_TLS_VERIFY DOCKER_TLS DOCKER_CERT_PATH XDG_RUNTIME_DIR; do
    eval "val=\${$v-}"
    # shellcheck disable=SC2154 # set by the eval above
    [ -n "$val" ] && kv "env.$v" "$val"
  done
  cfg=${DOCKER_CONFIG:-$home/.docker}
else
  cfg=$home/.docker
fi
kv config_dir "$cfg"

# Where DOCKER_HOST/DOCKER_CONTEXT are exported (a stale export in an rc file is a classic).
# One grep over every readable file (FILE:LINE:TEXT each, in this order), not a grep per file.
set --
for f in "$home/.bashrc" "$home/.profile" "$home/.bash_profile" "$home/.zshrc" "$home/.zprofile" \
         /etc/environment /etc/profile /etc/bash.bashrc /etc/profile.d/*.sh; do
  [ -r "$f" ] && [ ! -d "$f" ] && set -- "$@" "$f"
done
if [ "$#" -gt 0 ]; then grep -Hn 'DOCKER_HOST\|DOCKER_CONTEXT' "$@" 2>/dev/null </dev/null; fi | stream exports

stat_path "$cfg"
stat_path "$cfg/config.json"
file_block config.json "$cfg/config.json"
if [ -d "$cfg/contexts/meta" ]; then
  for d in "$cfg"/contexts/meta/*; do
    [ -f "$d/meta.json" ] && file_block "ctx:${d##*/}" "$d/meta.json"
  done
fi

# Every socket worth a look: default, rootless, Desktop, podman, and whatever endpoints mention.
run=${XDG_RUNTIME_DIR:-/run/user/$uid}
for p in /var/run/docker.sock /run/docker.sock "/run/user/$uid/docker.sock" "$run/docker.sock" \
         "$home/.docker/desktop/docker.sock" /run/podman/podman.sock "/run/user/$uid/podman/podman.sock" \
         /var/snap/docker/common/run/docker.sock; do
  stat_path "$p"
done
# Only when there is one to find: DOCKER_HOST set, or contexts (the pipeline is five processes).
dh_eps=""
if [ -n "${DOCKER_HOST-}" ] || [ -d "$cfg/contexts/meta" ]; then
  dh_eps=$({ printf '%s\n' "${DOCKER_HOST-}"; cat "$cfg"/contexts/meta/*/meta.json 2>/dev/null; } |
    grep -o 'unix://[^" ]*' 2>/dev/null | sed 's|^unix://||' | sort -u)
fi
while IFS= read -r p; do stat_path "$p"; done <<EOT
$dh_eps
EOT

{ [ -x /snap/bin/docker ] || [ -d /var/snap/docker ]; } && kv snap_docker yes
[ -d /var/snap/docker ] && file_block snap-daemon.json /var/snap/docker/current/config/daemon.json
# dh_w, dh_pids, dh_r: set by path_of, pids_of and line_of (framing.sh).
# shellcheck disable=SC2154
has podman && path_of podman && kv podman "$dh_w"
d=""; has docker && path_of docker && d=$dh_w
if [ -n "$d" ] && head -c 512 "$d" 2>/dev/null | grep -q podman; then kv docker_is_podman yes; fi

# Everything that may block is bounded ($T): journalctl on a huge journal, systemctl while a start
# job runs, sudo resolving the host name. containerd's journal names why dockerd cannot reach it.
# No journal files (no systemd, or journald keeping none): nothing to read, and no journalctl to start.
# journalctl reads the directories below; each holds a directory per machine when journald keeps files.
dh_journal=""
if has journalctl; then
  for dh_f in /run/log/journal/* /var/log/journal/*; do [ -e "$dh_f" ] && { dh_journal=yes; break; }; done
fi
# shellcheck disable=SC2086 # $T is a word list on purpose
if [ -n "$dh_journal" ]; then
  as_root $T journalctl -u docker.service -n 30 --no-pager -o cat 2>/dev/null </dev/null | stream journal-docker
  as_root $T journalctl -u docker.socket -n 10 --no-pager -o cat 2>/dev/null </dev/null | stream journal-socket
  as_root $T journalctl -u containerd.service -n 10 --no-pager -o cat 2>/dev/null </dev/null | stream journal-containerd
fi
# The unit's ExecStart is read by the facts (daemon_unit, src/doctor/parse.ts takes it from there).
# A start job still running (the daemon hangs while starting) shows in the job list.
# Only where systemd runs the host (systemd_runs): elsewhere every systemctl fails.
# shellcheck disable=SC2086
if systemd_runs; then
  $T systemctl list-jobs --no-pager --no-legend 2>/dev/null </dev/null | stream systemd-jobs
fi
# Without ss the listeners are unknown (no stream), not "none".
if has ss; then
  ss -ltn 2>/dev/null | grep -E ':237[56]([^0-9]|$)' | stream tcp-listeners
fi

# containerd's process, by name (as the facts find dockerd): with or without an init system.
pids_of containerd
# shellcheck disable=SC2154
dh_cpid=$dh_pids
dh_cpid=${dh_cpid%%"$dh_nl"*}
[ -n "$dh_cpid" ] && kv containerd_pid "$dh_cpid"

# apt's own complaints about its sources, offline: a Docker source declared twice with different
# Signed-By makes every apt command fail. Only the source list is of interest, so apt-cache is given no
# package lists and no dpkg status to build its cache from (seconds on a host without pkgcache.bin,
# as in Docker's images): it still parses every source and says what it refuses or warns about.
# shellcheck disable=SC2086
if has apt-cache; then
  $T apt-cache -o Dir::State::Lists=/nonexistent -o Dir::State::status=/dev/null policy 2>&1 >/dev/null </dev/null |
    grep -E '^(E|W): ' | head -n 20 | stream apt-errors
fi

# The kernel side of the daemon's network and cgroups: read-only.
if [ -f /sys/fs/cgroup/cgroup.controllers ]; then kv cgroup 2
elif [ -d /sys/fs/cgroup ]; then kv cgroup 1; fi
[ -r /proc/sys/net/ipv4/ip_forward ] && kv ip_forward "$(cat /proc/sys/net/ipv4/ip_forward 2>/dev/null)"
if has iptables; then
  path_of iptables; kv iptables "$dh_w"
  run iptables-version iptables --version
  # The NAT table dockerd needs; root-only, so only when root or passwordless sudo works.
  if [ "$dh_root" != none ]; then
    # shellcheck disable=SC2086
    kv iptables_nat "$(as_root $T iptables -t nat -L -n >/dev/null 2>&1 </dev/null; echo $?)"
  fi
fi

# Mandatory access control, read-only: SELinux's mode and the socket's label, AppArmor, and the
# denials that name the daemon, its socket or its runtime — from the audit log, else the kernel's and
# the audit's journal. Those are root's to read (or the journal's groups'); when neither can be read
# there is no mac-denials stream: unknown, not "none". The lines are untrusted text: bounded here,
# parsed field by field on the controller.
dh_se=""
# One-line files through line_of (the `read` builtin), not `$(cat …)`: a fork and an exec each.
if [ -r /sys/fs/selinux/enforce ]; then
  line_of /sys/fs/selinux/enforce
  # shellcheck disable=SC2154
  case "$dh_r" in 1) dh_se=Enforcing;; 0) dh_se=Permissive;; esac
fi
if [ -z "$dh_se" ] && has getenforce; then dh_se=$(getenforce 2>/dev/null); fi
# selinuxfs is mounted whenever the kernel runs SELinux: without it, SELinux is off.
if [ -z "$dh_se" ] && [ -d /sys/fs ] && [ ! -d /sys/fs/selinux ]; then dh_se=absent; fi
[ -n "$dh_se" ] && kv selinux "$dh_se"
if [ "$dh_se" = Enforcing ] || [ "$dh_se" = Permissive ]; then
  kv socket_label "$(stat -L -c %C /var/run/docker.sock 2>/dev/null)"
fi
dh_aa=""
if [ -r /sys/module/apparmor/parameters/enabled ]; then
  line_of /sys/module/apparmor/parameters/enabled; dh_aa=$dh_r
  kv apparmor "$dh_aa"
elif [ -d /sys/module ]; then kv apparmor absent; fi
dh_mac='avc: +denied|apparmor="DENIED"'
dh_mac_who='docker|containerd|runc|container_'
# shellcheck disable=SC2086 # $T is a word list on purpose
# Denials are only looked for where SELinux or AppArmor is active (the check needs none otherwise).
if [ "$dh_se" != Enforcing ] && [ "$dh_se" != Permissive ] && [ "$dh_aa" != Y ]; then :
elif as_root test -r /var/log/audit/audit.log 2>/dev/null; then
  kv mac_source 'audit log'
  as_root $T tail -n 5000 /var/log/audit/audit.log 2>/dev/null </dev/null | grep -E "$dh_mac" | grep -E "$dh_mac_who" | tail -n 20 | stream mac-denials
elif has journalctl && { [ "$dh_root" != none ] || id -Gn 2>/dev/null | grep -qwE 'systemd-journal|adm|wheel'; }; then
  kv mac_source journal
  as_root $T journalctl -q -n 5000 --no-pager -o cat _TRANSPORT=kernel + _TRANSPORT=audit 2>/dev/null </dev/null |
    grep -E "$dh_mac" | grep -E "$dh_mac_who" | tail -n 20 | stream mac-denials
fi

# Rootless Docker of the checked user (src/doctor/rootless.ts): their user unit docker.service, its
# state and journal (a user manager answers only its own user, or root through -M USER@), lingering,
# and dockhand's record of a rootless setup.
sec doctor_rootless
dh_rt=/run/user/$uid
if [ "$u" = "$me" ] && [ -n "${XDG_RUNTIME_DIR-}" ]; then dh_rt=$XDG_RUNTIME_DIR; fi
kv runtime_dir "$dh_rt"
if [ -e "$home/.config/systemd/user/docker.service" ]; then kv unit yes
elif [ -x "$home" ]; then kv unit no; fi
[ -e "/var/lib/dockhand/rootless/$u" ] && kv record yes
if [ -e "/var/lib/systemd/linger/$u" ]; then kv linger yes
elif [ -d /var/lib/systemd ]; then kv linger no; fi
# The subordinate IDs: from /etc/subuid and /etc/subgid as the facts read them (src/doctor/rootless.ts).
# shellcheck disable=SC2086 # $T is a word list on purpose
if systemd_runs && [ -n "$uid" ]; then
  if [ "$u" = "$me" ]; then
    $T systemctl --user show --no-pager -p LoadState,ActiveState,SubState,Result,UnitFileState docker.service 2>/dev/null </dev/null | stream user-unit
    [ -n "$dh_journal" ] && $T journalctl --user -u docker.service -n 20 --no-pager -o cat 2>/dev/null </dev/null | stream journal-user
  elif [ "$dh_root" != none ]; then
    as_root $T systemctl --user -M "$u@" show --no-pager -p LoadState,ActiveState,SubState,Result,UnitFileState docker.service 2>/dev/null </dev/null | stream user-unit
    [ -n "$dh_journal" ] && as_root $T journalctl "_UID=$uid" _SYSTEMD_USER_UNIT=docker.service -n 20 --no-pager -o cat 2>/dev/null </dev/null | stream journal-user
  fi
fi
