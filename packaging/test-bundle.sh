#!/usr/bin/env bash
# End-to-end test of the release packages. Needs root, network access to deb.debian.org and a
# few minutes; not part of CI (.ci/run). Prints every check as PASS or FAIL and exits non-zero
# if any failed.
#
#   packaging/test-bundle.sh [BUILD_DIR]        (default BUILD_DIR: /tmp/build-pkg)
#
# 1. builds coffer (Release) and the portable bundle (make-bundle.sh), checks its size;
# 2. makes (once, cached in /var/cache/coffer-debootstrap) a Debian 12 minbase root and a
#    "bare desktop" root = minbase + only what packaging/host-libraries.txt leaves to the host
#    (glibc, libglvnd, libX11/libxcb) + fonts; no Qt, no Botan;
# 3. in a fresh copy of the bare-desktop root (chroot), as an ordinary user: ldd of every
#    bundled ELF must resolve into the bundle (or to a host-provided name), what the GUI
#    really loads (LD_DEBUG) must come from the bundle, then coffer --version, a CLI round
#    trip (key file, passphrase, portable keyring) and the offscreen GUI smoke test, with an
#    empty HOME and TMPDIR, between two snapshots of the whole root (hashes): nothing may
#    change outside the bundle and the output folder;
# 4. copies the bundle onto a FAT32 image (mkfs.vfat, mounted with fusefat) and, if exfatprogs
#    and exfat-fuse are installed, onto an exFAT image, runs it from there, keeps the keyring
#    there (COFFER_HOME unset), checks the image with fsck and mtools after unmounting, and
#    reads the keyring again after a remount;
# 5. builds the .deb with CPack, runs lintian, installs it with apt-get install ./coffer_*.deb
#    (--no-install-recommends: Depends alone must be enough) in a clean minbase root, and runs
#    coffer --version and the GUI smoke test there.
#
# Environment: JOBS (2), WORK (/var/tmp/coffer-package-test), COFFER_DEBOOTSTRAP_CACHE
# (/var/cache/coffer-debootstrap), DEBIAN_MIRROR (http://deb.debian.org/debian),
# STEPS ("bundle fat deb": run only some), KEEP=1 (keep the test roots for inspection).
set -euo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-/tmp/build-pkg}
jobs=${JOBS:-2}
work=${WORK:-/var/tmp/coffer-package-test}
cache=${COFFER_DEBOOTSTRAP_CACHE:-/var/cache/coffer-debootstrap}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
steps=${STEPS:-bundle fat deb}
suite=bookworm
max_tgz=$((60 * 1024 * 1024))
# What test roots get on top of minbase: the libraries host-libraries.txt leaves to the host,
# and fonts (a desktop has them; the bundle does not ship fonts).
desktop_packages=(libegl1 libgl1 libglx0 libopengl0 libx11-6 libx11-xcb1 libxcb1 fontconfig fonts-dejavu-core)

