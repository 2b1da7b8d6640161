#!/bin/bash
# The checks test-bundle.sh runs INSIDE a minimal Debian root (chroot). Runs as root and
# starts Coffer as an ordinary user (uid 1000) with an empty HOME and TMPDIR.
#
#   test-in-root.sh libs BUNDLE                 every bundled ELF: non-host libraries resolve into BUNDLE
#   test-in-root.sh loads BUNDLE OUT            what the GUI really loads (LD_DEBUG), nothing shadowed by the host
#   test-in-root.sh snapshot NAME EXCLUDE...    lists every file (type, mode, owner, size, mtime, SHA-256)
#   test-in-root.sh compare A B                 the two snapshots must be identical
#   test-in-root.sh roundtrip BUNDLE OUT        --version, CLI round trip (key file, keyring, passphrase), GUI smoke test
#   test-in-root.sh keyring BUNDLE OUT          keyring in BUNDLE/data: create, sign, open; the GUI smoke test
#   test-in-root.sh card BUNDLE                 prints the keyring's card (to compare after a remount)
#
# No here-documents: bash may put them in TMPDIR, which the leave-no-trace check watches.
set -euo pipefail
export LANG=C.UTF-8 LC_ALL=C.UTF-8
here=/coffer-test
mapfile -t host_patterns < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$here/host-libraries.txt" | grep .)
fails=0
pass() { echo "  PASS  $*"; }
fail() { echo "  FAIL  $*"; fails=$((fails + 1)); }
finish() {
  if [ "$fails" -ne 0 ]; then
    echo "  $fails check(s) failed"
    exit 1
  fi
}
is_host() {
  local p
  # shellcheck disable=SC2053 # the patterns are globs on purpose
  for p in "${host_patterns[@]}"; do [[ $1 == $p ]] && return 0; done
  return 1
}
# Coffer as the user, with nothing inherited: an empty HOME and TMPDIR, and an empty
# XDG_RUNTIME_DIR as every desktop session has (see "nosession" for what happens without).
as_user() {
  setpriv --reuid=1000 --regid=1000 --clear-groups \
    env -i HOME=/home/empty TMPDIR=/tmp/empty-tmp XDG_RUNTIME_DIR=/run/user/1000 PATH=/usr/bin:/bin \
    LANG=C.UTF-8 "$@"
}
watched_dirs=(/home/empty /tmp/empty-tmp /run/user/1000)
# Runs a command as the user, shows it and its output, records PASS/FAIL by exit code.
check() {
  local label=$1 rc=0
  shift
  echo "  \$ $*"
  as_user "$@" > "$here/last.out" 2>&1 || rc=$?
  sed 's/^/      /' "$here/last.out"
  if [ $rc -eq 0 ]; then pass "$label"; else fail "$label (exit $rc)"; fi
  return 0
}
elf_files() {
  find "$1" -type f \( -name coffer -o -name '*.so' -o -name '*.so.*' \) | sort
}

