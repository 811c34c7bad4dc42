#!/bin/sh
# shellcheck disable=SC2016,SC2030,SC2031,SC2234,SC2235,SC2317
# dockhand 0.1.0 render: Docker for Raspberry Pi OS (32-bit) 12 (bookworm), armv7l
# playbook raspbian, source docker (https://download.docker.com/linux/raspbian bookworm stable, key 9DC858229FC7DD38854AE2D88D81803C0EBFCD88)
# options: --os raspbian --os-version 12 --arch armv7l --docker-version 28.1 --users admin
# docker group members added: admin
#   the docker group is root-equivalent: its members can start containers as root on this host
# body-sha256: 5a278c3b439c13144aa4e2a7c9308305f0a812a0d9a274f51b689a864f39f075
#   check: sed '1,/^# --- body ---$/d' SCRIPT | sha256sum
#
# Usage: sudo sh SCRIPT [--dry-run]   (POSIX sh: dash, busybox ash, bash)
#   Each step tests its state first and changes only what is not as wanted; a second run changes nothing.
#   --dry-run prints what would change and changes nothing; --check also runs the checks (daemon
#   answers, storage driver, users reach the API): exit 0 only on a converged, working host.
#   DOCKHAND_USERS=a,b (environment) adds more users to the docker group at run time.
#   DOCKHAND_ALLOW_STORAGE_SWITCH=1 (environment) allows a storage switch that hides images (exit 6 otherwise).
# Exit codes:
#   0  converged: nothing to do, or every change made and verified
#   1  a step or a check failed (the output names it; later steps did not run)
#   3  not the OS or architecture this script was made for: nothing changed
#   4  /etc/docker/daemon.json cannot be merged safely: nothing changed
#   5  not run as root: nothing changed
#   6  overlay2 cannot run here (kernel, data root filesystem) or a storage switch would hide images: nothing changed
#   10 --dry-run: something would change (0: nothing would)
#   64 unknown option
# --- body ---
set -u
dh_dry=0
dh_check=0
for dh_arg in "$@"; do
  case $dh_arg in
    --dry-run) dh_dry=1 ;;
    --check) dh_dry=1; dh_check=1 ;;
    --from-cloud-init) DOCKHAND_FROM_CLOUD_INIT=1 ;;
    -h|--help) sed -n '2,/^# --- body ---$/p' "$0" 2>/dev/null | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "dockhand: unknown option: $dh_arg (options: --dry-run, --check, --help)" >&2; exit 64 ;;
  esac
done
export DOCKHAND_FROM_CLOUD_INIT="${DOCKHAND_FROM_CLOUD_INIT:-}"
export PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin${PATH:+:$PATH}"
if [ "$(id -u)" != 0 ]; then echo 'dockhand: run this script as root (sudo sh SCRIPT): nothing changed' >&2; exit 5; fi
dh_osr() { sed -n "s/^$1=//p" /etc/os-release 2>/dev/null | head -n 1 | tr -d "\"'"; }
dh_id=$(dh_osr ID); dh_version=$(dh_osr VERSION_ID); dh_codename=$(dh_osr VERSION_CODENAME); dh_machine=$(uname -m)
dh_wrong=0
[ "$dh_id" = raspbian ] || dh_wrong=1
case $dh_version in 12|12.*) ;; *) [ "$dh_codename" = bookworm ] || dh_wrong=1 ;; esac
[ "$dh_machine" = armv7l ] || dh_wrong=1
if [ "$dh_wrong" = 1 ]; then
  echo 'dockhand: this script is for Raspberry Pi OS (32-bit) 12 (bookworm), armv7l; this host is' "ID=${dh_id:-?} VERSION_ID=${dh_version:-?} VERSION_CODENAME=${dh_codename:-?}, ${dh_machine}: nothing changed" >&2
  exit 3
