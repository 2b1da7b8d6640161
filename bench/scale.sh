#!/usr/bin/env bash
# Section "scale and session" of bench/run.sh (issue 22): many tiny files,
# real trees, a million entries and signed encryption, each beside its peer
# in the same run, with the issue's targets printed next to the figures.
#
#   bench/scale.sh [COFFER_BINARY] [RUNS]
#
# Needs age, zstd, gpg, tar and /usr/bin/time. Works under /dev/shm (tmpfs).
# The 1,000,000-entry tree is made only with COFFER_BENCH_MILLION=1: making
# it and running the three commands once each takes several minutes (and
# about 2 GiB of tmpfs, removed at the end). The rest takes a few minutes.
# Peak RSS is that of the largest single process (for a pipeline: its
# largest member, as wait4 reports it).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
coffer=$(realpath "${1:-$root/build/main/coffer}")
runs=${2:-3}
for tool in age age-keygen zstd gpg tar awk bc /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install age zstd gnupg time" >&2; exit 2; }
done

work=$(mktemp -d /dev/shm/coffer-bench-scale-XXXXXX)
trap 'gpgconf --kill gpg-agent 2>/dev/null || true; rm -rf "$work"' EXIT
cd "$work"
export COFFER_HOME="$work/home"
export GNUPGHOME="$work/gnupg"
mkdir -m 700 "$GNUPGHOME"
"$coffer" keygen -o coffer.key > coffer.card
card=$(cat coffer.card)
age-keygen -o age.key 2>/dev/null
agepub=$(age-keygen -y age.key)

source "$root/bench/measure.sh"

# sizes NAME FILE NAME FILE TARGET: both sizes, the ratio and the target.
sizes() {
  local a b
  a=$(stat -c %s "$2")
  b=$(stat -c %s "$4")
  printf '  size: %s %s, %s %s (%.2fx, %+.2f%%; target: %s)\n' "$1" "$a" "$3" "$b" "$(echo "$a / $b" | bc -l)" \
    "$(echo "($a - $b) * 100 / $b" | bc -l)" "$5"
}
mib() { echo "${rss[$1]} / 1024" | bc -l; }

# tree_sections LABEL PARENT NAME: encrypt, list and extract PARENT/NAME with
# Coffer and with tar | zstd -3 -T0 | age (and back), side by side.
tree_sections() {
  local label=$1 parent=$2 name=$3
  echo; echo "# $label: encrypt"
  measure "coffer encrypt $label" "'$coffer' encrypt -r $card --force -o $name.coffer '$parent/$name'" \
    "tar|zstd|age $label" "tar -cf - -C '$parent' $name | zstd -3 -T0 -q | age -r $agepub -o $name.tar.zst.age"
  ratio "coffer encrypt $label" "tar|zstd|age $label"
}

# ---- 1. 200,000 tiny files (~50 bytes; 400 folders of 500), made by awk from a fixed formula
echo "# tiny: 200,000 files of about 50 bytes in 400 folders"
mkdir tiny
awk 'BEGIN {
  for (d = 0; d < 400; d++) {
    dir = sprintf("tiny/d%03d", d); system("mkdir " dir)
    for (f = 0; f < 500; f++) {
      n = d * 500 + f; x = (n * 2654435761) % 4294967296
      name = sprintf("%s/f%03d.txt", dir, f)
      printf "tiny file %06d of 200000, check %08x, ok\n", n, x > name
      close(name)
    }
  }
}'
echo "tiny: $(find tiny -type f | wc -l) files, $(du -sb tiny | cut -f1) bytes apparent"
tree_sections tiny . tiny
sizes "coffer" tiny.coffer "tar|zstd|age" tiny.tar.zst.age "<= 1.30x"
echo "  target: at least as fast as the pipeline; peak memory (issue 22): every command < 64 MiB"
echo; echo "# tiny: list"
measure "coffer list tiny" "'$coffer' list -i coffer.key tiny.coffer" \
  "age|zstd|tar -t tiny" "age -d -i age.key tiny.tar.zst.age | zstd -d -q | tar -tf -"
