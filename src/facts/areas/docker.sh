# shellcheck shell=sh
# Fact area docker (docker.ts): the daemon configuration and its data root, the socket, the running
# dockerd (only the one run by root in our mount namespace), and the installed binaries.
: "${DH_DEFAULT_ROOT:?}" "${DH_DEFAULT_SOCKET:?}"

sec docker_config
emit_file /etc/docker/daemon.json
# dh_root: the data root, which storage.sh (after this fragment) reads too.
dh_root=""
if has sed && [ -r /etc/docker/daemon.json ]; then
  dh_root=$(sed -n 's/.*"data-root"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' /etc/docker/daemon.json 2>/dev/null | head -n 1)
fi
[ -n "$dh_root" ] || dh_root=$DH_DEFAULT_ROOT
kv root "$dh_root"

sec socket
dh_sock=$DH_DEFAULT_SOCKET
kv path "$dh_sock"
if [ -S "$dh_sock" ]; then kv type socket; elif [ -L "$dh_sock" ]; then kv type symlink
elif [ -d "$dh_sock" ]; then kv type directory; elif [ -f "$dh_sock" ]; then kv type file
elif [ -e "$dh_sock" ]; then kv type other; else kv type none; fi
if [ -e "$dh_sock" ] || [ -L "$dh_sock" ]; then
  has stat && kv stat "$(stat -c '%u|%g|%a|%U|%G' "$dh_sock" 2>/dev/null)"
fi

sec dockerd
dh_pid=$(pids_of dockerd)
# A dockerd inside a container on this host (nspawn, a VM-less sandbox) shows up in our /proc too;
# only one in our own mount namespace serves our socket. Unreadable ns links (not root) count as ours.
dh_self_ns=$(readlink /proc/self/ns/mnt 2>/dev/null)
dh_ours=""
# Anyone can start a process called dockerd: only the one run by root is the system daemon. Others are
# reported (by pid and uid), never read. `owners_known`: their owners could be read (stat exists), so
# no `foreign` record means there is none.
has stat && kv owners_known yes
for dh_p in $dh_pid; do
  if has stat; then
    dh_owner=$(stat -c %u "/proc/$dh_p" 2>/dev/null)
    if [ -n "$dh_owner" ] && [ "$dh_owner" != 0 ]; then kv "foreign $dh_p" "$dh_owner"; continue; fi
  fi
  dh_ns=$(readlink "/proc/$dh_p/ns/mnt" 2>/dev/null)
  if [ -z "$dh_ns" ] || [ -z "$dh_self_ns" ] || [ "$dh_ns" = "$dh_self_ns" ]; then dh_ours=$dh_p; break; fi
done
dh_pid=$dh_ours
if [ -n "$dh_pid" ]; then
  kv pid "$dh_pid"
  # argv as it is (NUL-separated, any bytes): through od like every other byte stream.
  [ -r "/proc/$dh_pid/cmdline" ] && stream cmdline 2>/dev/null < "/proc/$dh_pid/cmdline"
fi

sec binaries
for dh_b in docker dockerd containerd; do has "$dh_b" && kv "$dh_b" "$(command -v "$dh_b")"; done
# Bounded: on a host whose docker.socket holds a daemon that never answers, `docker --version`
# was seen to block (issue 9, containerd masked) and with it the whole probe.
has dockerd && runt dockerd_version dockerd --version
has docker && runt docker_version docker --version
has containerd && runt containerd_version containerd --version
