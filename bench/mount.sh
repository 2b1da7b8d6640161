#!/usr/bin/env bash
# Section "mount" of bench/run.sh (issue 21): reading through `coffer mount`
# against extracting with `coffer decrypt`, and the mount process's peak
# memory (VmHWM, read from /proc before unmount).
#
#   bench/mount.sh [COFFER_BINARY] [RUNS]
#
# Each timed read runs on a fresh mount, so the kernel's page cache of the
# mount (kept between opens: the content never changes) holds nothing yet.
# `tar -cf /dev/null` is written `tar -cf - | cat >/dev/null`: GNU tar skips
# reading the files when its archive is /dev/null.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
coffer=$(realpath "${1:-$root/build/main/coffer}")
runs=${2:-3}
[ -w /dev/fuse ] || { echo "this computer lacks FUSE (/dev/fuse): no mount section" >&2; exit 0; }

work=$(mktemp -d /dev/shm/coffer-bench-mount-XXXXXX)
mnt="$work/mnt"
trap 'mountpoint -q "$mnt" && fusermount3 -u -z "$mnt"; rm -rf "$work"' EXIT
cd "$work"
mkdir mnt
export COFFER_HOME="$work/home"
"$coffer" keygen -o k.key > card
head -c 1073741824 /dev/urandom > random.bin
"$coffer" encrypt -r "$(cat card)" -o random.coffer random.bin 2>/dev/null
"$coffer" encrypt --follow-all-links -r "$(cat card)" -o tree.coffer /usr/include 2>/dev/null

median() { sort -n | sed -n "$(((runs + 1) / 2))p"; }
seconds() { # seconds COMMAND: the wall time of one run
  local start end
  start=$(date +%s.%N)
  bash -c "$1" >/dev/null
  end=$(date +%s.%N)
  echo "$end - $start" | bc
}
# through_mount CONTAINER COMMAND: mounts, times COMMAND, appends the daemon's
# VmHWM to hwm.txt (it runs in a command substitution: no variable survives), unmounts.
through_mount() {
  "$coffer" mount -i k.key "$1" "$mnt" 2>/dev/null
  seconds "$2"
  local pid hwm
  pid=$(pgrep -f -x "$coffer mount -i k.key $1 $mnt")
  hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
  echo "$hwm" >> hwm.txt
  "$coffer" unmount "$mnt"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.02; done
}
peak_rss() {
  printf 'peak RSS of the mount process (VmHWM): %.1f MiB\n' "$(echo "$(sort -n hwm.txt | tail -1) / 1024" | bc -l)"
  rm -f hwm.txt
}
report() { # report NAME TIMES...
  printf '%-44s wall %6.2f s (median of %d)\n' "$1" "$(printf '%s\n' "${@:2}" | median)" "$runs"
}

echo "# mount: 1 GiB random file"
mount_t=() dec_t=() ext_t=()
for ((i = 0; i < runs; i++)); do
  mount_t+=("$(through_mount random.coffer "cat '$mnt/random.bin' > /dev/null")")
  dec_t+=("$(seconds "'$coffer' decrypt -i k.key -o - random.coffer > /dev/null 2>&1")")
  rm -rf out && mkdir out
  ext_t+=("$(seconds "'$coffer' decrypt -i k.key -o out random.coffer 2>/dev/null")")
done
report "cat of the mounted file >/dev/null" "${mount_t[@]}"
report "coffer decrypt -o - >/dev/null" "${dec_t[@]}"
report "coffer decrypt >tmpfs" "${ext_t[@]}"
peak_rss

echo "# mount: /usr/include ($(find /usr/include -type f | wc -l) files)"
tar_t=() tree_t=()
for ((i = 0; i < runs; i++)); do
  tar_t+=("$(through_mount tree.coffer "tar -cf - -C '$mnt' include | cat > /dev/null")")
  rm -rf out && mkdir out
  tree_t+=("$(seconds "'$coffer' decrypt -i k.key -o out tree.coffer 2>/dev/null")")
done
report "tar -cf - of the mounted tree | cat >/dev/null" "${tar_t[@]}"
report "coffer decrypt tree >tmpfs" "${tree_t[@]}"
peak_rss
