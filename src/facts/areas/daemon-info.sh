# shellcheck shell=sh
# Fact area daemon (daemon.ts), section daemon_info: what the running daemon reports (docker info).
# The probe runs this beside the fragments after daemon.sh, in a pipeline (src/facts/probe.ts):
# `docker info` starts a large Go binary and asks the daemon, the probe's slowest command, and the
# rest need not wait for it. dh_pid comes from docker.sh; DH_INFO_FORMAT is fixed (daemon.ts).
: "${DH_INFO_FORMAT:?}"

sec daemon_info
# Only a daemon that runs: on a stopped host `docker info` would socket-activate it. Bounded by a
# timeout (a daemon that never answers must not hold the probe); without `timeout`, not asked.
if [ -n "${dh_pid:-}" ] && has docker && has timeout; then
  run info timeout 8 docker info --format "$DH_INFO_FORMAT"
fi