fi
dh_changes=0
dh_config_changed=
dh_state=$(mktemp -d "${TMPDIR:-/tmp}/dockhand.XXXXXX") || exit 1
trap 'rm -rf "$dh_state"' EXIT
trap 'exit 1' HUP INT TERM
dh_failed() { echo "dockhand: failed (exit $2): $1" >&2; if [ "$2" = 4 ]; then exit 4; fi; exit 1; }
dh_w() { dh_n=$((dh_n + 1)); eval "DH_W${dh_n}_P=\$1; DH_W${dh_n}_V=\$2; export DH_W${dh_n}_P DH_W${dh_n}_V"; DH_N=$dh_n; export DH_N; }
dh_daemon_json() {
  if [ -e "$1" ]; then cat -- "$1"; fi | awk -v mode="${2:-doc}" '
function die(why) { print "daemon.json: " why > "/dev/stderr"; exit 4 }
function ws() { while (P <= L && index(" \t\r\n", substr(S, P, 1)) > 0) P++ }
function pstr(   c, st) {
  st = P; P++
  while (P <= L) {
    c = substr(S, P, 1)
    if (c == "\"") { P++; return substr(S, st, P - st) }
    if (c == "\n" || c == "\t" || c == "\r") die("a control character inside a string")
    if (c == "\\") {
      c = substr(S, P + 1, 1)
      if (c == "u") { if (substr(S, P + 2, 4) !~ /^[0-9A-Fa-f][0-9A-Fa-f][0-9A-Fa-f][0-9A-Fa-f]$/) die("a bad \\u escape"); P += 6; continue }
      if (index("\"\\/bfnrt", c) == 0) die("a bad escape in a string")
      P += 2; continue
    }
    P++
  }
  die("an unterminated string")
}
function pval(depth, K, V,   c, st, rest) {
  ws(); if (P > L) die("a value is missing")
  c = substr(S, P, 1); st = P
  if (c == "\"") { pstr(); return substr(S, st, P - st) }
  if (c == "{") { pobj(depth + 1, K, V); return substr(S, st, P - st) }
  if (c == "[") {
    P++; ws()
    if (substr(S, P, 1) == "]") { P++; return substr(S, st, P - st) }
    while (1) {
      pval(depth + 1, K, V); ws(); c = substr(S, P, 1); P++
      if (c == "]") return substr(S, st, P - st)
      if (c != ",") die("expected , or ] in an array")
    }
  }
  rest = substr(S, P, 40)
  if (match(rest, /^(true|false|null)/) || match(rest, /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?/)) { P += RLENGTH; return substr(S, st, P - st) }
  die("an unexpected character")
}
# An object at P; at depth 1 its members go to K (names) and V (value text), K[0] their count.
function pobj(depth, K, V,   c, key, val, n) {
  P++; ws(); n = 0
  if (substr(S, P, 1) == "}") { P++; if (depth == 1) K[0] = 0; return }
  while (1) {
    ws(); if (substr(S, P, 1) != "\"") die("expected a member name")
    key = pstr()
    if (index(key, "\\") > 0) die("a member name with an escape")
    ws(); if (substr(S, P, 1) != ":") die("expected : after a member name")
    P++
    val = pval(depth, K, V)
    if (depth == 1) {
      key = substr(key, 2, length(key) - 2)
      if (key in SEEN) die("the member \"" key "\" appears twice")
      SEEN[key] = 1; n++; K[n] = key; V[n] = val
    }
    ws(); c = substr(S, P, 1); P++
    if (c == "}") { if (depth == 1) K[0] = n; return }
    if (c != ",") die("expected , or } in an object")
  }
}
# Parse text T as one object into K/V (depth 1 is the object itself).
function parse(T, K, V,   k) {
  S = T; L = length(S); P = 1
  for (k in SEEN) delete SEEN[k]
  ws(); if (P > L) { K[0] = 0; return }
  if (substr(S, P, 1) != "{") die("the file is not a JSON object")
  pobj(1, K, V); ws()
  if (P <= L) die("text after the object")
}
# A value'\''s text without the white space outside strings: "as wanted" ignores layout.
function canon(t,   out, i, n, c, instr) {
  out = ""; instr = 0; n = length(t)
  for (i = 1; i <= n; i++) {
    c = substr(t, i, 1)
    if (instr) { out = out c; if (c == "\\") { i++; out = out substr(t, i, 1) } else if (c == "\"") instr = 0 }
    else if (c == "\"") { instr = 1; out = out c }
    else if (index(" \t\r\n", c) == 0) out = out c
  }
  return out
}
function render(K, V, indent,   i, out) {
  if (K[0] == 0) return "{}"
  out = "{"
  for (i = 1; i <= K[0]; i++) out = out (i > 1 ? "," : "") "\n" indent "  \"" K[i] "\": " V[i]
  return out "\n" indent "}"
}
# The object text T with the member at dotted path PATH set to VAL (removed when VAL is empty);
# CH says whether anything changed (the returned text is then the new object, else unused).
function setp(T, path, val, indent,   K, V, i, idx, dot, seg, rest, child) {
  parse(T, K, V)
  dot = index(path, ".")
  if (dot == 0) { seg = path; rest = "" } else { seg = substr(path, 1, dot - 1); rest = substr(path, dot + 1) }
  idx = 0
  for (i = 1; i <= K[0]; i++) if (K[i] == seg) idx = i
  if (rest == "") {
    if (val == "") {
      if (idx == 0) return T
      for (i = idx; i < K[0]; i++) { K[i] = K[i + 1]; V[i] = V[i + 1] }
      K[0]--
    } else if (idx == 0) { K[0]++; K[K[0]] = seg; V[K[0]] = val }
    else if (canon(V[idx]) == canon(val)) return T
    else V[idx] = val
  } else {
    if (idx == 0) { if (val == "") return T; child = "" }
    else { child = V[idx]; if (substr(child, 1, 1) != "{") die("\"" seg "\" is not an object") }
    child = setp(child, rest, val, indent "  ")
    if (!CH) return T
    if (idx == 0) { K[0]++; idx = K[0]; K[idx] = seg }
    V[idx] = child
  }
  CH = 1
  return render(K, V, indent)
}
{ TEXT = TEXT $0 "\n" }
END {
  DOC = TEXT; ANY = 0; NK = 0
  parse(DOC, TK, TV)
  for (w = 1; w <= ENVIRON["DH_N"] + 0; w++) {
    path = ENVIRON["DH_W" w "_P"]
    CH = 0
    out = setp(DOC, path, ENVIRON["DH_W" w "_V"], "")
    if (!CH) continue
    DOC = out; ANY = 1
    top = path; if (index(top, ".") > 0) top = substr(top, 1, index(top, ".") - 1)
    if (!(top in KEYS)) { KEYS[top] = 1; NK++; KL[NK] = top }
  }
  if (!ANY) exit 3
  if (mode == "keys") { for (i = 1; i <= NK; i++) print KL[i]; exit 0 }
  print DOC
}
'
}
dh_wants() {
  dh_n=0; DH_N=0; export DH_N
  dh_w storage-driver '"overlay2"'
}
if ! ( k=$(uname -r); m=${k%%.*}; case $m in ''|*[!0-9]*) exit 0 ;; esac; [ "$m" -ge 4 ] || { echo "this host runs kernel $k" >&2; exit 1; } ); then echo 'dockhand: the kernel is too old for overlay2 (needs 4.0 or newer): nothing was changed; upgrade the kernel first' >&2; exit 6; fi
if ! ( r=$(sed -n 's/.*"data-root"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' /etc/docker/daemon.json 2>/dev/null | head -n 1); r=${r:-/var/lib/docker}
d=$r; while [ ! -d "$d" ]; do d=${d%/*}; [ -n "$d" ] || d=/; done
t=$(findmnt -n -o FSTYPE -T "$d" 2>/dev/null | head -n 1); [ -n "$t" ] || t=$(stat -f -c %T "$d" 2>/dev/null)
case $t in overlay|overlayfs|aufs|zfs|btrfs) echo "$r is on $t" >&2; exit 1 ;; esac
if [ "$t" = xfs ] && command -v xfs_info >/dev/null 2>&1; then
  mnt=$(findmnt -n -o TARGET -T "$d" 2>/dev/null | head -n 1)
  if xfs_info "${mnt:-$d}" 2>/dev/null | grep -q "ftype=0"; then echo "$r is on xfs formatted without d_type (ftype=0)" >&2; exit 1; fi
fi ); then echo 'dockhand: overlay2 cannot run on the filesystem of the Docker data root (see above): nothing was changed; put it on ext4, or xfs formatted with ftype=1' >&2; exit 6; fi
if ! ( [ -z "${DOCKHAND_ALLOW_STORAGE_SWITCH:-}" ] || exit 0
if { pidof dockerd || pgrep -x dockerd; } >/dev/null 2>&1 && drv=$(docker info --format '{{.Driver}}' 2>/dev/null) && [ -n "$drv" ]; then
  case $drv in overlay2) exit 0 ;; esac
  n=$(docker info --format '{{.Images}} image(s) and {{.Containers}} container(s)' 2>/dev/null)
  case $n in '0 image(s) and 0 container(s)'|'') exit 0 ;; esac
  echo "the running daemon uses the $drv driver and holds $n" >&2; exit 1
fi
r=$(sed -n 's/.*"data-root"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' /etc/docker/daemon.json 2>/dev/null | head -n 1); r=${r:-/var/lib/docker}
d=$r; while [ ! -d "$d" ]; do d=${d%/*}; [ -n "$d" ] || d=/; done
for x in fuse-overlayfs vfs btrfs zfs devicemapper aufs overlayfs; do
  case $x in overlayfs) p="$r/containerd/daemon/io.containerd.snapshotter.v1.overlayfs/snapshots" ;; *) p="$r/$x" ;; esac
  if [ -n "$(ls -A "$p" 2>/dev/null)" ]; then echo "$p holds data of the $x store" >&2; exit 1; fi
done ); then echo 'dockhand: switching to the overlay2 driver would hide the images and containers above (they stay on disk, unseen): nothing was changed; save what you need (docker save / docker export), or run with DOCKHAND_ALLOW_STORAGE_SWITCH=1' >&2; exit 6; fi
if ! ( dh_wants || exit 4; rc=0; dh_daemon_json /etc/docker/daemon.json >/dev/null || rc=$?; [ "$rc" -ne 4 ] ); then echo 'dockhand: /etc/docker/daemon.json cannot be merged safely, or the daemon settings asked for cannot be made (see above): nothing was changed; fix it, then run again' >&2; exit 4; fi

# [1/9] wait-ready: Wait until the host is ready
if (
  [ -n "${DOCKHAND_FROM_CLOUD_INIT:-}" ] && exit 0
p=$$
while [ "$p" -gt 1 ] 2>/dev/null; do
  case "$(tr '\000' ' ' < "/proc/$p/cmdline" 2>/dev/null)" in *cloud-init*) exit 0 ;; esac
  p=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | cut -d ' ' -f 2)
done
command -v cloud-init >/dev/null 2>&1 || exit 0
case "$(cloud-init status 2>/dev/null)" in *'status: done'*|*'status: disabled'*|*'status: error'*|*'status: degraded'*|*'status: not run'*|*'status: not-run'*) exit 0 ;; esac
exit 1
) >/dev/null 2>&1; then
  echo "dockhand: ok: "'[1/9] wait-ready: cloud-init absent or finished'
elif [ "$dh_dry" = 1 ]; then
  echo "dockhand: would: "'[1/9] wait-ready: wait for cloud-init to finish'
else
  echo "dockhand: wait: "'[1/9] wait-ready: wait for cloud-init to finish'
  (
    set -eu
    echo "dockhand-progress: waiting up to 600s for cloud-init to finish"
    rc=0
    timeout 600 cloud-init status --wait >/dev/null || rc=$?
    case $rc in
      0|2) ;;
      124) echo 'cloud-init still running after 600s' >&2; exit 1 ;;
      *) echo "warning: cloud-init finished with errors (exit $rc); continuing" >&2 ;;
    esac
  ) || dh_failed '[1/9] wait-ready: wait for cloud-init to finish' $?
fi
if (
  [ -z "$(dpkg --audit 2>/dev/null)" ] && [ -z "$(ls -A /var/lib/dpkg/updates 2>/dev/null)" ]
) >/dev/null 2>&1; then
  echo "dockhand: ok: "'[1/9] wait-ready: no interrupted package run'
elif [ "$dh_dry" = 1 ]; then
  echo "dockhand: would: "'[1/9] wait-ready: finish the interrupted package run'
  dh_changes=$((dh_changes + 1))
else
  echo "dockhand: change: "'[1/9] wait-ready: finish the interrupted package run'
  (
    set -eu
    export DEBIAN_FRONTEND=noninteractive
    dpkg --force-confdef --force-confold --configure -a
  ) || dh_failed '[1/9] wait-ready: finish the interrupted package run' $?
  dh_changes=$((dh_changes + 1))
fi

# [2/9] prerequisites: Prerequisites
# shellcheck disable=SC2086
if (
  { grep -q 'BEGIN PGP PUBLIC KEY BLOCK' /etc/apt/keyrings/docker.asc 2>/dev/null && command -v gpg >/dev/null 2>&1 && g=$(mktemp -d) && found=$(GNUPGHOME="$g" gpg --batch --show-keys --with-colons /etc/apt/keyrings/docker.asc 2>/dev/null | awk -F: '$1 == "pub" { p = 1; next } $1 == "fpr" && p { print $10 } { p = 0 }'); rm -rf "$g"; [ "$found" = 9DC858229FC7DD38854AE2D88D81803C0EBFCD88 ]; } || { { dpkg-query -W -f='${Status}' ca-certificates 2>/dev/null | grep -q 'ok installed'; } && { dpkg-query -W -f='${Status}' curl 2>/dev/null | grep -q 'ok installed'; } && { dpkg-query -W -f='${Status}' gnupg 2>/dev/null | grep -q 'ok installed'; }; }
) >/dev/null 2>&1; then
  echo "dockhand: ok: "'[2/9] prerequisites: signing key /etc/apt/keyrings/docker.asc in place, or ca-certificates curl gnupg installed to fetch it'
elif [ "$dh_dry" = 1 ]; then
  echo "dockhand: would: "'[2/9] prerequisites: install ca-certificates curl gnupg (those not installed yet)'
  dh_changes=$((dh_changes + 1))
else
  echo "dockhand: change: "'[2/9] prerequisites: install ca-certificates curl gnupg (those not installed yet)'
  (
    set -eu
    export DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1
    missing=
for p in ca-certificates curl gnupg; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
apt_update() {
  if out=$(LC_ALL=C apt-get -o DPkg::Lock::Timeout=600 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold update 2>&1); then printf '%s\n' "$out"; return 0; fi
  case $out in *'Could not get lock'*) return 1 ;; esac
  printf '%s\n' "$out" >&2; exit 1
}
waited=0
until apt_update; do
  if [ "$waited" -ge 600 ]; then printf '%s\n' "$out" >&2; exit 1; fi
  if [ $((waited % 30)) -eq 0 ]; then echo "dockhand-progress: waiting for another package manager to release the package lists (${waited}s)"; fi
  sleep 5
  waited=$((waited + 5))
done
apt-get -o DPkg::Lock::Timeout=600 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold install -y $missing
fi
  ) || dh_failed '[2/9] prerequisites: install ca-certificates curl gnupg (those not installed yet)' $?
  dh_changes=$((dh_changes + 1))
fi

# [3/9] remove-conflicts: Remove conflicting packages
if (
  ! { dpkg-query -W -f='${Status}' docker.io 2>/dev/null | grep -q 'ok installed'; }
) >/dev/null 2>&1; then
  echo "dockhand: ok: "'[3/9] remove-conflicts: docker.io not installed'
elif [ "$dh_dry" = 1 ]; then
  echo "dockhand: would: "'[3/9] remove-conflicts: remove docker.io (images, containers and volumes in /var/lib/docker are kept)'
  dh_changes=$((dh_changes + 1))
else
  echo "dockhand: change: "'[3/9] remove-conflicts: remove docker.io (images, containers and volumes in /var/lib/docker are kept)'
  (
    set -eu
    export DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1
    apt-get -o DPkg::Lock::Timeout=600 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold remove -y docker.io
  ) || dh_failed '[3/9] remove-conflicts: remove docker.io (images, containers and volumes in /var/lib/docker are kept)' $?
  dh_changes=$((dh_changes + 1))
fi
if (
  ! { dpkg-query -W -f='${Status}' docker-compose 2>/dev/null | grep -q 'ok installed'; }
) >/dev/null 2>&1; then
  echo "dockhand: ok: "'[3/9] remove-conflicts: docker-compose not installed'
elif [ "$dh_dry" = 1 ]; then
  echo "dockhand: would: "'[3/9] remove-conflicts: remove docker-compose (images, containers and volumes in /var/lib/docker are kept)'
  dh_changes=$((dh_changes + 1))
else
  echo "dockhand: change: "'[3/9] remove-conflicts: remove docker-compose (images, containers and volumes in /var/lib/docker are kept)'
  (
    set -eu
    export DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1
    apt-get -o DPkg::Lock::Timeout=600 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold remove -y docker-compose
  ) || dh_failed '[3/9] remove-conflicts: remove docker-compose (images, containers and volumes in /var/lib/docker are kept)' $?
  dh_changes=$((dh_changes + 1))
fi
if (
  ! { dpkg-query -W -f='${Status}' docker-doc 2>/dev/null | grep -q 'ok installed'; }
) >/dev/null 2>&1; then
  echo "dockhand: ok: "'[3/9] remove-conflicts: docker-doc not installed'
elif [ "$dh_dry" = 1 ]; then
  echo "dockhand: would: "'[3/9] remove-conflicts: remove docker-doc (images, containers and volumes in /var/lib/docker are kept)'
  dh_changes=$((dh_changes + 1))
else
  echo "dockhand: change: "'[3/9] remove-conflicts: remove docker-doc (images, containers and volumes in /var/lib/docker are kept)'
  (
    set -eu
    export DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1
    apt-get -o DPkg::Lock::Timeout=600 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold remove -y docker-doc
  ) || dh_failed '[3/9] remove-conflicts: remove docker-doc (images, containers and volumes in /var/lib/docker are kept)' $?
  dh_changes=$((dh_changes + 1))
fi
if (
  ! { dpkg-query -W -f='${Status}' podman-docker 2>/dev/null | grep -q 'ok installed'; }
) >/dev/null 2>&1; then
  echo "dockhand: ok: "'[3/9] remove-conflicts: podman-docker not installed'
elif [ "$dh_dry" = 1 ]; then
  echo "dockhand: would: "'[3/9] remove-conflicts: remove podman-docker (images, containers and volumes in /var/lib/docker are kept)'
  dh_changes=$((dh_changes + 1))
else
  echo "dockhand: change: "'[3/9] remove-conflicts: remove podman-docker (images, containers and volumes in /var/lib/docker are kept)'
  (
    set -eu
    export DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1
    apt-get -o DPkg::Lock::Timeout=600 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold remove -y podman-docker
  ) || dh_failed '[3/9] remove-conflicts: remove podman-docker (images, containers and volumes in /var/lib/docker are kept)' $?
  dh_changes=$((dh_changes + 1))
fi
if (
  ! { dpkg-query -W -f='${Status}' containerd 2>/dev/null | grep -q 'ok installed'; }
) >/dev/null 2>&1; then
  echo "dockhand: ok: "'[3/9] remove-conflicts: containerd not installed'
elif [ "$dh_dry" = 1 ]; then
  echo "dockhand: would: "'[3/9] remove-conflicts: remove containerd (images, containers and volumes in /var/lib/docker are kept)'
  dh_changes=$((dh_changes + 1))
else
  echo "dockhand: change: "'[3/9] remove-conflicts: remove containerd (images, containers and volumes in /var/lib/docker are kept)'
  (
    set -eu
    export DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1
    apt-get -o DPkg::Lock::Timeout=600 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold remove -y containerd
  ) || dh_failed '[3/9] remove-conflicts: remove containerd (images, containers and volumes in /var/lib/docker are kept)' $?
  dh_changes=$((dh_changes + 1))
fi
if (
  ! { dpkg-query -W -f='${Status}' runc 2>/dev/null | grep -q 'ok installed'; }
) >/dev/null 2>&1; then
  echo "dockhand: ok: "'[3/9] remove-conflicts: runc not installed'
elif [ "$dh_dry" = 1 ]; then
  echo "dockhand: would: "'[3/9] remove-conflicts: remove runc (images, containers and volumes in /var/lib/docker are kept)'
  dh_changes=$((dh_changes + 1))
else
  echo "dockhand: change: "'[3/9] remove-conflicts: remove runc (images, containers and volumes in /var/lib/docker are kept)'
  (
    set -eu
    export DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1
    apt-get -o DPkg::Lock::Timeout=600 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold remove -y runc
  ) || dh_failed '[3/9] remove-conflicts: remove runc (images, containers and volumes in /var/lib/docker are kept)' $?
  dh_changes=$((dh_changes + 1))
fi

# [4/9] repository: Docker package repository
if (
  grep -q 'BEGIN PGP PUBLIC KEY BLOCK' /etc/apt/keyrings/docker.asc 2>/dev/null && command -v gpg >/dev/null 2>&1 && g=$(mktemp -d) && found=$(GNUPGHOME="$g" gpg --batch --show-keys --with-colons /etc/apt/keyrings/docker.asc 2>/dev/null | awk -F: '$1 == "pub" { p = 1; next } $1 == "fpr" && p { print $10 } { p = 0 }'); rm -rf "$g"; [ "$found" = 9DC858229FC7DD38854AE2D88D81803C0EBFCD88 ]
) >/dev/null 2>&1; then
  echo "dockhand: ok: "'[4/9] repository: /etc/apt/keyrings/docker.asc holds exactly the key 9DC858229FC7DD38854AE2D88D81803C0EBFCD88'
elif [ "$dh_dry" = 1 ]; then
  echo "dockhand: would: "'[4/9] repository: download the signing key, verify fingerprint 9DC858229FC7DD38854AE2D88D81803C0EBFCD88, install /etc/apt/keyrings/docker.asc'
  dh_changes=$((dh_changes + 1))
else
  echo "dockhand: change: "'[4/9] repository: download the signing key, verify fingerprint 9DC858229FC7DD38854AE2D88D81803C0EBFCD88, install /etc/apt/keyrings/docker.asc'
  (
    set -eu
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    curl -fsSL --retry 3 -o "$work/key" https://download.docker.com/linux/raspbian/gpg
    GNUPGHOME="$work/gnupg"; export GNUPGHOME
    mkdir -m 700 "$GNUPGHOME"
    found=$(gpg --batch --show-keys --with-colons "$work/key" | awk -F: '$1 == "pub" { p = 1; next } $1 == "fpr" && p { print $10 } { p = 0 }')
    if [ "$found" != 9DC858229FC7DD38854AE2D88D81803C0EBFCD88 ]; then
      echo 'refusing the key from https://download.docker.com/linux/raspbian/gpg: expected fingerprint 9DC858229FC7DD38854AE2D88D81803C0EBFCD88, got:' "${found:-no key}" >&2
      echo 'a mirror that re-signs needs --key-fingerprint with its own key' >&2
      exit 1
    fi
    [ -d /etc/apt/keyrings ] || install -d -m 0755 /etc/apt/keyrings
    install -m 0644 "$work/key" /etc/apt/keyrings/docker.asc
  ) || dh_failed '[4/9] repository: download the signing key, verify fingerprint 9DC858229FC7DD38854AE2D88D81803C0EBFCD88, install /etc/apt/keyrings/docker.asc' $?
  dh_changes=$((dh_changes + 1))
fi
if (
  [ "$(cat /etc/apt/sources.list.d/docker.sources 2>/dev/null)" = 'Types: deb
URIs: https://download.docker.com/linux/raspbian
Suites: bookworm
Components: stable
Architectures: armhf
Signed-By: /etc/apt/keyrings/docker.asc' ]
) >/dev/null 2>&1; then
  echo "dockhand: ok: "'[4/9] repository: /etc/apt/sources.list.d/docker.sources is the wanted source'
elif [ "$dh_dry" = 1 ]; then
  echo "dockhand: would: "'[4/9] repository: write /etc/apt/sources.list.d/docker.sources'
  dh_changes=$((dh_changes + 1))
else
  echo "dockhand: change: "'[4/9] repository: write /etc/apt/sources.list.d/docker.sources'
  (
    set -eu
    [ -d /etc/apt/sources.list.d ] || install -d -m 0755 /etc/apt/sources.list.d
    tmp=$(mktemp /etc/apt/sources.list.d/.docker.sources.XXXXXX)
    trap 'rm -f "$tmp"' EXIT
    printf '%s' 'Types: deb
URIs: https://download.docker.com/linux/raspbian
Suites: bookworm
Components: stable
Architectures: armhf
Signed-By: /etc/apt/keyrings/docker.asc
' > "$tmp"
    chmod 0644 "$tmp"
    sync "$tmp" 2>/dev/null || sync
    mv -f "$tmp" /etc/apt/sources.list.d/docker.sources
    trap - EXIT
    sync /etc/apt/sources.list.d 2>/dev/null || true
  ) || dh_failed '[4/9] repository: write /etc/apt/sources.list.d/docker.sources' $?
  dh_changes=$((dh_changes + 1))
fi
if (
  for f in /etc/apt/sources.list.d/*; do
  [ -f "$f" ] && [ "$f" != /etc/apt/sources.list.d/docker.sources ] || continue
  case "${f##*/}" in docker.list|download_docker_com_linux_*) exit 1; continue ;; esac
  case "$(cat "$f" 2>/dev/null)" in *linux/ubuntu*|*linux/debian*|*linux/raspbian*) exit 1 ;; esac
