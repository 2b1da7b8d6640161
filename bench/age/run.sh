#!/usr/bin/env bash
# crypto/age against age itself on 1 GiB (issue 20's speed target), in one run:
#
#   bench/age/run.sh [BUILD_DIR] [RUNS]
#
# Makes 1 GiB of random data under /dev/shm (tmpfs, so the disk does not
# decide), then times, taking turns run by run, `age -e` against
# coffer-age-bench encrypt and `age -d` against coffer-age-bench decrypt, all
# from a file to /dev/null, and prints each one's median wall and CPU time
# and Coffer's speed ratio (> 1 means Coffer is faster).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
bench=$(realpath "${1:-$root/build}/bench/age/coffer-age-bench")
runs=${2:-5}
for tool in age age-keygen /usr/bin/time bc; do
  command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 2; }
done
work=$(mktemp -d /dev/shm/coffer-age-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"
head -c 1073741824 /dev/urandom > plain.bin
age-keygen -o key.txt 2>/dev/null
recipient=$(age-keygen -y key.txt)
age -e -r "$recipient" -o by-age.age plain.bin
"$bench" encrypt "$recipient" < plain.bin > by-coffer.age
cmp <(age -d -i key.txt by-coffer.age) plain.bin
cmp <("$bench" decrypt key.txt < by-age.age) plain.bin

declare -A walls cpus
time_one() { # NAME CMD
  /usr/bin/time -f "%e %U %S" -o t.txt bash -c "$2" > /dev/null
  read -r e u s < t.txt
  walls[$1]+="$e "; cpus[$1]+="$(echo "$u + $s" | bc) "
}
median() { printf '%s\n' $1 | sort -n | sed -n "$(((runs + 1) / 2))p"; }
for ((i = 0; i < runs; i++)); do
  pairs=("age -e" "age -e -r $recipient < plain.bin > /dev/null"
         "coffer encrypt" "'$bench' encrypt $recipient < plain.bin > /dev/null"
         "age -d" "age -d -i key.txt < by-age.age > /dev/null"
         "coffer decrypt" "'$bench' decrypt key.txt < by-age.age > /dev/null")
  order=(0 2 4 6); ((i % 2 == 0)) || order=(2 0 6 4)
  for k in "${order[@]}"; do time_one "${pairs[k]}" "${pairs[k + 1]}"; done
done
for name in "age -e" "coffer encrypt" "age -d" "coffer decrypt"; do
  printf '%-16s wall %6.2f s  cpu %6.2f s\n' "$name" "$(median "${walls[$name]}")" "$(median "${cpus[$name]}")"
done
printf 'encrypt: coffer vs age %5.2fx\n' "$(echo "$(median "${walls[age -e]}") / $(median "${walls[coffer encrypt]}")" | bc -l)"
printf 'decrypt: coffer vs age %5.2fx\n' "$(echo "$(median "${walls[age -d]}") / $(median "${walls[coffer decrypt]}")" | bc -l)"
