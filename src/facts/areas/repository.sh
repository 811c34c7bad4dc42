# shellcheck shell=sh
# Fact area repository (repository.ts): the Docker apt sources and legacy keys already on the host,
# the keyring dockhand writes, and on rpm hosts the Docker .repo file and its local key.
: "${DH_APT_KEYRING:?}" "${DH_RPM_REPO:?}" "${DH_RPM_KEY:?}"

sec apt_sources
if [ -d /etc/apt ]; then
  kv apt yes
  for dh_f in /etc/apt/sources.list /etc/apt/sources.list.d/*; do
    [ -f "$dh_f" ] || continue
    case "${dh_f##*/}" in
      docker.list|docker.sources|download_docker_com_linux_*) emit_file "$dh_f"; continue;;
    esac
    [ -r "$dh_f" ] || continue
    case "$(cat "$dh_f" 2>/dev/null)" in
      *linux/ubuntu*|*linux/debian*|*linux/raspbian*) emit_file "$dh_f";;
    esac
  done
  for dh_f in /etc/apt/trusted.gpg.d/docker*; do [ -e "$dh_f" ] && kv "legacy_key $dh_f" yes; done
  # Small and ASCII-armoured: the plan reads which key it is from the text (no gpg needed here).
  emit_file "$DH_APT_KEYRING"
fi

sec rpm_repo
if [ -d /etc/yum.repos.d ]; then
  emit_file "$DH_RPM_REPO"
  emit_file "$DH_RPM_KEY"
fi
