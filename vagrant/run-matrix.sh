#!/usr/bin/env bash
# Boot the named boxes (default: all), then for each: `dockhand up` from fresh, `dockhand up` again
# (must report zero changes), and `dockhand doctor` (must be healthy). Prints one line per box and
# exits non-zero if any box failed. Needs vagrant with virtualbox or libvirt, and a built dockhand.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cli="$here/../dist/src/cli.js"
[ -x "$cli" ] || { echo "build dockhand first: npm install" >&2; exit 64; }
cd "$here"
boxes=("$@")
[ ${#boxes[@]} -gt 0 ] || mapfile -t boxes < <(vagrant status --machine-readable | awk -F, '$3=="state"{print $2}')
failed=0
for box in "${boxes[@]}"; do
  vagrant up "$box" >"/tmp/vagrant-$box.log" 2>&1 || { echo "$box: boot failed (see /tmp/vagrant-$box.log)"; failed=1; continue; }
  cfg=$(mktemp)
  vagrant ssh-config "$box" >"$cfg"
  # Vagrant's boxes have throwaway host keys: record them on first contact, refuse changes after.
  kh=$(mktemp)
  common=(-H "$box" --ssh-config "$cfg" --known-hosts "$kh" --host-key-policy accept-new)
  if ! node "$cli" up "${common[@]}" >"/tmp/dockhand-$box-up1.log" 2>&1; then
    echo "$box: first up failed (see /tmp/dockhand-$box-up1.log)"; failed=1; continue
  fi
  # --json prints JSON lines; the last one is the summary event (README, "JSON output").
  changed=$(node "$cli" up "${common[@]}" --json 2>/dev/null | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const r=JSON.parse(s.trim().split("\n").pop());console.log(r.hosts.reduce((n,h)=>n+h.steps.changed,0))})')
  if [ "$changed" != "0" ]; then echo "$box: second up changed $changed steps"; failed=1; continue; fi
  if ! node "$cli" doctor "${common[@]}" >"/tmp/dockhand-$box-doctor.log" 2>&1; then
    echo "$box: doctor found problems (see /tmp/dockhand-$box-doctor.log)"; failed=1; continue
  fi
  echo "$box: ok (converged on second run, doctor healthy)"
done
exit $failed
