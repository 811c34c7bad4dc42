# shellcheck shell=sh
# Fact area docker (docker.ts): the daemon configuration and its data root, the socket, the running
# dockerd (only the one run by root in our mount namespace), and the installed binaries.
: "${DH_DEFAULT_ROOT:?}" "${DH_DEFAULT_SOCKET:?}" "${DH_DPKG_PACKAGES:?}" "${DH_DPKG_INFO:?}"

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
pids_of dockerd
# shellcheck disable=SC2154 # dh_pids: set by pids_of (framing.sh)
dh_pid=$dh_pids
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
# Where each tool is (path_of: as `command -v` finds it, without a fork per tool). dh_bin_* hold the
# paths for the version look-up below.
dh_bin_docker=""; dh_bin_dockerd=""; dh_bin_containerd=""
# shellcheck disable=SC2154 # dh_w: set by path_of (framing.sh)
if has docker; then path_of docker; dh_bin_docker=$dh_w; kv docker "$dh_w"; fi
if has dockerd; then path_of dockerd; dh_bin_dockerd=$dh_w; kv dockerd "$dh_w"; fi
if has containerd; then path_of containerd; dh_bin_containerd=$dh_w; kv containerd "$dh_w"; fi

# Versions. Each `--version` starts a large Go binary (dockerd's alone: 0.1-0.2 s, and seconds on a
# host with a broken resolver). A binary that dpkg installed (its path in the file list of one of
# the Docker packages, not a symlink, not modified after the package was unpacked: no newer than
# that list) is the package's version: `PKG_package NAME` names the package and the controller takes
# the version the packages section reports for it. Any other binary is asked, bounded.
# DH_DPKG_PACKAGES: fixed package names (packages.ts); DH_DPKG_INFO: dpkg's file lists (no spaces).
dh_lists=""
if [ -d "$DH_DPKG_INFO" ] && has grep; then
  for dh_p in $DH_DPKG_PACKAGES; do
    for dh_l in "$DH_DPKG_INFO/$dh_p.list" "$DH_DPKG_INFO/$dh_p":*.list; do
      [ -f "$dh_l" ] && [ -r "$dh_l" ] && dh_lists="$dh_lists $dh_l"
    done
  done
fi
dh_owners=""
if [ -n "$dh_lists" ]; then
  # One grep for all three: lines LIST:PATH.
  # shellcheck disable=SC2086 # the list is split on purpose
  dh_owners=$(grep -HxF -e "${dh_bin_docker:-/nonexistent}" -e "${dh_bin_dockerd:-/nonexistent}" -e "${dh_bin_containerd:-/nonexistent}" $dh_lists 2>/dev/null)
fi
# dh_version NAME PATH: the owning package's name (dh_pkg), or the tool's own answer.
dh_version() {
  dh_pkg=""
  if [ -n "$dh_owners" ] && [ ! -L "$2" ]; then
    dh_ifs=$IFS; IFS='
'; set -f
    for dh_x in $dh_owners; do
      # -nt: dash, bash, busybox ash and ksh have it; a shell without it fails the test, and the
      # binary is asked (the safe side). The list newer than the binary = unchanged since unpacking.
      # shellcheck disable=SC3013
      case "$dh_x" in *":$2") dh_l=${dh_x%":$2"}; [ "$dh_l" -nt "$2" ] && { dh_pkg=${dh_l##*/}; dh_pkg=${dh_pkg%.list}; dh_pkg=${dh_pkg%%:*}; }; break;; esac
    done
    IFS=$dh_ifs; set +f
  fi
  if [ -n "$dh_pkg" ]; then kv "${1}_package" "$dh_pkg"
  # DH_ASK_CLI=no (the doctor, which reads no client version): the CLI is not asked (a Go binary, ~30 ms).
  elif [ "$1" != docker ] || [ "${DH_ASK_CLI:-yes}" = yes ]; then runt "${1}_version" "$2" --version; fi
}
[ -n "$dh_bin_dockerd" ] && dh_version dockerd "$dh_bin_dockerd"
[ -n "$dh_bin_docker" ] && dh_version docker "$dh_bin_docker"
[ -n "$dh_bin_containerd" ] && dh_version containerd "$dh_bin_containerd"
