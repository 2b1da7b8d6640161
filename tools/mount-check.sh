#!/usr/bin/env bash
# The bigger must-show of `coffer mount` (issue 21, item 4), on real data:
#   - the /usr/include tree mounted: diff -r against /usr/include;
#   - a 1 GiB file mounted: cmp of the whole file and of random ranges;
#   - a byte flipped in the 1 GiB file's payload: reads of that range fail
#     with EIO, the rest of it and the other file still read right;
#   - unmount leaves nothing: no mount, no process, an empty folder.
#
#   tools/mount-check.sh [COFFER_BINARY]
#
# Needs /dev/fuse and fusermount3 (Debian: fuse3). Works under /dev/shm.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
coffer=$(realpath "${1:-$root/build/main/coffer}")
[ -w /dev/fuse ] || { echo "this computer lacks FUSE (/dev/fuse)" >&2; exit 2; }

work=$(mktemp -d /dev/shm/coffer-mount-check-XXXXXX)
mnt="$work/mnt"
cleanup() {
  mountpoint -q "$mnt" && fusermount3 -u -z "$mnt"
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"
mkdir mnt
export COFFER_HOME="$work/home"
"$coffer" keygen -o k.key > card
card=$(cat card)
fail=0
check() { # check WHAT COMMAND...: runs it, says PASS or FAIL
  if "${@:2}"; then echo "PASS $1"; else echo "FAIL $1"; fail=1; fi
}
daemon_pids() { pgrep -f -x "$coffer mount -i k.key [^ ]+ $mnt" || true; }
unmount_leaves_nothing() {
  "$coffer" unmount "$mnt"
  for _ in $(seq 100); do [ -z "$(daemon_pids)" ] && break; sleep 0.05; done
  ! mountpoint -q "$mnt" && [ -z "$(daemon_pids)" ] && [ -z "$(ls -A "$mnt")" ]
}

echo "# /usr/include ($(find /usr/include -type f | wc -l) files, $(du -sh /usr/include | cut -f1))"
# The format records no links: its 30 links are stored as what they point to,
# as diff -r (which follows them) compares them.
"$coffer" encrypt --follow-all-links -r "$card" -o tree.coffer /usr/include 2>/dev/null
"$coffer" mount -i k.key tree.coffer "$mnt" 2>/dev/null
check "diff -r /usr/include against the mount" diff -r /usr/include "$mnt/include"
check "unmount leaves nothing (tree)" unmount_leaves_nothing

echo "# a 1 GiB file"
mkdir big
head -c 1073741824 /dev/urandom > big/random.bin
echo "a small file beside it" > big/note.txt
"$coffer" encrypt -r "$card" -o big.coffer big 2>/dev/null
"$coffer" mount -i k.key big.coffer "$mnt" 2>/dev/null
ranges_match() {
  local size skip count i
  size=$(stat -c %s big/random.bin)
  for i in $(seq 200); do
    skip=$(( (RANDOM * 32768 + RANDOM) * 32 % size ))
    count=$(( (RANDOM * 32768 + RANDOM) % 4194304 + 1 ))
    cmp -s -i "$skip" -n "$count" big/random.bin "$mnt/big/random.bin" || { echo "ranges differ at $skip +$count"; return 1; }
  done
}
check "cmp of 200 random ranges (before anything is cached)" ranges_match
check "cmp of the whole 1 GiB file" cmp big/random.bin "$mnt/big/random.bin"
check "diff -r of the whole tree" diff -r big "$mnt/big"
check "unmount leaves nothing (1 GiB)" unmount_leaves_nothing

echo "# a byte flipped in the middle of the 1 GiB file's payload"
cp big.coffer tampered.coffer
header=$(grep -a -b -m1 '^--- ' tampered.coffer | cut -d: -f1)
header=$((header + $(grep -a -m1 '^--- ' tampered.coffer | wc -c)))
chunk=$(( ($(stat -c %s tampered.coffer) - header - 56) / 16400 / 2 ))
offset=$((header + 56 + chunk * 16400 + 100))
printf '\x5a' | dd of=tampered.coffer bs=1 seek="$offset" conv=notrunc status=none
"$coffer" mount -i k.key tampered.coffer "$mnt" 2>/dev/null
plain=$((chunk * 16384))  # about where the flipped chunk's plaintext is
eio_at_the_flip() {
  local out
  out=$(dd if="$mnt/big/random.bin" of=/dev/null bs=1M iflag=skip_bytes,count_bytes skip=$((plain - 8 * 1048576)) \
    count=$((16 * 1048576)) 2>&1) && { echo "read through the flipped chunk succeeded"; return 1; }
  grep -q "Input/output error" <<<"$out"
}
check "reads of the flipped range fail with EIO" eio_at_the_flip
check "the start of the file still reads right" cmp -n 104857600 big/random.bin "$mnt/big/random.bin"
check "the end of the file still reads right" cmp -i 1000000000 big/random.bin "$mnt/big/random.bin"
check "the other file still reads right" cmp big/note.txt "$mnt/big/note.txt"
check "unmount leaves nothing (tampered)" unmount_leaves_nothing

[ "$fail" = 0 ] && echo "all checks passed"
exit "$fail"
