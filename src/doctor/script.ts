/**
 * The doctor's own probe: client-side evidence for the checked user, appended to the facts probe so
 * the whole examination is ONE round trip. POSIX sh (dash, busybox ash): no `local`, no bash-isms,
 * every tool optional. It only reads. Root-only reads (the journal) use `sudo -n` when that works
 * without a password and are simply missing otherwise.
 *
 * Framing (parsed by parseDoctorOutput):
 *   @@doctor:kv KEY=VALUE
 *   @@doctor:stat HEXMODE OWNER GROUP UID GID PATH     (stat -L; HEXMODE includes the file type bits)
 *   @@doctor:stat-missing PATH
 *   @@doctor:link PATH TARGET                          (PATH is a symlink)
 *   @@doctor:block LABEL [PATH]  …`|`-prefixed lines…  @@doctor:end
 *   @@doctor:block-missing LABEL PATH / @@doctor:block-unreadable LABEL PATH
 *   @@doctor:done
 */
import { sh } from '../shell/quote.js';

export const DOCTOR_BEGIN = '@@doctor:begin';

const BODY = `
M='@@doctor:'
kv() { printf '%skv %s=%s\\n' "$M" "$1" "$2"; }
have() { command -v "$1" >/dev/null 2>&1; }
as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif have sudo && sudo -n true >/dev/null 2>&1; then sudo -n "$@"
  else "$@"; fi
}
# awk, not sed: it terminates a last line that lacks a newline, so the end marker stays on its own line.
prefix() { if have awk; then awk '{ print "|" $0 }' "$@"; else sed 's/^/|/' "$@"; echo; fi; }
block_lines() { printf '%sblock %s\\n' "$M" "$1"; prefix; printf '%send\\n' "$M"; }
file_block() {
  if [ ! -e "$2" ]; then printf '%sblock-missing %s %s\\n' "$M" "$1" "$2"
  elif [ ! -r "$2" ]; then printf '%sblock-unreadable %s %s\\n' "$M" "$1" "$2"
  else printf '%sblock %s %s\\n' "$M" "$1" "$2"; prefix "$2"; printf '%send\\n' "$M"; fi
}
stat_path() {
  [ -n "$1" ] || return 0
  if [ -L "$1" ]; then printf '%slink %s %s\\n' "$M" "$1" "$(readlink -f "$1" 2>/dev/null || readlink "$1")"; fi
  if [ -e "$1" ] || [ -S "$1" ]; then
    s=$(stat -L -c '%f %U %G %u %g' "$1" 2>/dev/null) && printf '%sstat %s %s\\n' "$M" "$s" "$1"
  else printf '%sstat-missing %s\\n' "$M" "$1"; fi
}

printf '%s\\n' '${DOCTOR_BEGIN}'
me=$(id -un 2>/dev/null)
u=\${CHECK_USER:-$me}
kv user "$u"
kv current_user "$me"
kv uid "$(id -u "$u" 2>/dev/null)"
kv gid "$(id -g "$u" 2>/dev/null)"
kv db_groups "$(id -Gn "$u" 2>/dev/null)"
if [ "$u" = "$me" ]; then kv session_groups "$(id -Gn 2>/dev/null)"; fi
pw=$(getent passwd "$u" 2>/dev/null || grep "^$u:" /etc/passwd 2>/dev/null)
home=$(printf '%s' "$pw" | cut -d: -f6)
[ -n "$home" ] || [ "$u" != "$me" ] || home=$HOME
kv home "$home"
uid=$(id -u "$u" 2>/dev/null)

# The environment is only ours to read when we run as the checked user.
if [ "$u" = "$me" ]; then
  for v in DOCKER_HOST DOCKER_CONTEXT DOCKER_CONFIG DOCKER_TLS_VERIFY XDG_RUNTIME_DIR; do
    eval "val=\\\${$v-}"
    [ -n "$val" ] && kv "env.$v" "$val"
  done
  cfg=\${DOCKER_CONFIG:-$home/.docker}
else
  cfg=$home/.docker
fi
kv config_dir "$cfg"

# Where DOCKER_HOST/DOCKER_CONTEXT are exported (a stale export in an rc file is a classic).
for f in "$home/.bashrc" "$home/.profile" "$home/.bash_profile" "$home/.zshrc" "$home/.zprofile" \
         /etc/environment /etc/profile /etc/bash.bashrc /etc/profile.d/*.sh; do
  [ -r "$f" ] && grep -n 'DOCKER_HOST\\|DOCKER_CONTEXT' "$f" 2>/dev/null | sed "s|^|$f:|"
done | block_lines exports

stat_path "$cfg"
stat_path "$cfg/config.json"
file_block config.json "$cfg/config.json"
if [ -d "$cfg/contexts/meta" ]; then
  for d in "$cfg"/contexts/meta/*; do
    [ -f "$d/meta.json" ] && file_block "ctx:\${d##*/}" "$d/meta.json"
  done
fi

# Every socket worth a look: default, rootless, Desktop, podman, and whatever endpoints mention.
run=\${XDG_RUNTIME_DIR:-/run/user/$uid}
for p in /var/run/docker.sock /run/docker.sock "/run/user/$uid/docker.sock" "$run/docker.sock" \
         "$home/.docker/desktop/docker.sock" /run/podman/podman.sock "/run/user/$uid/podman/podman.sock" \
         /var/snap/docker/common/run/docker.sock; do
  stat_path "$p"
done
{ printf '%s\\n' "\${DOCKER_HOST-}"; cat "$cfg"/contexts/meta/*/meta.json 2>/dev/null; } |
  grep -o 'unix://[^" ]*' 2>/dev/null | sed 's|^unix://||' | sort -u | while read -r p; do stat_path "$p"; done

{ [ -x /snap/bin/docker ] || [ -d /var/snap/docker ]; } && kv snap_docker yes
[ -d /var/snap/docker ] && file_block snap-daemon.json /var/snap/docker/current/config/daemon.json
have podman && kv podman "$(command -v podman)"
d=$(command -v docker 2>/dev/null)
if [ -n "$d" ] && head -c 512 "$d" 2>/dev/null | grep -q podman; then kv docker_is_podman yes; fi

if have journalctl; then
  as_root journalctl -u docker.service -n 30 --no-pager -o cat 2>/dev/null | block_lines journal-docker
  as_root journalctl -u docker.socket -n 10 --no-pager -o cat 2>/dev/null | block_lines journal-socket
fi
if have systemctl; then
  kv exec_start "$(systemctl show -p ExecStart docker.service 2>/dev/null | sed -n 's/^ExecStart=//p' | head -n 1)"
fi
if have ss; then
  ss -ltn 2>/dev/null | grep -E ':237[56]([^0-9]|$)' | block_lines tcp-listeners
fi
printf '%sdone\\n' "$M"
`;

/** The doctor probe for `user` (default: whoever the script runs as). */
export function doctorScript(user?: string): string {
  return (user ? sh`CHECK_USER=${user}\n` : '') + BODY;
}