done
for f in /etc/apt/trusted.gpg.d/docker*; do if [ -e "$f" ]; then exit 1; fi; done
) >/dev/null 2>&1; then
  echo "dockhand: ok: "'[4/9] repository: no legacy Docker source or key file'
elif [ "$dh_dry" = 1 ]; then
  echo "dockhand: would: "'[4/9] repository: remove legacy Docker source and key files that would conflict'
  dh_changes=$((dh_changes + 1))
else
  echo "dockhand: change: "'[4/9] repository: remove legacy Docker source and key files that would conflict'
  (
    set -eu
    for f in /etc/apt/sources.list.d/*; do
      [ -f "$f" ] && [ "$f" != /etc/apt/sources.list.d/docker.sources ] || continue
      case "${f##*/}" in docker.list|download_docker_com_linux_*) echo "removing $f"; rm -f -- "$f"; continue ;; esac
      case "$(cat "$f" 2>/dev/null)" in *linux/ubuntu*|*linux/debian*|*linux/raspbian*) echo "removing $f"; rm -f -- "$f" ;; esac
    done
    for f in /etc/apt/trusted.gpg.d/docker*; do if [ -e "$f" ]; then echo "removing $f"; rm -f -- "$f"; fi; done
  ) || dh_failed '[4/9] repository: remove legacy Docker source and key files that would conflict' $?
  dh_changes=$((dh_changes + 1))
