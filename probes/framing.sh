# shellcheck shell=sh
# The framing every dockhand probe prints (parsed by src/probe/framing.ts; the format is described
# there). POSIX sh for dash and busybox ash: no `local`, no bash-isms, every tool optional but od.
#
# Each token ends with a NUL. Raw tokens are only ever shell strings (they cannot hold a NUL);
# bytes that can (files, command output, argv) always go through od as hex. Never print to stdout
# outside these functions: a stray byte fails the whole probe on the controller.
LC_ALL=C; export LC_ALL
# Admin tools live in sbin, which is not on an unprivileged SSH user's PATH on some distros.
PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"; export PATH
has() { command -v "$1" >/dev/null 2>&1; }
if ! has od; then echo 'dockhand probe: this host has no od (coreutils or busybox); it is needed to report file contents' >&2; exit 3; fi
# Bound anything that might block (sudo resolving the host name, init scripts, cloud-init).
if has timeout; then T="timeout 20"; else T=""; fi
hex() { od -An -v -tx1; }
# sec NAME / kv KEY VALUE
sec() { printf 'S\000%s\000' "$1"; }
kv() { printf 'K\000%s\000%s\000' "$1" "$2"; }
# emit_file PATH: a regular readable file's bytes, or that it is missing / unreadable.
emit_file() {
  if [ ! -e "$1" ]; then printf 'F\000%s\000missing\000\000' "$1"
  elif [ -f "$1" ] && [ -r "$1" ]; then printf 'F\000%s\000ok\000' "$1"; hex 2>/dev/null < "$1"; printf '\000'
  else printf 'F\000%s\000unreadable\000\000' "$1"; fi
}
# stream NAME: stdin as the output of a command that succeeded.
stream() { printf 'C\000%s\000' "$1"; hex; printf '\000%s\000' 0; }
# run NAME CMD ARGS…: stdout only (stderr is noise for parsing; the exit code says enough). The exit
# code comes back on fd 3 while the output goes through od to fd 4 (our stdout); the command gets
# neither descriptor, so it cannot write into the exit code.
run() {
  dh_name=$1; shift
  if ! has "$1"; then printf 'C\000%s\000\000absent\000' "$dh_name"; return; fi
  printf 'C\000%s\000' "$dh_name"
  # od itself, not hex: a function in a pipeline costs one more fork (it cannot exec in place).
  { dh_rc=$( { { "$@" 2>/dev/null </dev/null 3>&- 4>&-; echo "$?" >&3; } | od -An -v -tx1 >&4; } 3>&1 ); } 4>&1
  printf '\000%s\000' "$dh_rc"
}
# runt: run under the timeout, when the tool exists (`timeout` itself must not be the one tested).
# $T is a word list on purpose ("timeout 20" or nothing).
# shellcheck disable=SC2086
runt() { dh_name=$1; shift; if has "$1"; then run "$dh_name" $T "$@"; else printf 'C\000%s\000\000absent\000' "$dh_name"; fi; }
yn() { if "$@"; then echo yes; else echo no; fi; }
# kvyn KEY CMD…: kv KEY yes|no by CMD's status, without the subshell (a fork) of kv KEY "$(yn CMD…)".
kvyn() { dh_k=$1; shift; if "$@"; then kv "$dh_k" yes; else kv "$dh_k" no; fi; }
# pids_of NAME: dh_pids = the pids of the processes called NAME, one a line — pidof, pgrep, else
# /proc/*/comm — with or without an init system. Only digits get in: a pid is used in paths. Set, not
# printed: `$(pids_of …)` would cost a subshell (a fork) on top of pidof's.
pids_of() {
  dh_found=""
  if has pidof; then dh_found=$(pidof "$1" 2>/dev/null)
  elif has pgrep; then dh_found=$(pgrep -x "$1" 2>/dev/null)
  else
    for dh_p in /proc/[0-9]*; do
      dh_comm=""; { IFS= read -r dh_comm < "$dh_p/comm"; } 2>/dev/null  # the shell's read: no fork per process
      [ "$dh_comm" = "$1" ] && dh_found="$dh_found ${dh_p#/proc/}"
    done
  fi
  dh_pids=""
  for dh_p in $dh_found; do case "$dh_p" in ''|*[!0-9]*) ;; *) dh_pids="$dh_pids${dh_pids:+
}$dh_p";; esac; done
}
# line_of FILE: dh_r = FILE's first line, byte for byte (IFS=, -r), empty when unreadable. The shell's
# read: `$(cat FILE)` costs a fork and an exec. Not for /proc/sys: dash reads a byte at a time, and a
# sysctl file answers only a read from its start (max_user_namespaces 96365 came back as "9").
# shellcheck disable=SC2034 # dh_r is the callers'
line_of() { dh_r=""; { IFS= read -r dh_r || :; } < "$1"; } 2>/dev/null
# path_of NAME: dh_w = where NAME is on PATH, as `command -v` finds it, without `$(command -v …)`'s
# subshell (a fork); empty when it is not there.
path_of() {
  dh_w=""; dh_ifs=$IFS; IFS=:; set -f
  for dh_d in $PATH; do [ -n "$dh_d" ] && [ -f "$dh_d/$1" ] && [ -x "$dh_d/$1" ] && { dh_w="$dh_d/$1"; break; }; done
  IFS=$dh_ifs; set +f
  [ -n "$dh_w" ] || dh_w=$(command -v "$1" 2>/dev/null)
}
# systemd_runs: systemd runs this host (/run/systemd/system: the test systemctl itself makes, sd_booted)
# and systemctl is there. Without both, every systemctl fails: none is worth starting.
systemd_runs() { [ -d /run/systemd/system ] && has systemctl; }
group_db() { if has getent; then getent group 2>/dev/null; elif [ -r /etc/group ]; then cat /etc/group; fi; }