ratio "coffer list tiny" "age|zstd|tar -t tiny"
echo; echo "# tiny: extract"
measure "coffer extract tiny" "'$coffer' decrypt -i coffer.key -o out tiny.coffer" \
  "age|zstd|tar -x tiny" "age -d -i age.key tiny.tar.zst.age | zstd -d -q | tar -xf - -C out"
ratio "coffer extract tiny" "age|zstd|tar -x tiny"
printf '  peak RSS, coffer: encrypt %.1f MiB, list %.1f MiB, extract %.1f MiB (target < 64 MiB)\n' \
  "$(mib "coffer encrypt tiny")" "$(mib "coffer list tiny")" "$(mib "coffer extract tiny")"
rm -rf tiny out

# ---- 2. real trees: size and time against the same pipeline
for tree in /usr/share/man /usr/lib/python3.11; do
  [ -d "$tree" ] || { echo; echo "# $tree: not on this computer, skipped"; continue; }
  label=$(basename "$tree")
  echo; echo "# $tree ($(find "$tree" -type f | wc -l) files, $(du -sh "$tree" | cut -f1))"
  tree_sections "$label" "$(dirname "$tree")" "$label"
  sizes "coffer" "$label.coffer" "tar|zstd|age" "$label.tar.zst.age" "within +1 %"
  rm -f "$label.coffer" "$label.tar.zst.age"
done

# gui_tree_peak GUI CONTAINER: the desktop app opens CONTAINER (offscreen)
# with the key in a keyring of its own, unlocked through the key agent; once
# its CPU time has stood still for two seconds (the tree is built and shown),
# its peak RSS (VmHWM) is printed and it is closed.
gui_tree_peak() (
  export COFFER_HOME="$work/gui-home" XDG_RUNTIME_DIR="$work/gui-run" QT_QPA_PLATFORM=offscreen
  mkdir -m 700 "$XDG_RUNTIME_DIR"
  echo "bench-passphrase" > gui.pass
  "$coffer" id import coffer.key --keyring-passphrase-file gui.pass >/dev/null 2>&1
  "$coffer" unlock --keyring-passphrase-file gui.pass >/dev/null 2>&1
  local start ticks last=-1 still=0
  start=$(date +%s.%N)
  "$1" "$2" >/dev/null 2>&1 &
  local pid=$!
  while sleep 0.5; do
    ticks=$(awk '{print $14 + $15}' "/proc/$pid/stat")
    if [ "$ticks" = "$last" ]; then still=$((still + 1)); else still=0; fi
    last=$ticks
    [ "$still" -ge 4 ] && break
  done
  printf '  the window'"'"'s tree (coffer-gui %s, agent unlocked): peak RSS %.1f MiB, shown within %.1f s (target < 128 MiB)\n' \
    "$2" "$(awk '/VmHWM/ {print $2 / 1024}' "/proc/$pid/status")" "$(echo "$(date +%s.%N) - $start - 2" | bc -l)"
  kill "$pid"; wait "$pid" 2>/dev/null || true
  "$coffer" lock >/dev/null 2>&1 || true
)

