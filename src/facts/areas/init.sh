# shellcheck shell=sh
# Fact area init (init.ts): which init system runs the host, and whether the host is a container or WSL.

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
