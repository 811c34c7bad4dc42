# shellcheck shell=sh
# Fact area packages (packages.ts): which package manager the host has, and which of the Docker
# packages (and conflicting ones) are installed, with their versions.
# The DH_* lists are fixed words without glob characters (packages.ts), split on purpose.
: "${DH_DPKG_PACKAGES:?}" "${DH_RPM_PACKAGES:?}" "${DH_OTHER_PACKAGES:?}"

sec pkg
for dh_t in apt-get dpkg dnf dnf5 yum zypper pacman apk rpm; do kvyn "$dh_t" has "$dh_t"; done
if has dnf; then runt dnf_version dnf --version; fi

sec packages
if has dpkg-query; then
  # shellcheck disable=SC2016,SC2086 # dpkg-query's own ${field} syntax; the list is split on purpose
  run dpkg dpkg-query -W -f='${Package}\t${Version}\t${db:Status-Abbrev}\n' $DH_DPKG_PACKAGES
  # An interrupted dpkg run: packages left unpacked or half-configured (`dpkg --audit` lists them),
  # or journal files under updates/ that the next dpkg run replays first.
  run dpkg_audit dpkg --audit
  if [ -d /var/lib/dpkg/updates ]; then
    dh_n=0; for dh_f in /var/lib/dpkg/updates/*; do [ -e "$dh_f" ] && dh_n=$((dh_n + 1)); done
    kv dpkg_updates "$dh_n"
  fi
fi
# shellcheck disable=SC2086 # the list is split on purpose
if has rpm; then run rpm rpm -q --qf '%{NAME}\t%{EPOCH}:%{VERSION}-%{RELEASE}\n' $DH_RPM_PACKAGES; fi
# shellcheck disable=SC2086 # the list is split on purpose
if has pacman; then run pacman pacman -Q $DH_OTHER_PACKAGES; fi
if has apk && [ -r /lib/apk/db/installed ]; then
  while IFS= read -r dh_a; do case "$dh_a" in P:*|V:*) printf '%s\n' "$dh_a";; esac; done < /lib/apk/db/installed | stream apk
fi