# ---- 3. a 1,000,000-entry tree: peak memory of encrypt, list, extract (once each)
if [ "${COFFER_BENCH_MILLION:-0}" = 1 ]; then
  echo; echo "# million: 999 folders of 1,000 empty files (1,000,000 entries with the folders)"
  mkdir million
  awk 'BEGIN {
    for (d = 0; d < 999; d++) {
      dir = sprintf("million/d%03d", d); system("mkdir " dir)
      for (f = 0; f < 1000; f++) { name = sprintf("%s/f%03d", dir, f); printf "" > name; close(name) }
    }
  }'
  echo "million: $(find million | wc -l) entries"
  saved_runs=$runs
  runs=1
  measure "coffer encrypt million" "'$coffer' encrypt -r $card --force -o million.coffer million" \
    "tar|zstd|age million" "tar -cf - million | zstd -3 -T0 -q | age -r $agepub -o million.tar.zst.age"
  measure "coffer list million" "'$coffer' list -i coffer.key million.coffer" \
    "age|zstd|tar -t million" "age -d -i age.key million.tar.zst.age | zstd -d -q | tar -tf -"
  measure "coffer extract million" "'$coffer' decrypt -i coffer.key -o out million.coffer" \
    "age|zstd|tar -x million" "age -d -i age.key million.tar.zst.age | zstd -d -q | tar -xf - -C out"
  runs=$saved_runs
  printf '  peak RSS, coffer: encrypt %.1f MiB, list %.1f MiB, extract %.1f MiB (target < 128 MiB each)\n' \
    "$(mib "coffer encrypt million")" "$(mib "coffer list million")" "$(mib "coffer extract million")"
  gui="$(dirname "$coffer")/coffer-gui"
  if [ -x "$gui" ]; then
    gui_tree_peak "$gui" million.coffer
  else
    echo "  the window's tree: skipped (no coffer-gui beside $coffer)"
  fi
  rm -rf million million.coffer million.tar.zst.age out
else
  echo; echo "# million: skipped (COFFER_BENCH_MILLION=1 runs it: several minutes, 2 GiB of tmpfs)"
fi

# ---- 4. signed encryption of 1 GiB against gpg -se with gpg-agent warm
echo; echo "# signed: 1 GiB random, signed and encrypted to one recipient, to tmpfs"
head -c 1073741824 /dev/urandom > random.bin
gpg --batch --pinentry-mode loopback --passphrase '' --quick-gen-key bench@example.org future-default default never 2>/dev/null
echo "bench-passphrase" > keyring.pass
"$coffer" id create --name Bench --keyring-passphrase-file keyring.pass > /dev/null 2>&1
self=$("$coffer" id show --keyring-passphrase-file keyring.pass 2>/dev/null)
if "$coffer" help unlock >/dev/null 2>&1; then
  # The key agent (issue 22): unlocked once, then no passphrase per command;
  # its socket in a runtime folder of the bench's own (as bench/agent.sh).
  export XDG_RUNTIME_DIR="$work/run"
  mkdir -m 700 "$XDG_RUNTIME_DIR"
  "$coffer" unlock --keyring-passphrase-file keyring.pass >/dev/null 2>&1
  trap '"$coffer" lock >/dev/null 2>&1 || true; gpgconf --kill gpg-agent 2>/dev/null || true; rm -rf "$work"' EXIT
  coffer_signed="'$coffer' encrypt -r $self -o out/random.coffer random.bin"
  note="with the key agent unlocked (coffer unlock)"
else
  coffer_signed="'$coffer' encrypt -r $self --keyring-passphrase-file keyring.pass -o out/random.coffer random.bin"
  note="no key agent in this build: each run includes unlocking the keyring (Argon2id)"
fi
measure "coffer encrypt (signed)" "$coffer_signed" \
  "coffer encrypt (unsigned)" "'$coffer' encrypt -r $self --no-sign -o out/random.coffer random.bin" \
  "coffer id show (unlock only)" "'$coffer' id show --keyring-passphrase-file keyring.pass" \
  "gpg -z0 -se" "gpg --batch --yes -z 0 -se -r bench@example.org -o out/random.gpg random.bin"
echo "  coffer: $note"
printf '  coffer signed - unsigned - unlock: %.2f s (hashing and signing)\n' \
  "$(echo "${wall[coffer encrypt (signed)]} - ${wall[coffer encrypt (unsigned)]} - ${wall[coffer id show (unlock only)]}" | bc -l)"
ratio "coffer encrypt (signed)" "gpg -z0 -se"
echo "  target: signed at least 4x as fast as gpg -se"