fi

# [5/9] packages: Docker packages
if (
  { dpkg-query -W -f='${Status}' docker-ce 2>/dev/null | grep -q 'ok installed'; } && { dpkg-query -W -f='${Status}' docker-ce-cli 2>/dev/null | grep -q 'ok installed'; } && { dpkg-query -W -f='${Status}' containerd.io 2>/dev/null | grep -q 'ok installed'; } && { dpkg-query -W -f='${Status}' docker-buildx-plugin 2>/dev/null | grep -q 'ok installed'; } && { dpkg-query -W -f='${Status}' docker-compose-plugin 2>/dev/null | grep -q 'ok installed'; } && { v=$(dpkg-query -W -f='${Version}' docker-ce 2>/dev/null); case $v in [0-9]*:*|'(none)':*) u=${v#*:} ;; *) u=$v ;; esac; case $u in 28.1|28.1.*|28.1-*|28.1~*) true ;; *) false ;; esac; } && { v=$(dpkg-query -W -f='${Version}' docker-ce-cli 2>/dev/null); case $v in [0-9]*:*|'(none)':*) u=${v#*:} ;; *) u=$v ;; esac; case $u in 28.1|28.1.*|28.1-*|28.1~*) true ;; *) false ;; esac; }
) >/dev/null 2>&1; then
  echo "dockhand: ok: "'[5/9] packages: docker-ce docker-ce-cli containerd.io docker-buildx-plugin docker-compose-plugin installed (docker-ce docker-ce-cli at 28.1)'
elif [ "$dh_dry" = 1 ]; then
  echo "dockhand: would: "'[5/9] packages: install docker-ce docker-ce-cli containerd.io docker-buildx-plugin docker-compose-plugin at 28.1 and hold docker-ce docker-ce-cli'
  dh_changes=$((dh_changes + 1))
else
  echo "dockhand: change: "'[5/9] packages: install docker-ce docker-ce-cli containerd.io docker-buildx-plugin docker-compose-plugin at 28.1 and hold docker-ce docker-ce-cli'
  (
    set -eu
    export DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1
    apt_update() {
  if out=$(LC_ALL=C apt-get -o DPkg::Lock::Timeout=600 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold update 2>&1); then printf '%s\n' "$out"; return 0; fi
  case $out in *'Could not get lock'*) return 1 ;; esac
  printf '%s\n' "$out" >&2; exit 1
}
waited=0
until apt_update; do
  if [ "$waited" -ge 600 ]; then printf '%s\n' "$out" >&2; exit 1; fi
  if [ $((waited % 30)) -eq 0 ]; then echo "dockhand-progress: waiting for another package manager to release the package lists (${waited}s)"; fi
  sleep 5
  waited=$((waited + 5))
done
    version=$(apt-cache madison docker-ce | awk -F'|' -v want=28.1 '{ v = $2; gsub(/ /, "", v); u = v; sub(/^[0-9]+:/, "", u); if (v == want || u == want || index(u, want ".") == 1 || index(u, want "-") == 1 || index(u, want "~") == 1) print v }' | head -n 1)
    [ -n "$version" ] || { echo 'no docker-ce version 28.1 in the repository; available:' >&2; apt-cache madison docker-ce | head -n 10 >&2; exit 1; }
    echo "resolved version: $version"
    apt-get -o DPkg::Lock::Timeout=600 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold install -y --allow-downgrades --allow-change-held-packages containerd.io docker-buildx-plugin docker-compose-plugin docker-ce="$version" docker-ce-cli="$version"
    apt-mark hold docker-ce docker-ce-cli
  ) || dh_failed '[5/9] packages: install docker-ce docker-ce-cli containerd.io docker-buildx-plugin docker-compose-plugin at 28.1 and hold docker-ce docker-ce-cli' $?
  dh_changes=$((dh_changes + 1))
