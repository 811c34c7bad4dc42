# shellcheck shell=sh
# Fact area services (services.ts): the state of the Docker units under systemd; without systemd, whether
# the init scripts say docker/containerd run, and (OpenRC) whether they start at boot.
# DH_UNITS is a fixed list of unit names (services.ts), split on purpose.
: "${DH_UNITS:?}"

sec units
if systemd_runs; then
  # shellcheck disable=SC2086 # the list is split on purpose
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
