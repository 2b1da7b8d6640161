#!/bin/sh
# Saves a PNG of each main Coffer screen (first run, unlock, main window,
# encrypt dialog, progress, open container, contacts, my card, settings, about, and a
# few with a dark palette) into OUT_DIR, running the GUI under Xvfb with a
# throwaway COFFER_HOME. It also prints the start-up time and the event loop's
# longest stall during a large encryption (COFFER_TOUR_BIG_MIB, default 512).
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
run "$coffer" --screenshot-tour "$out"
echo "screenshots in $out:"
ls -1 "$out"
