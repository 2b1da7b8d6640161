#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine for Coffer, builds it, then either starts
# Coffer ("run") or runs every test ("test"). Safe to run again: apt-get and
# the build skip what is already done.
#
#   tools/bootstrap.sh run [ARGS...]   build and start Coffer
#   tools/bootstrap.sh test            build with warnings as errors and run all tests
set -euo pipefail

mode=${1:-run}
shift || true
root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build"

# Debian 12 packages, one place for all of them (zsh and fish: the completion tests run
# them; patchelf: the portable bundle; qt6-wayland: the app on a Wayland session;
# python3-cryptography: tests/format recomputes FORMAT.md's Appendix A).
packages=(
  build-essential cmake ninja-build pkg-config
  qt6-base-dev qt6-base-dev-tools qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools libqt6svg6-dev
  libbotan-2-dev libzstd-dev zlib1g-dev libqrencode-dev
  qtkeychain-qt6-dev libsecret-1-0 gnome-keyring # the passphrase in the system keyring (qtkeychain loads
  # libsecret at run time); the tests run a real Secret Service, gnome-keyring-daemon (issue 22)
  googletest libgtest-dev
  age zstd 7zip gnupg xvfb xauth desktop-file-utils shared-mime-info xdg-utils libglib2.0-bin libfile-mimeinfo-perl strace
  zsh fish patchelf qt6-wayland python3 python3-cryptography
  libarchive-dev # the tar inside a .tar.age (issue 20)
  libfuse3-dev fuse3 # coffer mount (issue 21)
  libzbar-dev # a card's QR code in a picture dropped on Contacts (issue 23)
  dbus-daemon dbus-bin # agent_screen_lock_test: a private session bus, dbus-send (issue 22)
)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

jobs=$(nproc 2>/dev/null || echo 2)
# Optimised as a release is (-O2), without debug info: a fresh build on two
# cores compiles in about a quarter less time (11 of its files: 82 s with -g,
# 60 s without) and links smaller programs, which CI's 30 minutes need. Both
# modes use the same settings, so switching between them rebuilds nothing.
# (A build configured by hand defaults to RelWithDebInfo, for a debugger or
# perf.)
release=(-DCMAKE_BUILD_TYPE=Release "-DCMAKE_CXX_FLAGS_RELEASE=-O2 -DNDEBUG")
case "$mode" in
  run)
    cmake -S "$root" -B "$build" -G Ninja "${release[@]}" >/dev/null
    cmake --build "$build" --target coffer -j "$jobs"
    exec "$build/main/coffer" "$@"
    ;;
  test)
    cmake -S "$root" -B "$build" -G Ninja "${release[@]}" -DCOFFER_WERROR=ON >/dev/null
    cmake --build "$build" -j "$jobs"
    cd "$build"
    ctest --output-on-failure -j "$jobs"
    ;;
  *)
    echo "usage: $0 run|test" >&2
    exit 2
    ;;
esac
