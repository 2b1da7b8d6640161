#!/usr/bin/env bash
# Makes the seed corpora of the fuzz targets from real outputs of the coffer
# executable: containers encrypted to the fixed fuzzing identity (signed and
# unsigned, compressed and stored, with passphrase and extra stanzas), cards
# and secret keys; the seed tool cuts them into headers, plaintexts and
# indexes. Nothing here is committed: run it again whenever the format moves.
#
#   tests/fuzz/make-seeds.sh COFFER SEEDTOOL OUTDIR
#
# OUTDIR gets one folder per target (header keys index archive archive_v2 container age segment).
set -euo pipefail

if [ $# -ne 3 ]; then
  echo "usage: $0 COFFER SEEDTOOL OUTDIR" >&2
  exit 2
fi
coffer=$(realpath "$1")
tool=$(realpath "$2")
out=$(realpath -m "$3")

work=$(mktemp -d "${TMPDIR:-/tmp}/coffer-seeds-XXXXXX")
trap 'rm -rf "$work"' EXIT
export COFFER_HOME="$work/home"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
export BOTAN_MLOCK_POOL_SIZE=0

for t in header keys index archive archive_v2 container age segment; do mkdir -p "$out/$t"; done

card=$("$tool" card)
"$tool" secret > "$work/fixed.key"

# A small tree: text, a compressible file over one chunk, an empty file, a
# folder, a non-ASCII name, a name that looks compressed.
tree="$work/tree"
mkdir -p "$tree/docs/sub" "$tree/empty-dir"
printf 'hello\n' > "$tree/docs/hello.txt"
for i in $(seq 1 2000); do echo "line $i of a compressible file"; done > "$tree/docs/big.txt"
: > "$tree/docs/empty"
printf 'caf\xc3\xa9' > "$tree/docs/sub/caf"$'\xc3\xa9'.md
head -c 3000 /dev/urandom > "$tree/photo.jpg"
single="$work/one.txt"
printf 'just one file\n' > "$single"

# Keys: a Coffer key pair (card and secret key), age keys if age-keygen is here.
"$coffer" keygen -o "$work/k1.key" --name "Seed Person" > "$work/k1.card"
"$coffer" keygen -o "$work/k2.key" > "$work/k2.card"
k1=$(cat "$work/k1.card")
k2=$(cat "$work/k2.card")
printf 'seed passphrase\n' > "$work/pass"

n=0
seal() { # seal NAME ARGS... : one container, and its cuts for the lower targets
  local name=$1
  shift
  "$coffer" encrypt "$@" -o "$work/$name.coffer" > /dev/null
  cp "$work/$name.coffer" "$out/container/$name"
  "$tool" header "$work/$name.coffer" "$out/header/$name"
  "$tool" plaintext "$work/$name.coffer" "$out/archive/$name"
  if [ "$(head -n 1 "$work/$name.coffer")" = coffer/v2 ]; then
    cp "$out/archive/$name" "$out/archive_v2/$name"
  fi
  "$tool" index "$work/$name.coffer" "$out/index/$name.index"
  "$tool" frame "$work/$name.coffer" "$out/index/$name.frame"
  "$tool" trailer "$work/$name.coffer" "$out/index/$name.trailer"
  n=$((n + 1))
}

seal tree-auto -r "$card" --no-sign "$tree"
seal tree-stored -r "$card" --no-sign --compression off "$tree"
seal single -r "$card" --no-sign "$single"
seal empty-dir -r "$card" --no-sign "$tree/empty-dir"
seal three-recipients -r "$card" -r "$k1" -r "$k2" --no-sign "$tree/docs/hello.txt"
seal with-passphrase -r "$card" --passphrase-file "$work/pass" --no-sign "$single"

# Signed containers: a keyring identity signs (one Argon2id run per command).
"$coffer" id create --name "Seed Signer" --keyring-passphrase-file "$work/pass" > "$work/signer.card" 2> /dev/null
seal signed-tree -r "$card" --keyring-passphrase-file "$work/pass" "$tree"
seal signed-single -r "$card" -r "$k1" --keyring-passphrase-file "$work/pass" "$single"

# Format v2's tables, directories and trailer (no v2 writer yet: built by the tool).
"$tool" segment "$out/segment"

# Key texts.
cp "$work/k1.card" "$out/keys/card-named"
cp "$work/k2.card" "$out/keys/card"
cp "$work/signer.card" "$out/keys/card-signer"
grep -v '^#' "$work/k1.key" > "$out/keys/secret"
cp "$work/k1.key" "$out/keys/identity-file"
cp "$work/fixed.key" "$out/keys/secret-fixed"
printf '  %s  \r\n' "$k2" > "$out/keys/card-blanks"
if command -v age-keygen > /dev/null; then
  age-keygen -o "$work/age.key" 2> /dev/null
  grep '^AGE-SECRET-KEY-' "$work/age.key" > "$out/keys/age-secret"
  age-keygen -y "$work/age.key" > "$out/keys/age-recipient"
  cp "$work/age.key" "$out/keys/age-identity-file"
fi
printf 'aGVsbG8' > "$out/keys/base64"

# age: the files of the age test kit (tests/vectors/cctv-age), without their
# text headers and inflated; fuzz_age decrypts with the kit's identity.
python3 - "$(dirname "$0")/../vectors/cctv-age/testdata" "$out/age" <<'PY'
import os, sys, zlib
src, dst = sys.argv[1], sys.argv[2]
for name in sorted(os.listdir(src)):
    raw = open(os.path.join(src, name), 'rb').read()
    head, _, body = raw.partition(b'\n\n')
    if b'compressed: zlib' in head:
        body = zlib.decompress(body)
    open(os.path.join(dst, name), 'wb').write(body)
PY

echo "make-seeds: $n containers; seeds in $out"