start=$(date +%s)
fails=0
results=()
section() { printf '\n=== %s\n' "$*"; }
pass() { echo "  PASS  $*"; results+=("PASS  $*"); }
fail() { echo "  FAIL  $*"; results+=("FAIL  $*"); fails=$((fails + 1)); }
note() { echo "  ....  $*"; }
die() { echo "error: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run as root (debootstrap, chroot, mount)"
missing=()
for tool in debootstrap patchelf fusefat mkfs.vfat fsck.fat mdir lintian cpack ninja cmake; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
[ ${#missing[@]} -eq 0 ] || die "missing: ${missing[*]}
  apt-get install debootstrap patchelf fusefat dosfstools mtools lintian cmake ninja-build fuse3"

mounts=()
loops=()
cleanup() {
  local i m
  for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
    m=${mounts[$i]}
    if mountpoint -q "$m" 2>/dev/null; then umount "$m" 2>/dev/null || umount -l "$m" || true; fi
  done
  mounts=()
  for m in "${loops[@]}"; do losetup -d "$m" 2>/dev/null || true; done
  loops=()
}
trap cleanup EXIT
track_mount() { mounts+=("$1"); }
cleanup_loops() {
  local l
  for l in "${loops[@]}"; do losetup -d "$l" 2>/dev/null || true; done
  loops=()
}
unmount() {
  local m=$1
  if mountpoint -q "$m"; then umount "$m"; fi
  local n=()
  for x in "${mounts[@]}"; do [ "$x" = "$m" ] || n+=("$x"); done
  mounts=("${n[@]}")
}
# Removes a test root; refuses while anything is mounted below it.
remove_root() {
  local r=$1
  [ -e "$r" ] || return 0
  if awk -v r="$r" '$2 == r || index($2, r "/") == 1 { found = 1 } END { exit !found }' /proc/mounts; then
    die "something is still mounted below $r"
  fi
  rm -rf --one-file-system "$r"
}
in_root() { # ROOT, command...
  local r=$1
  shift
  env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 chroot "$r" "$@"
}
prepare_root() { # SOURCE ROOT: a fresh copy with /proc, the test helper and a user
  local from=$1 r=$2
  remove_root "$r"
  cp -a "$from" "$r"
  mount -t proc proc "$r/proc"
  track_mount "$r/proc"
  mkdir -p "$r/coffer-test"
  install -m 0755 "$src/packaging/test-in-root.sh" "$r/coffer-test/test-in-root.sh"
  install -m 0644 "$src/packaging/host-libraries.txt" "$r/coffer-test/host-libraries.txt"
  grep -q '^tester:' "$r/etc/passwd" || {
    echo 'tester:x:1000:1000:Bundle Test:/home/empty:/bin/sh' >> "$r/etc/passwd"
    echo 'tester:x:1000:' >> "$r/etc/group"
  }
  install -d -m 0700 -o 1000 -g 1000 "$r/home/empty"
  install -d -m 0700 -o 1000 -g 1000 "$r/tmp/empty-tmp"
  install -d -m 0755 "$r/run/user"
  install -d -m 0700 -o 1000 -g 1000 "$r/run/user/1000"
}
apt_in_root() { # ROOT, apt-get arguments...: uses and refills a cache of downloaded .debs
  local r=$1
  shift
  mkdir -p "$cache/apt-archives"
  cp -L /etc/resolv.conf "$r/etc/resolv.conf"
  find "$cache/apt-archives" -name '*.deb' -exec cp -n {} "$r/var/cache/apt/archives/" \;
  in_root "$r" env DEBIAN_FRONTEND=noninteractive apt-get -q -o Dpkg::Use-Pty=0 "$@"
  find "$r/var/cache/apt/archives" -maxdepth 1 -name '*.deb' -exec cp -n {} "$cache/apt-archives/" \;
}

# The cached roots; they set $minbase and $desktopbase (no command substitution: mounts made
# here must stay known to the cleanup trap).
ensure_minbase() {
  minbase="$cache/$suite-minbase"
  mkdir -p "$cache"
  if [ ! -d "$minbase" ]; then
    note "debootstrap --variant=minbase $suite (once; cached in $minbase)"
    rm -rf --one-file-system "$minbase.tmp"
    debootstrap --variant=minbase "$suite" "$minbase.tmp" "$mirror" > "$cache/debootstrap.log" 2>&1 ||
      die "debootstrap failed; see $cache/debootstrap.log"
    mv "$minbase.tmp" "$minbase"
  fi
}
ensure_desktopbase() {
  ensure_minbase
  desktopbase="$cache/$suite-desktopbase"
  local r=$desktopbase
  if [ ! -d "$r" ] || [ "$(cat "$r/.coffer-packages" 2>/dev/null)" != "${desktop_packages[*]}" ]; then
    note "making $r: minbase + ${desktop_packages[*]} (once)"
    rm -rf --one-file-system "$r" "$r.tmp"
    cp -a "$minbase" "$r.tmp"
    mount -t proc proc "$r.tmp/proc"
    track_mount "$r.tmp/proc"
    { apt_in_root "$r.tmp" update && apt_in_root "$r.tmp" install -y --no-install-recommends "${desktop_packages[@]}"; } \
      > "$cache/desktopbase.log" 2>&1 || die "apt-get failed; see $cache/desktopbase.log"
    in_root "$r.tmp" apt-get clean
    unmount "$r.tmp/proc"
    echo "${desktop_packages[*]}" > "$r.tmp/.coffer-packages"
    mv "$r.tmp" "$r"
  fi
}

# ---------------------------------------------------------------------------------------------
section "1. Build and bundle"
if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCOFFER_BUILD_TESTS=OFF
fi
ninja -C "$build" -j "$jobs" coffer | tail -1
mkdir -p "$work"
out="$work/out"
"$src/packaging/make-bundle.sh" "$build" "$out" | grep -v '^   plugin '
tgz=$(ls "$out"/coffer-*-linux-x86_64.tar.gz)
name=$(basename "$tgz" .tar.gz)
bundle="$out/$name"
size_tgz=$(stat -c %s "$tgz")
size_dir=$(du -sb "$bundle" | cut -f1)
mib() { awk -v n="$1" 'BEGIN { printf "%.1f MiB", n / 1048576 }'; }
if [ "$size_tgz" -lt "$max_tgz" ]; then
  pass "bundle size: $(basename "$tgz") $(mib "$size_tgz") (< 60 MiB); unpacked $(mib "$size_dir"), $(find "$bundle" -type f | wc -l) files"
else
  fail "bundle size: $(basename "$tgz") $(mib "$size_tgz") is over 60 MiB"
fi
links=$(find "$bundle" -type l | wc -l)
[ "$links" -eq 0 ] && pass "no symbolic links in the bundle" || fail "$links symbolic links in the bundle"
[ ! -e "$bundle/data" ] && pass "data/ is not shipped" || fail "data/ is in the bundle"

if [[ " $steps " == *" bundle "* ]]; then
  section "2. Bundle in a bare Debian 12 root (minbase + host libraries only)"
  ensure_desktopbase
  root="$work/root-bundle"
  prepare_root "$desktopbase" "$root"
  note "root: $root (a copy of $desktopbase)"
  cache_list=$(in_root "$root" /sbin/ldconfig -p)
  for lib in libQt6Core.so.6 libbotan-2.so.19 libqrencode.so.4 libzstd.so.1; do
    if grep -q "$lib " <<< "$cache_list"; then
      note "the root itself has $lib (the bundle's must be used: see 2a and 2b)"
    else
      note "the root has no $lib"
    fi
  done
  # Unpack the archive, as a user would, into a folder the user owns.
  mkdir -p "$root/media/stick"
  tar -C "$root/media/stick" -xzf "$tgz"
  chown -R 1000:1000 "$root/media/stick"
  b="/media/stick/$name"
  install -d -o 1000 -g 1000 "$root/out" "$root/out-probe"

  section "2a. Every bundled ELF resolves into the bundle (ldd inside the root)"
  if in_root "$root" /coffer-test/test-in-root.sh libs "$b"; then pass "ldd: all bundled ELF files"; else fail "ldd found libraries outside the bundle"; fi

  section "2b. What the running program maps (LD_DEBUG=libs,files)"
  if in_root "$root" /coffer-test/test-in-root.sh loads "$b" /out-probe; then
    pass "run time: nothing the bundle carries came from the host"
  else
    fail "run time: libraries came from the host"
  fi
  in_root "$root" /coffer-test/test-in-root.sh nosession "$b"
  note "(Qt creates \$TMPDIR/runtime-\$USER when XDG_RUNTIME_DIR is unset; desktop sessions set it; see packaging/README.md)"
  rm -rf "$root/out-probe" "$root$b/data"
  in_root "$root" /coffer-test/test-in-root.sh reset

  section "2c. Round trip with an empty HOME and TMPDIR, leave-no-trace"
  in_root "$root" /coffer-test/test-in-root.sh input /srv/input
  in_root "$root" /coffer-test/test-in-root.sh snapshot before "$b" /out
  if in_root "$root" /coffer-test/test-in-root.sh roundtrip "$b" /out; then
    pass "CLI round trip and GUI smoke test in the bare root"
  else
    fail "CLI round trip or GUI smoke test in the bare root"
  fi
  in_root "$root" /coffer-test/test-in-root.sh snapshot after "$b" /out
  if in_root "$root" /coffer-test/test-in-root.sh compare before after; then
    pass "leave-no-trace: only the bundle folder and /out changed"
  else
    fail "leave-no-trace"
  fi
  echo "  what changed inside the bundle folder (data/ created on first run):"
  (cd "$root$b" && find . -newer "$root$b/coffer" | sort | sed 's/^/      /')
  unmount "$root/proc"
fi

if [[ " $steps " == *" fat "* ]]; then
  section "3. The bundle on a FAT32 image (fusefat), keyring on the stick"
  ensure_desktopbase
  root="$work/root-fat"
  prepare_root "$desktopbase" "$root"
  rm -rf "$work/fresh"
  mkdir -p "$work/fresh"
  tar -C "$work/fresh" -xzf "$tgz"
  fresh="$work/fresh/$name"
  (cd "$fresh" && find . -type f -exec sha256sum {} + | sort -k2) > "$work/bundle.sha256"
  in_root "$root" /coffer-test/test-in-root.sh input /srv/input

  run_from_stick() { # LABEL IMAGE MOUNT-COMMAND...; sets $stick_card
    local label=$1 img=$2
    shift 2
    local mnt="$root/media/usb" b="/media/usb/$name"
    mkdir -p "$mnt"
    "$@" "$img" "$mnt"
    track_mount "$mnt"
    note "mounted: $(grep " $mnt " /proc/mounts)"
    cp -r "$fresh" "$mnt/"
    if (cd "$mnt/$name" && sha256sum -c --quiet "$work/bundle.sha256"); then
      pass "$label: bundle copied ($(wc -l < "$work/bundle.sha256") files, SHA-256 verified on the stick)"
    else
      fail "$label: copy differs"
    fi
    note "executable on the stick: $(stat -c '%A %U' "$mnt/$name/coffer")"
    install -d -o 1000 -g 1000 "$root/out-$label"
    if in_root "$root" /coffer-test/test-in-root.sh keyring "$b" "/out-$label"; then
      pass "$label: runs from the stick, keyring in data/ on the stick, GUI smoke test"
    else
      fail "$label: run from the stick"
    fi
    [ -z "$(find "$root/home/empty" "$root/tmp/empty-tmp" "$root/run/user/1000" -mindepth 1)" ] &&
      pass "$label: HOME, TMPDIR and XDG_RUNTIME_DIR still empty" || fail "$label: HOME, TMPDIR or XDG_RUNTIME_DIR not empty"
    stick_card=$(in_root "$root" /coffer-test/test-in-root.sh card "$b" || true)
    unmount "$mnt"
  }

  # FAT32
  img="$work/fat32.img"
  rm -f "$img"
  truncate -s 200M "$img"
  mkfs.vfat -F 32 -n COFFERUSB "$img" > /dev/null
  note "mkfs.vfat -F 32 on a 200 MiB file; mount: fusefat -o rw+ (read-write) with uid=1000, umask=022"
  fat_mount() { fusefat -o rw+,allow_other,uid=1000,gid=1000,umask=0022 "$1" "$2" 2>/dev/null; }
  run_from_stick fat32 "$img" fat_mount
  card=$stick_card
  if fsck.fat -n "$img" > "$work/fsck.out" 2>&1; then
    pass "fat32: fsck.fat -n after unmounting: $(tail -1 "$work/fsck.out")"
  else
    fail "fat32: fsck.fat reports errors"; sed 's/^/      /' "$work/fsck.out"
  fi
  echo "  mdir -i fat32.img ::/$name/data (read from the image without mounting):"
  if mdir -i "$img" "::/$name/data" > "$work/mdir.out" 2>&1 && grep -qi 'keyring' "$work/mdir.out"; then
    sed 's/^/      /' "$work/mdir.out"
    pass "fat32: the keyring is on the FAT image"
  else
    sed 's/^/      /' "$work/mdir.out"
    fail "fat32: no keyring on the FAT image"
  fi
  mnt="$root/media/usb"
  fat_mount "$img" "$mnt"
  track_mount "$mnt"
  card_again=$(in_root "$root" /coffer-test/test-in-root.sh card "/media/usb/$name" || true)
  if [[ $card == coffer1* ]] && [ "$card" = "$card_again" ]; then
    pass "fat32: after a remount the keyring opens and shows the same card"
  else
    fail "fat32: keyring after remount (before: ${card:0:20}..., after: ${card_again:0:20}...)"
  fi
  unmount "$mnt"
  # A stick mounted without execute bits (udisks mounts FAT32 with "showexec").
  fusefat -o ro,allow_other,uid=1000,gid=1000,umask=0133 "$img" "$mnt" 2>/dev/null
  track_mount "$mnt"
  rc=0
  in_root "$root" setpriv --reuid=1000 --regid=1000 --clear-groups "/media/usb/$name/coffer" --version > /dev/null 2>&1 || rc=$?
  note "mounted with umask=0133 (no execute bits, like udisks' showexec): ./coffer exits $rc (126: permission denied; see README)"
  unmount "$mnt"

  # exFAT (optional)
  if command -v mkfs.exfat >/dev/null && command -v mount.exfat-fuse >/dev/null; then
    section "3b. The bundle on an exFAT image (exfat-fuse)"
    img="$work/exfat.img"
    rm -f "$img"
    truncate -s 200M "$img"
    mkfs.exfat -L COFFERUSB "$img" > /dev/null
    # exfat-fuse run by root wants a block device: a loop device over the image.
    exfat_mount() {
      local l
      l=$(losetup -f --show "$1")
      loops+=("$l")
      mount.exfat-fuse -o allow_other,uid=1000,gid=1000,umask=0022 "$l" "$2" 2>/dev/null
    }
    note "mkfs.exfat on a 200 MiB file; mount: exfat-fuse on a loop device, uid=1000, umask=022"
    run_from_stick exfat "$img" exfat_mount
    card=$stick_card
    cleanup_loops
    if fsck.exfat -n "$img" > "$work/fsck.out" 2>&1; then
      pass "exfat: fsck.exfat -n after unmounting: $(grep -i 'clean\|files' "$work/fsck.out" | tail -1)"
    else
      fail "exfat: fsck.exfat reports errors"; sed 's/^/      /' "$work/fsck.out"
    fi
    exfat_mount "$img" "$mnt"
    track_mount "$mnt"
    card_again=$(in_root "$root" /coffer-test/test-in-root.sh card "/media/usb/$name" || true)
    if [[ $card == coffer1* ]] && [ "$card" = "$card_again" ]; then
      pass "exfat: after a remount the keyring opens and shows the same card"
    else
      fail "exfat: keyring after remount"
    fi
    unmount "$mnt"
    cleanup_loops
  else
    note "exFAT skipped (apt-get install exfatprogs exfat-fuse)"
  fi
  unmount "$root/proc"
fi

if [[ " $steps " == *" deb "* ]]; then
  section "4. Debian package (CPack), lintian, apt-get install in a clean root"
  rm -f "$build"/coffer_*.deb
  (cd "$build" && cpack -G DEB) | tail -3
  deb=$(ls "$build"/coffer_*_amd64.deb)
  pass "built $(basename "$deb") ($(mib "$(stat -c %s "$deb")"))"
  dpkg-deb -f "$deb" Package Version Architecture Section Priority Maintainer Depends Recommends | sed 's/^/      /'
  echo "  contents:"
  dpkg-deb -c "$deb" | awk '{print "      " $1, $3, $6}'
  if command -v desktop-file-validate >/dev/null; then
    mkdir -p "$work/deb-x" && dpkg-deb -x "$deb" "$work/deb-x"
    if desktop-file-validate "$work/deb-x/usr/share/applications/coffer.desktop" > "$work/dfv.out" 2>&1; then
      pass "desktop-file-validate coffer.desktop$(grep -q . "$work/dfv.out" && echo ": $(grep -c . "$work/dfv.out") hint(s)")"
      sed 's/^/      /' "$work/dfv.out"
    else
      fail "desktop-file-validate coffer.desktop"; sed 's/^/      /' "$work/dfv.out"
    fi
    rm -rf "$work/deb-x"
  fi
  echo "  lintian --allow-root -EvIL +pedantic (every tag, info and pedantic included):"
  lintian --allow-root --tag-display-limit 0 -EvIL +pedantic "$deb" > "$work/lintian.out" 2>&1 || true
  sed 's/^/      /' "$work/lintian.out"
  errors=$(grep -c '^E:' "$work/lintian.out" || true)
  warnings=$(grep -c '^W:' "$work/lintian.out" || true)
  [ "$errors" -eq 0 ] && pass "lintian: no errors ($warnings warnings, explained in packaging/README.md)" ||
    fail "lintian: $errors errors"
  root="$work/root-deb"
  ensure_minbase
  prepare_root "$minbase" "$root"
  cp "$deb" "$root/tmp/"
  if apt_in_root "$root" update > "$work/apt.log" 2>&1 &&
    apt_in_root "$root" install -y --no-install-recommends "/tmp/$(basename "$deb")" >> "$work/apt.log" 2>&1; then
    pass "apt-get install --no-install-recommends ./$(basename "$deb") in a clean minbase root"
    grep -E '^(Get|Setting up coffer|[0-9]+ upgraded)' "$work/apt.log" | grep -v '^Get' | sed 's/^/      /'
    note "$(grep -c "^Get:" "$work/apt.log" || true) items fetched from $mirror (.debs already in the cache are reused)"
  else
    fail "apt-get install"
    tail -30 "$work/apt.log" | sed 's/^/      /'
  fi
  if v=$(in_root "$root" coffer --version 2>&1); then pass "installed: coffer --version: $v"; else fail "installed coffer --version: $v"; fi
  for f in /usr/bin/coffer /usr/bin/coffer-gui /usr/share/man/man1/coffer.1.gz /usr/share/applications/coffer.desktop \
    /usr/share/mime/packages/coffer.xml /usr/share/icons/hicolor/scalable/apps/coffer.svg \
    /usr/share/bash-completion/completions/coffer /usr/share/zsh/vendor-completions/_coffer \
    /usr/share/fish/vendor_completions.d/coffer.fish; do
    [ -e "$root$f" ] && pass "installed: $f" || note "not installed: $f"
  done
  if in_root "$root" /coffer-test/test-in-root.sh smoke /usr/bin; then
    pass "installed: GUI offscreen smoke test (Depends alone suffice)"
  else
    fail "installed: GUI offscreen smoke test"
  fi
  unmount "$root/proc"
fi

# ---------------------------------------------------------------------------------------------
section "Summary"
printf '  %s\n' "${results[@]}"
if [ "${KEEP:-0}" != 1 ]; then
  cleanup
  for r in "$work/root-bundle" "$work/root-fat" "$work/root-deb"; do remove_root "$r"; done
fi
echo "  $(printf '%s\n' "${results[@]}" | grep -c '^PASS') passed, $fails failed; runtime: $(($(date +%s) - start)) s"
if [ "$fails" -ne 0 ]; then
  echo "  $fails FAILED"
  exit 1
fi
echo "  all passed"
