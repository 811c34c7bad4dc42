# shellcheck shell=sh
# The facts probe: run once per host without sudo; prints everything src/facts/types.ts needs, in
# the framing of probes/framing.sh (prepended, with the DH_* word lists from src/facts/probe.ts).
# It only reads.
# The DH_* lists are fixed words without glob characters, split on purpose.
# shellcheck disable=SC2086
: "${DH_DPKG_PACKAGES:?}" "${DH_RPM_PACKAGES:?}" "${DH_OTHER_PACKAGES:?}" "${DH_UNITS:?}" "${DH_STORAGE_DRIVERS:?}"
: "${DH_LOCK_FILES:?}" "${DH_PID_LOCK_FILES:?}" "${DH_DEFAULT_ROOT:?}" "${DH_DEFAULT_SOCKET:?}"
: "${DH_APT_KEYRING:?}" "${DH_RPM_REPO:?}" "${DH_RPM_KEY:?}"

sec meta
kv probe 2

sec os
if [ -e /etc/os-release ]; then emit_file /etc/os-release; else emit_file /usr/lib/os-release; fi

sec arch
kv machine "$(uname -m 2>/dev/null)"
kv kernel "$(uname -r 2>/dev/null)"
has dpkg && kv dpkg "$(dpkg --print-architecture 2>/dev/null)"
has rpm && kv rpm "$(rpm --eval '%_arch' 2>/dev/null)"
has apk && kv apk "$(apk --print-arch 2>/dev/null)"

sec init
[ -r /proc/1/comm ] && kv pid1 "$(cat /proc/1/comm 2>/dev/null)"
kv systemd_booted "$(yn test -d /run/systemd/system)"
kv openrc "$(yn test -d /run/openrc)"
kv service_cmd "$(yn has service)"
kv rc_service_cmd "$(yn has rc-service)"
dh_wsl=no
[ -n "$WSL_DISTRO_NAME" ] && dh_wsl=yes
[ -e /proc/sys/fs/binfmt_misc/WSLInterop ] && dh_wsl=yes
if [ -r /proc/version ]; then case "$(cat /proc/version)" in *[Mm]icrosoft*|*WSL*) dh_wsl=yes;; esac; fi
kv wsl "$dh_wsl"
if has systemd-detect-virt; then kv detect_virt "$(systemd-detect-virt -c 2>/dev/null)"; fi
[ -r /run/systemd/container ] && kv systemd_container "$(cat /run/systemd/container 2>/dev/null)"
[ -e /run/.containerenv ] && kv containerenv yes
[ -e /.dockerenv ] && kv dockerenv yes
if [ -r /proc/1/environ ] && has tr; then
  dh_c=$(tr '\000' '\n' 2>/dev/null < /proc/1/environ | while IFS= read -r dh_e; do case "$dh_e" in container=*) printf '%s' "${dh_e#container=}";; esac; done)
  [ -n "$dh_c" ] && kv pid1_container "$dh_c"
fi

sec pkg
for dh_t in apt-get dpkg dnf dnf5 yum zypper pacman apk rpm; do kv "$dh_t" "$(yn has $dh_t)"; done
if has dnf; then runt dnf_version dnf --version; fi

sec privilege
dh_uid=$(id -u 2>/dev/null)
kv uid "$dh_uid"
kv sudo "$(yn has sudo)"
if [ "$dh_uid" != 0 ] && has sudo; then
  if $T sudo -n true </dev/null >/dev/null 2>&1; then kv sudo_n yes; else kv sudo_n no; fi
fi

sec user
dh_user=$(id -un 2>/dev/null)
kv name "$dh_user"
kv uid "$dh_uid"
kv gid "$(id -g 2>/dev/null)"
kv group "$(id -gn 2>/dev/null)"
kv home "$HOME"
kv sudo_user "$SUDO_USER"
kv session_groups "$(id -Gn 2>/dev/null)"
kv session_gids "$(id -G 2>/dev/null)"
[ -n "$dh_user" ] && run db_groups id -Gn "$dh_user"
# Membership lines straight from the group database, in case `id -Gn USER` is unavailable.
group_db | while IFS= read -r dh_g; do case ",${dh_g##*:}," in *",$dh_user,"*) printf '%s\n' "$dh_g";; esac; done | stream member_of

