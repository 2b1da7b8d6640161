#!/usr/bin/env bash
# Coffer against its peers, side by side in one run (issue #7's targets).
#
#   bench/run.sh [COFFER_BINARY] [RUNS]
#
# Builds nothing: it takes the built `coffer` (default build/main/coffer),
# makes its corpora under /dev/shm (tmpfs, so the disk does not decide),
# and prints the median wall time, CPU time and peak RSS of each tool over
# RUNS runs (default 3), with Coffer's speed ratio to each peer (> 1 means
# Coffer is faster) and, where the targets name them, output sizes. Coffer and
# the peers it is compared with take turns, run by run, in an order reversed
# every other run, so that the drift of a shared machine falls on all alike.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
coffer=$(realpath "${1:-$root/build/main/coffer}")
runs=${2:-3}
for tool in age age-keygen zstd gpg 7zz tar /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install age zstd gnupg 7zip time" >&2; exit 2; }
done

work=$(mktemp -d /dev/shm/coffer-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"

echo "# corpora"
head -c 1073741824 /dev/urandom > random.bin
tar -cf text.tar -C / usr/include usr/share/doc 2>/dev/null || true
echo "random.bin $(stat -c %s random.bin) bytes; text.tar $(stat -c %s text.tar) bytes; /usr/include $(find /usr/include -type f | wc -l) files"

"$coffer" keygen -o coffer.key > coffer.card
age-keygen -o age.key 2>/dev/null
agepub=$(age-keygen -y age.key)
card=$(cat coffer.card)
echo "bench-passphrase" > pass
export GNUPGHOME="$work/gnupg"; mkdir -m 700 "$GNUPGHOME"

# measure NAME CMD [NAME CMD]... and ratio COFFER PEER (medians, peak RSS).
source "$root/bench/measure.sh"

echo; echo "# 1 GiB random, one recipient, to /dev/null"
measure "coffer encrypt >/dev/null" "'$coffer' encrypt -r $card -o - random.bin > /dev/null" \
  "age -r >/dev/null" "age -r $agepub random.bin > /dev/null"
ratio "coffer encrypt >/dev/null" "age -r >/dev/null"

# Each run writes a new file into out/, emptied (untimed) before every run:
# no tool pays for freeing the previous output or, with this VM's free page
# reporting, for memory that has gone back to the host in the meantime while
# the last output still holds what was just freed (replacing a 1 GiB file
# took Coffer 2.3 s against 1.3 s for a new one).
echo; echo "# 1 GiB random, one recipient, to a file on tmpfs"
measure "coffer encrypt >tmpfs" "'$coffer' encrypt -r $card -o out/random.coffer random.bin" \
  "age -r >tmpfs" "age -r $agepub -o out/random.age random.bin" \
  "gpg --symmetric >tmpfs" "gpg --batch --yes --pinentry-mode loopback --passphrase-file pass --symmetric --cipher-algo AES256 -z 0 -o out/random.gpg random.bin" \
  "7zz AES >tmpfs" "7zz a -mx=0 -p\$(cat pass) out/random.7z random.bin"
ratio "coffer encrypt >tmpfs" "age -r >tmpfs"
ratio "coffer encrypt >tmpfs" "gpg --symmetric >tmpfs"
ratio "coffer encrypt >tmpfs" "7zz AES >tmpfs"

echo; echo "# decrypt the same"
"$coffer" encrypt -r "$card" -o random.coffer random.bin
age -r "$agepub" -o random.age random.bin
measure "coffer decrypt -o - >/dev/null" "'$coffer' decrypt -i coffer.key -o - random.coffer > /dev/null" \
  "age -d >/dev/null" "age -d -i age.key random.age > /dev/null"
measure "coffer decrypt >tmpfs" "'$coffer' decrypt -i coffer.key -o out random.coffer" \
  "age -d >tmpfs" "age -d -i age.key -o out/random.bin random.age"
measure "coffer decrypt <stdin >tmpfs" "'$coffer' decrypt -i coffer.key -o out - < random.coffer" \
  "age -d <stdin >tmpfs" "age -d -i age.key -o out/random.bin < random.age"
ratio "coffer decrypt -o - >/dev/null" "age -d >/dev/null"
ratio "coffer decrypt >tmpfs" "age -d >tmpfs"
ratio "coffer decrypt <stdin >tmpfs" "age -d <stdin >tmpfs"

echo; echo "# /usr/include tree ($(find /usr/include -type f | wc -l) files)"
measure "coffer encrypt tree" "'$coffer' encrypt -r $card --force -o tree.coffer /usr/include" \
  "tar|zstd -3 -T0|age" "tar -cf - -C /usr include | zstd -3 -T0 -q | age -r $agepub -o tree.tar.zst.age"
size["coffer encrypt tree"]=$(stat -c %s tree.coffer)
size["tar|zstd -3 -T0|age"]=$(stat -c %s tree.tar.zst.age)
ratio "coffer encrypt tree" "tar|zstd -3 -T0|age"
printf '  size: coffer %s, tar|zstd|age %s (%+.2f%%)\n' "${size[coffer encrypt tree]}" "${size[tar|zstd -3 -T0|age]}" \
  "$(echo "(${size[coffer encrypt tree]} - ${size[tar|zstd -3 -T0|age]}) * 100 / ${size[tar|zstd -3 -T0|age]}" | bc -l)"
measure "coffer extract tree" "'$coffer' decrypt -i coffer.key -o out tree.coffer" \
  "age -d|zstd -d|tar -x" "age -d -i age.key tree.tar.zst.age | zstd -d -q | tar -xf - -C out"
ratio "coffer extract tree" "age -d|zstd -d|tar -x"

echo; echo "# text tar ($(numfmt --to=iec "$(stat -c %s text.tar)"))"
measure "coffer encrypt text.tar" "'$coffer' encrypt -r $card --force -o text.coffer text.tar" \
  "zstd -3 -T0 text.tar" "zstd -3 -T0 -q -f -o text.tar.zst text.tar"
size["coffer encrypt text.tar"]=$(stat -c %s text.coffer)
size["zstd -3 -T0 text.tar"]=$(stat -c %s text.tar.zst)
printf '  time: coffer / zstd = %.2f (target <= 1.15)\n' "$(echo "${wall[coffer encrypt text.tar]} / ${wall[zstd -3 -T0 text.tar]}" | bc -l)"
printf '  size: coffer %s, zstd %s (%+.2f%%)\n' "${size[coffer encrypt text.tar]}" "${size[zstd -3 -T0 text.tar]}" \
  "$(echo "(${size[coffer encrypt text.tar]} - ${size[zstd -3 -T0 text.tar]}) * 100 / ${size[zstd -3 -T0 text.tar]}" | bc -l)"

echo; echo "# listing"
measure "coffer list 1 GiB" "'$coffer' list -i coffer.key random.coffer"
echo "(a 10 GiB container lists the same way: only the final chunks and the index are read)"

# Issue 20: Coffer writing and reading real age files, against age itself on
# the same 1 GiB (target: at least age's own speed, both cores working).
echo; echo "# 1 GiB .age"
measure "coffer encrypt --format age >/dev/null" "'$coffer' encrypt --format age -r $agepub -o - random.bin > /dev/null" \
  "age -r >/dev/null" "age -r $agepub random.bin > /dev/null"
measure "coffer encrypt --format age >tmpfs" "'$coffer' encrypt --format age -r $agepub -o out/random.bin.age random.bin" \
  "age -r >tmpfs" "age -r $agepub -o out/random.age random.bin"
ratio "coffer encrypt --format age >/dev/null" "age -r >/dev/null"
ratio "coffer encrypt --format age >tmpfs" "age -r >tmpfs"
age -r "$agepub" -o random.bin.age random.bin
measure "coffer decrypt .age -o - >/dev/null" "'$coffer' decrypt -i age.key -o - random.bin.age > /dev/null" \
  "age -d >/dev/null" "age -d -i age.key random.bin.age > /dev/null"
measure "coffer decrypt .age >tmpfs" "'$coffer' decrypt -i age.key -o out random.bin.age" \
  "age -d >tmpfs" "age -d -i age.key -o out/random.bin random.bin.age"
ratio "coffer decrypt .age -o - >/dev/null" "age -d >/dev/null"
ratio "coffer decrypt .age >tmpfs" "age -d >tmpfs"
echo; "$root/bench/mount.sh" "$coffer" "$runs" # section "mount" (issue 21)
# section "scale and session" (issue 22): the million-entry tree too, unless
# COFFER_BENCH_MILLION=0 (it adds about three minutes and 2 GiB of tmpfs),
# then the agent's start-up time
echo; COFFER_BENCH_MILLION=${COFFER_BENCH_MILLION:-1} "$root/bench/scale.sh" "$coffer" "$runs"
echo; echo "# agent: a command with the keyring unlocked by coffer unlock"
"$root/bench/agent.sh" "$coffer" 15