fi

# [6/9] storage: Storage driver
if (
  grep -Eq '(^|[[:space:]])overlay$' /proc/filesystems
) >/dev/null 2>&1; then
  echo "dockhand: ok: "'[6/9] storage: the overlay filesystem is available'
elif [ "$dh_dry" = 1 ]; then
  echo "dockhand: would: "'[6/9] storage: load the overlay module'
  dh_changes=$((dh_changes + 1))
else
  echo "dockhand: change: "'[6/9] storage: load the overlay module'
  (
    set -eu
    modprobe overlay
  ) || dh_failed '[6/9] storage: load the overlay module' $?
  dh_changes=$((dh_changes + 1))
fi
if (
  [ -s /run/systemd/container ] || [ -e /run/.containerenv ] || tr '\000' '\n' < /proc/1/environ 2>/dev/null | grep -q '^container=' || cat /etc/modules-load.d/*.conf /usr/lib/modules-load.d/*.conf /lib/modules-load.d/*.conf /etc/modules 2>/dev/null | grep -Eq '^overlay([[:space:]]|$)' || { ! { [ -d /sys/module/overlay ] || grep -q '^overlay ' /proc/modules; } && grep -Eq '(^|[[:space:]])overlay$' /proc/filesystems; }
) >/dev/null 2>&1; then
  echo "dockhand: ok: "'[6/9] storage: overlay is loaded at boot (or built in, or this is a container)'
elif [ "$dh_dry" = 1 ]; then
  echo "dockhand: would: "'[6/9] storage: load overlay at boot'
  dh_changes=$((dh_changes + 1))
else
  echo "dockhand: change: "'[6/9] storage: load overlay at boot'
  (
    set -eu
    [ -d /etc/modules-load.d ] || install -d -m 0755 /etc/modules-load.d
    tmp=$(mktemp /etc/modules-load.d/.overlay.conf.XXXXXX)
    trap 'rm -f "$tmp"' EXIT
    printf '%s' 'overlay
' > "$tmp"
    chmod 0644 "$tmp"
    sync "$tmp" 2>/dev/null || sync
    mv -f "$tmp" /etc/modules-load.d/overlay.conf
    trap - EXIT
    sync /etc/modules-load.d 2>/dev/null || true
  ) || dh_failed '[6/9] storage: load overlay at boot' $?
  dh_changes=$((dh_changes + 1))
fi
if (
  dh_wants >/dev/null 2>&1 || exit 1; rc=0; dh_daemon_json /etc/docker/daemon.json >/dev/null 2>&1 || rc=$?; [ "$rc" -eq 3 ]
) >/dev/null 2>&1; then
  echo "dockhand: ok: "'[6/9] storage: /etc/docker/daemon.json sets storage-driver overlay2'
elif [ "$dh_dry" = 1 ]; then
  echo "dockhand: would: "'[6/9] storage: merge storage-driver overlay2 into /etc/docker/daemon.json (other keys kept, backup, validate, atomic replace)'
  echo 'dockhand:   note: other keys in /etc/docker/daemon.json are kept; the old file is saved as /etc/docker/daemon.json.bak-<time>'
  dh_changes=$((dh_changes + 1))
else
  echo "dockhand: change: "'[6/9] storage: merge storage-driver overlay2 into /etc/docker/daemon.json (other keys kept, backup, validate, atomic replace)'
  echo 'dockhand:   note: other keys in /etc/docker/daemon.json are kept; the old file is saved as /etc/docker/daemon.json.bak-<time>'
  (
    set -eu
    dh_wants || exit 4
    rc=0
    new=$(dh_daemon_json /etc/docker/daemon.json) || rc=$?
    if [ "$rc" -eq 3 ]; then exit 0; fi
    if [ "$rc" -ne 0 ]; then echo '/etc/docker/daemon.json cannot be merged safely; it is left as it is: fix it by hand (keep "storage-driver": "overlay2"), then run again' >&2; exit 4; fi
    changed=$(dh_daemon_json /etc/docker/daemon.json keys)
    [ -d /etc/docker ] || install -d -m 0755 /etc/docker
    tmp=$(mktemp /etc/docker/.daemon.json.XXXXXX)
    trap 'rm -f "$tmp"' EXIT
    printf '%s\n' "$new" > "$tmp"
    chmod 0644 "$tmp"
    if [ -e /etc/docker/daemon.json ]; then meta=$(stat -c '%a %u:%g' /etc/docker/daemon.json); chmod "${meta% *}" "$tmp"; chown "${meta#* }" "$tmp"; fi
    if command -v dockerd >/dev/null 2>&1 && dockerd --help 2>&1 | grep -q -- '--validate'; then dockerd --validate --config-file "$tmp" >/dev/null; fi
    if [ -e /etc/docker/daemon.json ]; then cp -p /etc/docker/daemon.json /etc/docker/daemon.json".bak-$(date -u +%Y%m%dT%H%M%SZ)"; echo "saved the old /etc/docker/daemon.json as /etc/docker/daemon.json.bak-<time>"; fi
    sync "$tmp" 2>/dev/null || sync
    mv -f "$tmp" /etc/docker/daemon.json
    trap - EXIT
    sync /etc/docker 2>/dev/null || true
    echo "changed in /etc/docker/daemon.json: $(printf '%s' "$changed" | tr '\n' ' ')"
    printf '%s\n' "$changed" >> "$dh_state/changed-keys"
    set -- /etc/docker/daemon.json.bak-*
    [ -e "$1" ] || set --
    excess=$(($# - 5))
    for old in "$@"; do [ "$excess" -gt 0 ] || break; rm -f -- "$old"; excess=$((excess - 1)); done
  ) || dh_failed '[6/9] storage: merge storage-driver overlay2 into /etc/docker/daemon.json (other keys kept, backup, validate, atomic replace)' $?
  dh_changes=$((dh_changes + 1))
  dh_config_changed=1
fi

# [7/9] users: docker group members
if (
  grep -q '^docker:' /etc/group
) >/dev/null 2>&1; then
  echo "dockhand: ok: "'[7/9] users: group docker exists'
elif [ "$dh_dry" = 1 ]; then
  echo "dockhand: would: "'[7/9] users: create group docker (a system group)'
  dh_changes=$((dh_changes + 1))
else
  echo "dockhand: change: "'[7/9] users: create group docker (a system group)'
  (
    set -eu
    groupadd --system docker
  ) || dh_failed '[7/9] users: create group docker (a system group)' $?
  dh_changes=$((dh_changes + 1))
fi
if (
  id -Gn admin 2>/dev/null | tr ' ' '
' | grep -qx docker
) >/dev/null 2>&1; then
  echo "dockhand: ok: "'[7/9] users: admin is in group docker'
elif [ "$dh_dry" = 1 ]; then
  echo "dockhand: would: "'[7/9] users: add admin to docker (takes effect at the user'\''s next login)'
  echo 'dockhand:   note: members of the docker group can start containers as root: this is root-equivalent access to the host'
  dh_changes=$((dh_changes + 1))
else
  echo "dockhand: change: "'[7/9] users: add admin to docker (takes effect at the user'\''s next login)'
  echo 'dockhand:   note: members of the docker group can start containers as root: this is root-equivalent access to the host'
  (
    set -eu
    id admin >/dev/null 2>&1 || { echo 'user admin does not exist on this host' >&2; exit 1; }
    usermod -aG docker admin
  ) || dh_failed '[7/9] users: add admin to docker (takes effect at the user'\''s next login)' $?
  dh_changes=$((dh_changes + 1))
fi
if (
  for u in $(printf '%s' "${DOCKHAND_USERS:-}" | tr ',' ' '); do
  id -Gn "$u" 2>/dev/null | tr ' ' '\n' | grep -qx docker || exit 1
done
) >/dev/null 2>&1; then
  echo "dockhand: ok: "'[7/9] users: every user named in DOCKHAND_USERS is in group docker'
elif [ "$dh_dry" = 1 ]; then
  echo "dockhand: would: "'[7/9] users: add the users named in DOCKHAND_USERS to docker'
  echo 'dockhand:   note: members of the docker group can start containers as root: this is root-equivalent access to the host'
  dh_changes=$((dh_changes + 1))
else
  echo "dockhand: change: "'[7/9] users: add the users named in DOCKHAND_USERS to docker'
  echo 'dockhand:   note: members of the docker group can start containers as root: this is root-equivalent access to the host'
  (
    set -eu
    for u in $(printf '%s' "${DOCKHAND_USERS:-}" | tr ',' ' '); do
      case $u in [!a-z_]*|*[!a-z0-9_.-]*) echo "DOCKHAND_USERS: '$u' is not a valid user name" >&2; exit 1 ;; esac
      id "$u" >/dev/null 2>&1 || { echo "user $u does not exist on this host" >&2; exit 1; }
      id -Gn "$u" | tr ' ' '\n' | grep -qx docker || usermod -aG docker "$u"
    done
  ) || dh_failed '[7/9] users: add the users named in DOCKHAND_USERS to docker' $?
  dh_changes=$((dh_changes + 1))
fi

# [8/9] services: Services
if (
  { systemctl is-active --quiet docker.service || { ! systemctl is-failed --quiet docker.service && r=$(systemctl show -p Result --value docker.service 2>/dev/null); [ -z "$r" ] || [ "$r" = success ]; }; } && { systemctl is-active --quiet docker.socket || { ! systemctl is-failed --quiet docker.socket && r=$(systemctl show -p Result --value docker.socket 2>/dev/null); [ -z "$r" ] || [ "$r" = success ]; }; } && { systemctl is-active --quiet containerd.service || { ! systemctl is-failed --quiet containerd.service && r=$(systemctl show -p Result --value containerd.service 2>/dev/null); [ -z "$r" ] || [ "$r" = success ]; }; }
) >/dev/null 2>&1; then
  echo "dockhand: ok: "'[8/9] services: no Docker unit left failed by an earlier start'
elif [ "$dh_dry" = 1 ]; then
  echo "dockhand: would: "'[8/9] services: reset the failed state of docker.service docker.socket containerd.service'
  dh_changes=$((dh_changes + 1))
else
  echo "dockhand: change: "'[8/9] services: reset the failed state of docker.service docker.socket containerd.service'
  (
    set -eu
    for u in docker.service docker.socket containerd.service; do systemctl reset-failed "$u" 2>/dev/null || true; done
  ) || dh_failed '[8/9] services: reset the failed state of docker.service docker.socket containerd.service' $?
  dh_changes=$((dh_changes + 1))
fi
if (
  [ -z "${dh_config_changed:-}" ]
) >/dev/null 2>&1; then
  echo "dockhand: ok: "'[8/9] services: docker'\''s configuration unchanged by this run'
elif [ "$dh_dry" = 1 ]; then
  echo "dockhand: would: "'[8/9] services: reload or restart docker if it is running (this run changed its configuration)'
  dh_changes=$((dh_changes + 1))
else
  echo "dockhand: change: "'[8/9] services: reload or restart docker if it is running (this run changed its configuration)'
  (
    set -eu
    changed=$(grep -v '^$' "$dh_state/changed-keys" 2>/dev/null || true)
    if ! systemctl is-active --quiet docker.service; then exit 0; fi
    if [ -n "$changed" ] && ! printf '%s\n' "$changed" | grep -qvxF -e debug -e labels -e live-restore -e max-concurrent-downloads -e max-concurrent-uploads -e max-download-attempts -e shutdown-timeout -e insecure-registries -e registry-mirrors -e allow-nondistributable-artifacts -e default-runtime -e runtimes -e authorization-plugins; then
      echo "reload docker: $(printf '%s' "$changed" | tr '\n' ' ') apply on SIGHUP (containers and dockerd's PID unchanged)"
      systemctl reload docker.service 2>/dev/null || kill -HUP "$(systemctl show -p MainPID --value docker.service)"
    else
      systemctl reset-failed docker.service 2>/dev/null || true
      systemctl try-restart docker.service
    fi
  ) || dh_failed '[8/9] services: reload or restart docker if it is running (this run changed its configuration)' $?
  dh_changes=$((dh_changes + 1))
fi
if (
  { { systemctl is-active --quiet containerd.service >/dev/null 2>&1; } && { systemctl is-enabled --quiet containerd.service; }; }
) >/dev/null 2>&1; then
  echo "dockhand: ok: "'[8/9] services: containerd.service enabled and running'
elif [ "$dh_dry" = 1 ]; then
  echo "dockhand: would: "'[8/9] services: enable and start containerd.service'
  dh_changes=$((dh_changes + 1))
else
  echo "dockhand: change: "'[8/9] services: enable and start containerd.service'
  (
    set -eu
    systemctl enable --now containerd.service
  ) || dh_failed '[8/9] services: enable and start containerd.service' $?
  dh_changes=$((dh_changes + 1))
fi
if (
  { { systemctl is-active --quiet docker.service >/dev/null 2>&1; } && { systemctl is-enabled --quiet docker.service; }; }
) >/dev/null 2>&1; then
  echo "dockhand: ok: "'[8/9] services: docker.service enabled and running'
elif [ "$dh_dry" = 1 ]; then
  echo "dockhand: would: "'[8/9] services: enable and start docker.service'
  dh_changes=$((dh_changes + 1))
else
  echo "dockhand: change: "'[8/9] services: enable and start docker.service'
  (
    set -eu
    systemctl enable --now docker.service
  ) || dh_failed '[8/9] services: enable and start docker.service' $?
  dh_changes=$((dh_changes + 1))
fi

# [9/9] verify: Verify
if [ "$dh_dry" = 1 ] && [ "$dh_check" = 0 ]; then
  echo "dockhand: would check: "'[9/9] verify: wait for the daemon to answer'
else
  echo "dockhand: check: "'[9/9] verify: wait for the daemon to answer'
  (
    set -eu
    i=0
    until docker version >/dev/null 2>&1; do
      i=$((i + 1))
      if [ "$i" -ge 60 ]; then docker version >&2 || true; { echo 'the Docker daemon did not answer within 60s' >&2; exit 1; }; fi
      sleep 1
    done
  ) || dh_failed '[9/9] verify: wait for the daemon to answer' $?
fi
if [ "$dh_dry" = 1 ] && [ "$dh_check" = 0 ]; then
  echo "dockhand: would check: "'[9/9] verify: docker answers admin without sudo (fresh login)'
else
  echo "dockhand: check: "'[9/9] verify: docker answers admin without sudo (fresh login)'
  (
    set -eu
    su -l -s /bin/sh admin -c 'docker version --format '\''client {{.Client.Version}}, server {{.Server.Version}}'\''' || { echo 'admin cannot reach the Docker API without sudo' >&2; exit 1; }
  ) || dh_failed '[9/9] verify: docker answers admin without sudo (fresh login)' $?
fi
if [ "$dh_dry" = 1 ] && [ "$dh_check" = 0 ]; then
  echo "dockhand: would check: "'[9/9] verify: storage driver is overlay2'
else
  echo "dockhand: check: "'[9/9] verify: storage driver is overlay2'
  (
    set -eu
    driver=$(docker info --format '{{.Driver}}')
    if [ "$driver" != overlay2 ]; then echo "storage driver is $driver, expected overlay2" >&2; exit 1; fi
    echo "storage driver: $driver"
  ) || dh_failed '[9/9] verify: storage driver is overlay2' $?
fi
if [ "$dh_dry" = 1 ] && [ "$dh_check" = 0 ]; then
  echo "dockhand: would check: "'[9/9] verify: docker answers each user named in DOCKHAND_USERS without sudo (fresh login)'
else
  echo "dockhand: check: "'[9/9] verify: docker answers each user named in DOCKHAND_USERS without sudo (fresh login)'
  (
    set -eu
    for u in $(printf '%s' "${DOCKHAND_USERS:-}" | tr ',' ' '); do
      su -l -s /bin/sh "$u" -c 'docker version --format '\''client {{.Client.Version}}, server {{.Server.Version}}'\''' || { echo "$u cannot reach the Docker API without sudo" >&2; exit 1; }
    done
  ) || dh_failed '[9/9] verify: docker answers each user named in DOCKHAND_USERS without sudo (fresh login)' $?
fi

if [ "$dh_dry" = 1 ]; then
  if [ "$dh_changes" -gt 0 ]; then echo "dockhand: dry run: $dh_changes change(s) would be made"; exit 10; fi
  echo "dockhand: dry run: converged, nothing would change"; exit 0
fi
if [ "$dh_changes" -eq 0 ]; then echo "dockhand: converged: nothing changed"; else echo "dockhand: done: $dh_changes change(s) made and verified"; fi
