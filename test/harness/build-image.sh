#!/bin/sh
# Builds one root filesystem for the end-to-end test hosts. Called by test/harness/hosts/image.ts,
# which caches the result under a key that includes a hash of THIS file: any edit here rebuilds.
#
#   build-image.sh base   <suite> <mirror-url> <out-dir>
#   build-image.sh docker <suite> <mirror-url> <out-dir> <base-image-dir>
#
# <out-dir> must not exist; the caller builds into a temporary name and renames it when this exits 0,
# so an interrupted build is never reused. Per-host state (host keys, machine-id, hostname, /etc/hosts,
# authorized keys, the deploypw password) is NOT baked in: the harness writes it into each copy.
set -eu

variant=$1 suite=$2 mirror=$3 out=$4

# Packages every test host has. Minimal on purpose: dockhand must cope with a bare server.
# libstdc++6 lets the machine's node binary run inside an unbooted root (local-mode tests).
base_packages=systemd,systemd-sysv,dbus,libpam-systemd,openssh-server,sudo,iproute2,ca-certificates,procps,curl,gnupg,libstdc++6

# Package scripts must not try to start services while we build.
no_service_starts() {
  printf '#!/bin/sh\nexit 101\n' >"$1/usr/sbin/policy-rc.d"
  chmod 0755 "$1/usr/sbin/policy-rc.d"
}

in_root() {
  chroot "$out" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive LC_ALL=C "$@"
}

finish() {
  rm -f "$out/usr/sbin/policy-rc.d"
  in_root apt-get clean
  rm -rf "$out"/var/lib/apt/lists/* "$out"/var/log/apt/* "$out"/tmp/* "$out"/var/tmp/*
}

case $variant in
base)
  debootstrap --variant=minbase --include="$base_packages" "$suite" "$out" "$mirror"
  no_service_starts "$out"

  # apt inside the host talks to the same mirror (the harness maps its name in /etc/hosts).
  rm -f "$out/etc/apt/sources.list.d/debian.sources"
  printf 'deb %s %s main\n' "$mirror" "$suite" >"$out/etc/apt/sources.list"

  # Users the tests log in as: deploy (passwordless sudo), deploypw (sudo asks a password), plain (no sudo).
  for user in deploy deploypw plain; do
    in_root useradd --create-home --shell /bin/bash "$user"
  done
  cat >"$out/etc/sudoers.d/dockhand-test" <<'EOF'
deploy ALL=(ALL:ALL) NOPASSWD: ALL
deploypw ALL=(ALL:ALL) ALL
EOF
  chmod 0440 "$out/etc/sudoers.d/dockhand-test"
  in_root visudo -c -q

  # sshd: enabled at boot, keys only, one ed25519 host key generated per host by the harness.
  rm -f "$out"/etc/ssh/ssh_host_*
  cat >"$out/etc/ssh/sshd_config.d/dockhand-test.conf" <<'EOF'
HostKey /etc/ssh/ssh_host_ed25519_key
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
UseDNS no
EOF
  in_root systemctl enable ssh.service

  # No getty on a container console nobody reads. Each host gets its own machine-id at copy time.
  # Loading kernel modules is the machine's business, not a container's (it fails there anyway).
  in_root systemctl mask console-getty.service getty@tty1.service systemd-modules-load.service
  : >"$out/etc/machine-id"
  rm -f "$out/var/lib/dbus/machine-id"
  finish
  ;;
docker)
  base=$5
  cp -a "$base" "$out"
  no_service_starts "$out"
  cp /etc/resolv.conf "$out/etc/resolv.conf"
  mount -t proc proc "$out/proc"
  trap 'umount "$out/proc" 2>/dev/null || true' EXIT
  in_root apt-get update -qq
  # From trixie on, the docker client is its own package (only recommended by docker.io).
  packages=docker.io
  if in_root apt-cache show docker-cli >/dev/null 2>&1; then packages="$packages docker-cli"; fi
  in_root apt-get install -y -qq --no-install-recommends $packages >/dev/null
  umount "$out/proc"
  trap - EXIT
  in_root systemctl enable docker.service docker.socket
  : >"$out/etc/resolv.conf"
  finish
  ;;
*)
  echo "unknown image variant: $variant" >&2
  exit 64
  ;;
esac
