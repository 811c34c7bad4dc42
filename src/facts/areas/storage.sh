# shellcheck shell=sh
# Fact area storage (storage.ts): the filesystem under the Docker data root (type, d_type, free space
# and inodes), what data the storage drivers hold there, and the overlay module.
# DH_STORAGE_DRIVERS is a fixed list of directory names (storage.ts); dh_root comes from docker.sh.
: "${DH_STORAGE_DRIVERS:?}" "${dh_root:?docker.sh sets the data root before this fragment}"

sec storage
kv path "$dh_root"
kvyn exists test -d "$dh_root"
# The nearest existing directory tells the filesystem the root is (or will be) on.
dh_d=$dh_root
while [ ! -d "$dh_d" ]; do dh_d=${dh_d%/*}; [ -n "$dh_d" ] || dh_d=/; done
kv probe_dir "$dh_d"
# First lines by expansion, not `| head -n 1` (a fork each); the mount point only where xfs_info
# needs it.
dh_nl='
'
if has findmnt; then dh_x=$(findmnt -n -o FSTYPE -T "$dh_d" 2>/dev/null); kv fstype "${dh_x%%"$dh_nl"*}"
elif has stat; then kv fstype_statf "$(stat -f -c %T "$dh_d" 2>/dev/null)"; fi
if has xfs_info; then
  if has findmnt; then dh_mnt=$(findmnt -n -o TARGET -T "$dh_d" 2>/dev/null); dh_mnt=${dh_mnt%%"$dh_nl"*}; else dh_mnt=$dh_d; fi
  run xfs_info xfs_info "$dh_mnt"
fi
# dh_entries DIR: how many entries DIR has (what `ls -A DIR | wc -l` counted), by globbing: no forks.
dh_entries() {
  dh_cnt=0
  for dh_e in "$1"/* "$1"/.[!.]* "$1"/..?*; do { [ -e "$dh_e" ] || [ -L "$dh_e" ]; } && dh_cnt=$((dh_cnt + 1)); done
}
run df df -P "$dh_d"
run dfi df -Pi "$dh_d"
if [ -d "$dh_root" ]; then
  if [ -r "$dh_root" ] && [ -x "$dh_root" ]; then
    kv readable yes
    for dh_drv in $DH_STORAGE_DRIVERS; do
      if [ -d "$dh_root/$dh_drv" ]; then dh_entries "$dh_root/$dh_drv"; [ "$dh_cnt" -gt 0 ] && kv "driver.$dh_drv" yes; fi
      dh_img="$dh_root/image/$dh_drv/imagedb/content/sha256"
      if [ -d "$dh_img" ]; then dh_entries "$dh_img"; kv "images.$dh_drv" "$dh_cnt"; fi
    done
    # Engine 29's containerd image store keeps layers in a snapshotter instead (system containerd's
    # may also belong to other clients such as Kubernetes; it still means data a switch would hide).
    dh_snapdata=no
    for dh_snap in "$dh_root/containerd/daemon/io.containerd.snapshotter.v1.overlayfs/snapshots" /var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots; do
      if [ -d "$dh_snap" ]; then dh_entries "$dh_snap"; [ "$dh_cnt" -gt 0 ] && dh_snapdata=yes; fi
    done
    [ "$dh_snapdata" = yes ] && kv driver.overlayfs yes
    if [ -d "$dh_root/containers" ]; then dh_entries "$dh_root/containers"; kv containers "$dh_cnt"; fi
  else
    kv readable no
  fi
fi

sec overlay
dh_ov=no
if [ -r /proc/filesystems ]; then
  while IFS= read -r dh_f; do case "$dh_f" in *[[:space:]]overlay|overlay) dh_ov=yes;; esac; done < /proc/filesystems
  kv supported "$dh_ov"
fi
dh_ml=no
[ -d /sys/module/overlay ] && dh_ml=yes
if [ -r /proc/modules ]; then
  while IFS= read -r dh_f; do case "$dh_f" in "overlay "*) dh_ml=yes;; esac; done < /proc/modules
fi
kv module_loaded "$dh_ml"
dh_pers=no
for dh_f in /etc/modules-load.d/*.conf /usr/lib/modules-load.d/*.conf /lib/modules-load.d/*.conf /etc/modules; do
  [ -r "$dh_f" ] || continue
  while IFS= read -r dh_x; do case "$dh_x" in overlay|overlay[[:space:]]*) dh_pers=yes;; esac; done < "$dh_f"
done
kv persisted "$dh_pers"