sec docker_group
group_db | while IFS= read -r dh_g; do case "$dh_g" in docker:*) printf '%s\n' "$dh_g";; esac; done | stream group

sec packages
if has dpkg-query; then
  # shellcheck disable=SC2016 # dpkg-query's own ${field} syntax
  run dpkg dpkg-query -W -f='${Package}\t${Version}\t${db:Status-Abbrev}\n' $DH_DPKG_PACKAGES
  # An interrupted dpkg run: packages left unpacked or half-configured (`dpkg --audit` lists them),
  # or journal files under updates/ that the next dpkg run replays first.
  run dpkg_audit dpkg --audit
  if [ -d /var/lib/dpkg/updates ]; then
    dh_n=0; for dh_f in /var/lib/dpkg/updates/*; do [ -e "$dh_f" ] && dh_n=$((dh_n + 1)); done
    kv dpkg_updates "$dh_n"
  fi
fi
if has rpm; then run rpm rpm -q --qf '%{NAME}\t%{EPOCH}:%{VERSION}-%{RELEASE}\n' $DH_RPM_PACKAGES; fi
if has pacman; then run pacman pacman -Q $DH_OTHER_PACKAGES; fi
if has apk && [ -r /lib/apk/db/installed ]; then
  while IFS= read -r dh_a; do case "$dh_a" in P:*|V:*) printf '%s\n' "$dh_a";; esac; done < /lib/apk/db/installed | stream apk
fi

sec units
if [ -d /run/systemd/system ] && has systemctl; then
  run show systemctl show --no-pager -p Id,LoadState,ActiveState,SubState,UnitFileState,Result,MainPID $DH_UNITS
fi

sec services
if [ ! -d /run/systemd/system ]; then
  for dh_s in docker containerd; do
    if has rc-service; then kv "$dh_s" "$($T rc-service "$dh_s" status >/dev/null 2>&1 </dev/null; echo $?)"
    elif has service; then kv "$dh_s" "$($T service "$dh_s" status >/dev/null 2>&1 </dev/null; echo $?)"; fi
  done
fi

# OpenRC: enabled at boot = linked into the default runlevel (what rc-update add NAME default does).
if [ -d /etc/runlevels ]; then
  for dh_s in docker containerd; do
    [ -e "/etc/init.d/$dh_s" ] || continue
    if [ -e "/etc/runlevels/default/$dh_s" ] || [ -L "/etc/runlevels/default/$dh_s" ]; then kv "enabled_$dh_s" yes; else kv "enabled_$dh_s" no; fi
  done
fi

sec docker_config
emit_file /etc/docker/daemon.json
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

sec storage
kv path "$dh_root"
kv exists "$(yn test -d "$dh_root")"
# The nearest existing directory tells the filesystem the root is (or will be) on.
dh_d=$dh_root
while [ ! -d "$dh_d" ]; do dh_d=${dh_d%/*}; [ -n "$dh_d" ] || dh_d=/; done
kv probe_dir "$dh_d"
if has findmnt; then kv fstype "$(findmnt -n -o FSTYPE -T "$dh_d" 2>/dev/null | head -n 1)"
elif has stat; then kv fstype_statf "$(stat -f -c %T "$dh_d" 2>/dev/null)"; fi
if has findmnt; then dh_mnt=$(findmnt -n -o TARGET -T "$dh_d" 2>/dev/null | head -n 1); else dh_mnt=$dh_d; fi
if has xfs_info; then run xfs_info xfs_info "$dh_mnt"; fi
run df df -P "$dh_d"
run dfi df -Pi "$dh_d"
if [ -d "$dh_root" ]; then
  if [ -r "$dh_root" ] && [ -x "$dh_root" ]; then
    kv readable yes
    for dh_drv in $DH_STORAGE_DRIVERS; do
      [ -d "$dh_root/$dh_drv" ] && [ -n "$(ls -A "$dh_root/$dh_drv" 2>/dev/null)" ] && kv "driver.$dh_drv" yes
      dh_img="$dh_root/image/$dh_drv/imagedb/content/sha256"
      # shellcheck disable=SC2012 # a count of names; odd names cannot change it
      [ -d "$dh_img" ] && kv "images.$dh_drv" "$(ls -A "$dh_img" 2>/dev/null | wc -l)"
    done
    # Engine 29's containerd image store keeps layers in a snapshotter instead (system containerd's
    # may also belong to other clients such as Kubernetes; it still means data a switch would hide).
    dh_snapdata=no
    for dh_snap in "$dh_root/containerd/daemon/io.containerd.snapshotter.v1.overlayfs/snapshots" /var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots; do
      [ -d "$dh_snap" ] && [ -n "$(ls -A "$dh_snap" 2>/dev/null)" ] && dh_snapdata=yes
    done
    [ "$dh_snapdata" = yes ] && kv driver.overlayfs yes
    # shellcheck disable=SC2012 # a count of names; odd names cannot change it
    [ -d "$dh_root/containers" ] && kv containers "$(ls -A "$dh_root/containers" 2>/dev/null | wc -l)"
  else
    kv readable no
  fi
fi

sec overlay
dh_ov=no
if [ -r /proc/filesystems ]; then
  while IFS= read -r dh_f; do case "$dh_f" in *[[:space:]]overlay|overlay) dh_ov=yes;; esac; done < /proc/filesystems
  kv supported "$dh_ov"
fi
dh_ml=no
[ -d /sys/module/overlay ] && dh_ml=yes
if [ -r /proc/modules ]; then
  while IFS= read -r dh_f; do case "$dh_f" in "overlay "*) dh_ml=yes;; esac; done < /proc/modules
fi
kv module_loaded "$dh_ml"
dh_pers=no
for dh_f in /etc/modules-load.d/*.conf /usr/lib/modules-load.d/*.conf /lib/modules-load.d/*.conf /etc/modules; do
  [ -r "$dh_f" ] || continue
  while IFS= read -r dh_x; do case "$dh_x" in overlay|overlay[[:space:]]*) dh_pers=yes;; esac; done < "$dh_f"
done
kv persisted "$dh_pers"

sec dockerd
dh_pid=""
if has pidof; then dh_pid=$(pidof dockerd 2>/dev/null)
elif has pgrep; then dh_pid=$(pgrep -x dockerd 2>/dev/null)
else
  for dh_p in /proc/[0-9]*; do
    [ "$(cat "$dh_p/comm" 2>/dev/null)" = dockerd ] && dh_pid="$dh_pid ${dh_p#/proc/}"
  done
fi
# A dockerd inside a container on this host (nspawn, a VM-less sandbox) shows up in our /proc too;
# only one in our own mount namespace serves our socket. Unreadable ns links (not root) count as ours.
dh_self_ns=$(readlink /proc/self/ns/mnt 2>/dev/null)
dh_ours=""
# Anyone can start a process called dockerd: only the one run by root is the system daemon. Others are
# reported (by pid and uid), never read.
for dh_p in $dh_pid; do
  case "$dh_p" in ''|*[!0-9]*) continue;; esac
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
for dh_b in docker dockerd containerd; do has $dh_b && kv "$dh_b" "$(command -v $dh_b)"; done
# Bounded: on a host whose docker.socket holds a daemon that never answers, `docker --version`
# was seen to block (issue 9, containerd masked) and with it the whole probe.
has dockerd && runt dockerd_version dockerd --version
has docker && runt docker_version docker --version
has containerd && runt containerd_version containerd --version

sec cloud_init
kv present "$(yn has cloud-init)"
has cloud-init && runt status cloud-init status

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

sec apt_sources
if [ -d /etc/apt ]; then
  kv apt yes
  for dh_f in /etc/apt/sources.list /etc/apt/sources.list.d/*; do
    [ -f "$dh_f" ] || continue
    case "${dh_f##*/}" in
      docker.list|docker.sources|download_docker_com_linux_*) emit_file "$dh_f"; continue;;
    esac
    [ -r "$dh_f" ] || continue
    case "$(cat "$dh_f" 2>/dev/null)" in
      *linux/ubuntu*|*linux/debian*|*linux/raspbian*) emit_file "$dh_f";;
    esac
  done
  for dh_f in /etc/apt/trusted.gpg.d/docker*; do [ -e "$dh_f" ] && kv "legacy_key $dh_f" yes; done
  # Small and ASCII-armoured: the plan reads which key it is from the text (no gpg needed here).
  emit_file "$DH_APT_KEYRING"
fi

sec rpm_repo
if [ -d /etc/yum.repos.d ]; then
  emit_file "$DH_RPM_REPO"
  emit_file "$DH_RPM_KEY"
fi
