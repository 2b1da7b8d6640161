#!/usr/bin/env bash
# Saves a PNG of each main Coffer screen (first run, unlock, main window,
# encrypt dialog, progress, open container, contacts, my card, settings, about, and a
# few with a dark palette) into OUT_DIR, running the GUI under Xvfb with a
# throwaway COFFER_HOME. It also prints the start-up time and the event loop's
# longest stall during a large encryption (COFFER_TOUR_BIG_MIB, default 512).
# Then, under a real window manager (openbox) where one is installed, it
# photographs the whole screen at first run and at unlock, to show where the
# windows land (desktop-*.png; needs openbox and ImageMagick's `import`).
#
# The tour itself is `coffer-tour` (tools/tour), built beside `coffer` but
# never shipped: found from COFFER_BINARY's build folder, or COFFER_TOUR_BINARY.
#
# usage: tools/screenshots.sh OUT_DIR [COFFER_BINARY]
set -eu

if [ $# -lt 1 ]; then
    echo "usage: $0 OUT_DIR [COFFER_BINARY]" >&2
    exit 2
fi
out=$1
coffer=${2:-${COFFER_BINARY:-build/main/coffer}}
if [ ! -x "$coffer" ]; then
    echo "error: no coffer executable at \"$coffer\"" >&2
    echo "hint: build it first (cmake --build build), or pass its path as the second argument" >&2
    exit 2
fi
tour=${COFFER_TOUR_BINARY:-$(dirname "$coffer")/../tools/tour/coffer-tour}
if [ ! -x "$tour" ]; then
    echo "error: no coffer-tour executable at \"$tour\"" >&2
    echo "hint: build it first (cmake --build build --target coffer-tour), or set COFFER_TOUR_BINARY" >&2
    exit 2
fi
command -v xvfb-run >/dev/null 2>&1 || { echo "error: xvfb-run is not installed" >&2; exit 2; }

mkdir -p "$out"
home=$(mktemp -d "${TMPDIR:-/tmp}/coffer-screens.XXXXXX")
trap 'rm -rf "$home"' EXIT INT TERM
export COFFER_HOME="$home/coffer-home"
export XDG_RUNTIME_DIR="$home/runtime"
mkdir -m 700 -p "$XDG_RUNTIME_DIR"
unset QT_QPA_PLATFORM

run() {
    xvfb-run --auto-servernum --server-args="-screen 0 1600x1200x24 -dpi 96" "$@"
}

run "$coffer" --smoke-test
run "$tour" "$out"

# The whole screen under openbox: first run (no keyring yet), then unlock.
desktop_shots() {
    openbox >/dev/null 2>&1 &
    local wm=$!
    sleep 1
    "$coffer" >/dev/null 2>&1 &
    local gui=$!
    sleep 4
    import -window root "$out/desktop-first-run.png"
    kill "$gui" 2>/dev/null || true
    wait "$gui" 2>/dev/null || true
    printf 'desktop passphrase\n' >"$home/pass"
    "$coffer" id create --name "Alice Example" --keyring-passphrase-file "$home/pass" >/dev/null
    "$coffer" >/dev/null 2>&1 &
    gui=$!
    sleep 4
    import -window root "$out/desktop-unlock.png"
    kill "$gui" "$wm" 2>/dev/null || true
    wait 2>/dev/null || true
}
if command -v openbox >/dev/null 2>&1 && command -v import >/dev/null 2>&1; then
    rm -rf "$COFFER_HOME"
    xvfb-run --auto-servernum --server-args="-screen 0 1280x800x24 -dpi 96" \
        env coffer="$coffer" out="$out" home="$home" bash -c "$(declare -f desktop_shots); desktop_shots"
else
    echo "openbox or ImageMagick missing: no whole-screen shots (apt-get install openbox imagemagick)" >&2
fi
echo "screenshots in $out:"
ls -1 "$out"