libs() {
  local b=$1 f inside host missing bad total=0
  echo "  ldd on every ELF in $b (host-provided names: packaging/host-libraries.txt)"
  while read -r f; do
    inside=0 host="" missing="" bad=""
    while read -r name arrow path _; do
      [ "$arrow" = "=>" ] || continue
      if [ "$path" = "not" ]; then missing+=" $name"; continue; fi
      if [[ $path == "$b"/* ]]; then
        inside=$((inside + 1))
      elif is_host "$name"; then
        host+=" $name"
      else
        bad+=" $name=>$path"
      fi
    done < <(ldd "$f" 2>&1)
    total=$((total + 1))
    local rel=${f#"$b"/}
    if [ -n "$missing" ]; then
      fail "$rel: not found:$missing"
    elif [ -n "$bad" ]; then
      fail "$rel: resolves outside the bundle:$bad"
    else
      pass "$rel: $inside in the bundle; from the host:${host:- none}"
    fi
  done < <(elf_files "$b")
  echo "  checked $total ELF files"
  echo "  full ldd of the executable:"
  ldd "$b/coffer" | sed 's/^/      /'
  finish
}

# LD_DEBUG=libs,files names every object the loader maps, who asked for it, and where it was found.
loads() {
  local b=$1 out=$2 log
  mkdir -p "$out/ld-debug"
  chown 1000:1000 "$out/ld-debug"
  as_user env QT_QPA_PLATFORM=offscreen LD_DEBUG=libs,files LD_DEBUG_OUTPUT="$out/ld-debug/gui" \
    "$b/coffer" --smoke-test > /dev/null 2>&1 || true
  as_user env LD_DEBUG=libs,files LD_DEBUG_OUTPUT="$out/ld-debug/cli" "$b/coffer" --version > /dev/null 2>&1 || true
  for log in "$out"/ld-debug/*; do
    awk -v b="$b/" '
      /find library=/ { match($0, /library=[^ ]+/); cur = substr($0, RSTART + 8, RLENGTH - 8); path[cur] = ""; next }
      /trying file=/ { match($0, /file=[^ ]+/); path[cur] = substr($0, RSTART + 5, RLENGTH - 5); next }
      /needed by|dynamically loaded by/ {
        match($0, /file=[^ ]+/); n = substr($0, RSTART + 5, RLENGTH - 5)
        match($0, /by [^ ]+/); by[n] = substr($0, RSTART + 3, RLENGTH - 3)
        kind[n] = ($0 ~ /dynamically/) ? "dlopen" : "needed"; next }
      /generating link map/ {
        match($0, /file=[^ ]+/); n = substr($0, RSTART + 5, RLENGTH - 5)
        p = (n ~ /^\//) ? n : path[n]
        print n, p, kind[n], by[n] }
    ' "$log"
  done | sort -u > "$out/loaded.txt"
  local n p kind by outside=0 total
  total=$(wc -l < "$out/loaded.txt")
  echo "  objects mapped while the GUI ran offscreen and the CLI printed its version: $total"
  while read -r n p kind by; do
    [[ $p == "$b"/* ]] && continue
    outside=$((outside + 1))
    local base=${n##*/}
    if [ -e "$b/lib/$base" ]; then
      fail "$n was loaded from the host ($p) although the bundle has it"
    elif is_host "$base"; then
      pass "from the host, as intended: $base ($p)"
    elif [[ $by != "$b"/* ]]; then
      pass "from the host, $kind by a host library: $base ($p, by ${by##*/})"
    elif [ "$kind" = dlopen ]; then
      pass "from the host, loaded at run time by ${by#"$b"/}: $base ($p)"
    else
      fail "$base needed by ${by#"$b"/} came from the host ($p)"
    fi
  done < "$out/loaded.txt"
  echo "  $((total - outside)) objects from the bundle, $outside from the host"
  finish
}

snapshot() {
  local name=$1
  shift
  local prune=(-path /proc -o -path /sys -o -path /dev -o -path "$here")
  for e in "$@"; do prune+=(-o -path "$e"); done
  find / -xdev \( "${prune[@]}" \) -prune -o -printf '%y %m %U:%G %s %T@ %p\n' | sort -k6 > "$here/snap-$name.list"
  find / -xdev \( "${prune[@]}" \) -prune -o -type f -print0 | sort -z | xargs -0 sha256sum > "$here/snap-$name.sha256"
  echo "  snapshot $name: $(wc -l < "$here/snap-$name.list") entries, $(wc -l < "$here/snap-$name.sha256") files hashed (excluded: $*)"
}

compare() {
  local a=$1 b=$2
  if diff -u "$here/snap-$a.list" "$here/snap-$b.list" > "$here/diff.list" &&
    diff -u "$here/snap-$a.sha256" "$here/snap-$b.sha256" > "$here/diff.sha256"; then
    pass "nothing changed outside the bundle and the output folder (names, types, modes, owners, sizes, mtimes, SHA-256)"
  else
    fail "something changed outside the bundle and the output folder:"
    cat "$here/diff.list" "$here/diff.sha256" 2>/dev/null | sed 's/^/      /'
  fi
  local d
  for d in "${watched_dirs[@]}"; do
    if [ -z "$(ls -A "$d")" ]; then pass "$d is still empty"; else fail "$d is not empty: $(ls -A "$d")"; fi
  done
  finish
}

# Inputs: nested folders, an empty file, binary and compressible data, a non-ASCII name.
make_input() {
  local in=$1
  rm -rf "$in"
  mkdir -p "$in/sub/deeper" "$in/empty-folder"
  printf 'hello from the bundle test\n' > "$in/a.txt"
  : > "$in/empty.txt"
  head -c 1048576 /dev/urandom > "$in/sub/random.bin"
  seq 1 200000 > "$in/sub/deeper/numbers.txt"
  printf 'ünïcödé\n' > "$in/sub/ünïcödé name.txt"
  printf 'correct horse battery staple\n' > "$here/keyring-pass.txt"
  printf 'a passphrase for the container\n' > "$here/container-pass.txt"
  chmod -R a+rX "$in" "$here"
}

smoke() {
  local b=$1 rc=0
  echo "  \$ QT_QPA_PLATFORM=offscreen $b/coffer --smoke-test"
  as_user env QT_QPA_PLATFORM=offscreen "$b/coffer" --smoke-test > "$here/smoke.out" 2>&1 || rc=$?
  sed 's/^/      /' "$here/smoke.out"
  if [ $rc -eq 0 ] && grep -q '^startup: [0-9]* ms' "$here/smoke.out"; then
    pass "GUI offscreen smoke test: $(grep '^startup:' "$here/smoke.out")"
  else
    fail "GUI offscreen smoke test (exit $rc)"
  fi
}

same_tree() { # label, a, b
  if diff -r "$2" "$3" > "$here/diff.out" 2>&1; then
    pass "$1: $(find "$3" -type f | wc -l) files identical to the input"
  else
    fail "$1 differs:"
    sed 's/^/      /' "$here/diff.out"
  fi
}

roundtrip() {
  local b=$1 out=$2 c="$1/coffer" in=/srv/input card
  check "coffer --version" "$c" --version
  # 1. a key file
  check "keygen" "$c" keygen -o "$out/me.key" --name "Bundle Test"
  card=$(grep '^# card: ' "$out/me.key" | cut -d' ' -f3)
  [[ $card == coffer1* ]] && pass "card read from the key file: ${card:0:24}..." || fail "no card in me.key"
  check "encrypt a folder to the card" "$c" encrypt -r "$card" -o "$out/input.coffer" "$in"
  check "inspect" "$c" inspect "$out/input.coffer"
  check "list -l" "$c" list -l -i "$out/me.key" "$out/input.coffer"
  check "decrypt with the key file" "$c" decrypt -i "$out/me.key" -o "$out/decrypted" "$out/input.coffer"
  same_tree "decrypted folder" "$in" "$out/decrypted/input"
  # 2. a passphrase
  check "encrypt with a passphrase" "$c" encrypt --passphrase-file "$here/container-pass.txt" --compression max \
    -o "$out/pass.coffer" "$in"
  check "decrypt with the passphrase" "$c" decrypt --passphrase-file "$here/container-pass.txt" \
    -o "$out/decrypted-pass" "$out/pass.coffer"
  same_tree "decrypted folder (passphrase)" "$in" "$out/decrypted-pass/input"
  keyring "$b" "$out"
}

# The keyring in portable mode: created in BUNDLE/data, used to sign and to open.
keyring() {
  local b=$1 out=$2 c="$1/coffer" in=/srv/input kp="$here/keyring-pass.txt" card
  [ "$(basename "$out")" = out ] || check "coffer --version" "$c" --version
  check "id create (keyring in the bundle's data/)" "$c" id create --name "Portable" --keyring-passphrase-file "$kp"
  card=$(as_user "$c" id show --keyring-passphrase-file "$kp" 2> /dev/null || true)
  [[ $card == coffer1* ]] && pass "id show: ${card:0:24}..." || fail "id show gave no card"
  check "encrypt, signed with the keyring identity" "$c" encrypt --keyring-passphrase-file "$kp" -r "$card" \
    -o "$out/signed.coffer" "$in"
  check "decrypt with the keyring" "$c" decrypt --keyring-passphrase-file "$kp" -o "$out/decrypted-keyring" \
    "$out/signed.coffer"
  if grep -q "signed by you" "$here/last.out"; then pass "signature report: signed by you"; else fail "no 'signed by you'"; fi
  same_tree "decrypted folder (keyring)" "$in" "$out/decrypted-keyring/input"
  if [ -f "$b/data/keyring.coffer" ]; then
    pass "keyring is in the bundle: $(ls -l "$b/data/keyring.coffer" | awk '{print $1, $5, $NF}')"
    echo "      $b/data:"
    (cd "$b/data" && find . | sort | sed 's/^/        /')
  else
    fail "no keyring in $b/data"
  fi
  smoke "$b"
  finish
}

# Qt (QGuiApplication, looking for /run/user/N/flatpak-info) asks for its runtime folder and
# creates $TMPDIR/runtime-$USER when XDG_RUNTIME_DIR is not set (no login session: su, cron,
# ssh without pam_systemd). Shown, not counted: a desktop session always sets it.
nosession() {
  local b=$1
  as_user env -u XDG_RUNTIME_DIR QT_QPA_PLATFORM=offscreen "$b/coffer" --smoke-test > "$here/nosession.out" 2>&1 || true
  echo "  without XDG_RUNTIME_DIR, after --smoke-test:"
  sed 's/^/      /' "$here/nosession.out"
  local d
  for d in "${watched_dirs[@]}"; do
    echo "      $d: $(cd "$d" && find . -mindepth 1 | tr '\n' ' ')"
  done
}

# Empties HOME, TMPDIR and XDG_RUNTIME_DIR (between runs that are not watched).
reset() {
  local d
  for d in "${watched_dirs[@]}"; do
    find "$d" -mindepth 1 -delete
  done
}

card() {
  as_user "$1/coffer" id show --keyring-passphrase-file "$here/keyring-pass.txt" 2> /dev/null
}

case "${1:-}" in
  libs) libs "$2" ;;
  loads) loads "$2" "$3" ;;
  snapshot) shift; snapshot "$@" ;;
  compare) compare "$2" "$3" ;;
  input) make_input "$2" ;;
  roundtrip) roundtrip "$2" "$3"; finish ;;
  keyring) keyring "$2" "$3" ;;
  card) card "$2" ;;
  nosession) nosession "$2" ;;
  reset) reset ;;
  smoke) smoke "$2"; finish ;;
  *) echo "usage: $0 libs|loads|snapshot|compare|input|roundtrip|keyring|card|smoke|nosession|reset ..." >&2; exit 2 ;;
esac
