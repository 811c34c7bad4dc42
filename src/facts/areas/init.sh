# shellcheck shell=sh
# Fact area init (init.ts): which init system runs the host, and whether the host is a container or WSL.

sec init
# One-line files are read with line_of (the `read` builtin): `$(cat …)` costs a fork and an exec each.
# shellcheck disable=SC2154 # dh_r: set by line_of (framing.sh)
if [ -r /proc/1/comm ]; then line_of /proc/1/comm; kv pid1 "$dh_r"; fi
kvyn systemd_booted test -d /run/systemd/system
kvyn openrc test -d /run/openrc
kvyn service_cmd has service
kvyn rc_service_cmd has rc-service
dh_wsl=no
[ -n "$WSL_DISTRO_NAME" ] && dh_wsl=yes
[ -e /proc/sys/fs/binfmt_misc/WSLInterop ] && dh_wsl=yes
if [ -r /proc/version ]; then line_of /proc/version; case "$dh_r" in *[Mm]icrosoft*|*WSL*) dh_wsl=yes;; esac; fi
kv wsl "$dh_wsl"
if has systemd-detect-virt; then kv detect_virt "$(systemd-detect-virt -c 2>/dev/null)"; fi
if [ -r /run/systemd/container ]; then line_of /run/systemd/container; kv systemd_container "$dh_r"; fi
[ -e /run/.containerenv ] && kv containerenv yes
[ -e /.dockerenv ] && kv dockerenv yes
if [ -r /proc/1/environ ] && has tr; then
  dh_c=$(tr '\000' '\n' 2>/dev/null < /proc/1/environ | while IFS= read -r dh_e; do case "$dh_e" in container=*) printf '%s' "${dh_e#container=}";; esac; done)
  [ -n "$dh_c" ] && kv pid1_container "$dh_c"
fi
