# shellcheck shell=sh
# Fact area user (user.ts): who the probe runs as, whether it may use sudo without a password, its
# groups (of this session and in the group database), the docker group, and which of the users
# asked about have an account.

sec privilege
dh_uid=$(id -u 2>/dev/null)
kv uid "$dh_uid"
kvyn sudo has sudo
if [ "$dh_uid" != 0 ] && has sudo; then
  if $T sudo -n true </dev/null >/dev/null 2>&1; then kv sudo_n yes; else kv sudo_n no; fi
fi

sec user
dh_user=$(id -un 2>/dev/null)
kv name "$dh_user"
kv uid "$dh_uid"
kv gid "$(id -g 2>/dev/null)"
kv group "$(id -gn 2>/dev/null)"
kv home "$HOME"
kv sudo_user "$SUDO_USER"
kv session_groups "$(id -Gn 2>/dev/null)"
kv session_gids "$(id -G 2>/dev/null)"
[ -n "$dh_user" ] && run db_groups id -Gn "$dh_user"
# Membership lines straight from the group database, in case `id -Gn USER` is unavailable. The
# database is read once for this and the docker group below (getent group may ask LDAP/SSSD).
dh_gdb=$(group_db)
{ while IFS= read -r dh_g; do case ",${dh_g##*:}," in *",$dh_user,"*) printf '%s\n' "$dh_g";; esac; done <<EOT
$dh_gdb
EOT
} | stream member_of

sec docker_group
{ while IFS= read -r dh_g; do case "$dh_g" in docker:*) printf '%s\n' "$dh_g";; esac; done <<EOT
$dh_gdb
EOT
} | stream group

# The arguments of the script are the user names asked about (validated and quoted by the controller):
# `id -u NAME` asks NSS as login does. A name is a key here, so the host answers only for names asked.
sec accounts
for dh_u in "$@"; do
  if id -u "$dh_u" >/dev/null 2>&1; then kv "$dh_u" yes; else kv "$dh_u" no; fi
done
