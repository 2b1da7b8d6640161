#!/usr/bin/env bash
# A real drag and drop (XDND) from Coffer's container window into Thunar,
# under Xvfb with openbox (issue 21 item 2): makes a throwaway keyring and a
# container holding one file, unlocks Coffer on it with xdotool, drags the
# file's row onto a Thunar window showing an empty folder, and checks that
# the file arrived there byte for byte. Screenshots before and after the drop
# go into OUT_DIR (drag-before.png, drag-after.png).
#
# Needs Xvfb, openbox, thunar, xdotool, dbus-run-session and ImageMagick
# (import, convert).
#
# usage: tools/drag-to-thunar.sh OUT_DIR [COFFER_BINARY]
set -eu

if [ $# -lt 1 ]; then
    echo "usage: $0 OUT_DIR [COFFER_BINARY]" >&2
    exit 2
fi
out=$(mkdir -p "$1" && cd "$1" && pwd)
coffer=$(readlink -f "${2:-${COFFER_BINARY:-build/main/coffer}}")
if [ ! -x "$coffer" ]; then
    echo "error: no coffer executable at \"$coffer\"" >&2
    echo "hint: build it first (cmake --build build --target coffer), or pass its path" >&2
    exit 2
fi
for tool in Xvfb openbox thunar xdotool dbus-run-session import convert; do
    command -v "$tool" >/dev/null 2>&1 || {
        echo "error: $tool is not installed" >&2
        echo "hint: apt-get install xvfb openbox thunar xdotool dbus imagemagick" >&2
        exit 2
    }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/coffer-drag.XXXXXX")
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

export COFFER_HOME="$work/home"
export XDG_RUNTIME_DIR="$work/runtime"
export HOME="$work/user" # Thunar's settings, not the caller's
mkdir -p -m 700 "$XDG_RUNTIME_DIR" "$HOME" "$work/target" "$work/in"
unset QT_QPA_PLATFORM WAYLAND_DISPLAY

# The container: one file, encrypted to a fresh identity.
head -c 300000 /dev/urandom | base64 >"$work/in/Lease.txt"
printf 'drag test passphrase\n' >"$work/pass"
card=$("$coffer" id create --name "Alice Example" --keyring-passphrase-file "$work/pass" 2>/dev/null)
"$coffer" encrypt -r "$card" -o "$work/box.coffer" --keyring-passphrase-file "$work/pass" "$work/in/Lease.txt"

display=:$((90 + RANDOM % 100))
Xvfb "$display" -screen 0 1280x800x24 -dpi 96 -nolisten tcp >/dev/null 2>&1 &
pids+=($!)
export DISPLAY=$display
for _ in $(seq 50); do xdotool getdisplaygeometry >/dev/null 2>&1 && break; sleep 0.1; done
openbox >/dev/null 2>&1 &
pids+=($!)
sleep 1

# waits for a window whose name matches $1; prints its id
window_named() {
    for _ in $(seq 100); do
        if id=$(xdotool search --onlyvisible --name "$1" 2>/dev/null | head -1) && [ -n "$id" ]; then
            echo "$id"
            return 0
        fi
        sleep 0.2
    done
    echo "error: no window named \"$1\" appeared" >&2
    return 1
}

dbus-run-session -- thunar "$work/target" >/dev/null 2>&1 &
pids+=($!)
thunar_window=$(window_named "target")
xdotool windowsize "$thunar_window" 600 600 windowmove "$thunar_window" 660 80

"$coffer" "$work/box.coffer" >"$work/coffer.log" 2>&1 &
pids+=($!)
unlock=$(window_named "Unlock")
xdotool windowactivate --sync "$unlock"
xdotool type --delay 20 "drag test passphrase"
xdotool key Return
container=$(window_named "box.coffer")
# Coffer's main window is a drop zone too: out of the way, so the drop lands on Thunar.
for w in $(xdotool search --onlyvisible --name '^Coffer$' 2>/dev/null); do xdotool windowminimize "$w"; done
xdotool windowraise "$thunar_window"
xdotool windowsize "$container" 620 600 windowmove "$container" 20 80
xdotool windowactivate --sync "$container"
sleep 2

# The file's row: the selected (first) row, found by the highlight colour
# (Fusion's #308cc6) in a column through the middle of the window.
import -window "$container" "$work/container.png"
# The client area's place on the screen (xdotool's may be the frame's).
client_geometry() {
    xwininfo -id "$1" | awk '/Absolute upper-left X/ { print "X=" $4 } /Absolute upper-left Y/ { print "Y=" $4 }
        /^ *Width/ { print "WIDTH=" $2 } /^ *Height/ { print "HEIGHT=" $2 }'
}
eval "$(client_geometry "$container")"
row_y=$(convert "$work/container.png" -crop "1x$HEIGHT+$((WIDTH / 2))+0" +repage txt:- |
    awk -F'[,:() ]+' '/^[0-9]/ { if ($3 >= 38 && $3 <= 58 && $4 >= 130 && $4 <= 150 && $5 >= 188 && $5 <= 208) { print $2; exit } }')
if [ -z "$row_y" ]; then
    cp "$work/container.png" "$out/drag-no-row.png"
    echo "error: the selected row was not found in Coffer's window (see $out/drag-no-row.png)" >&2
    exit 1
fi
from_x=$((X + 60))
from_y=$((Y + row_y + 6))
echo "dragging from $from_x,$from_y (row at $row_y in Coffer's window)"
eval "$(client_geometry "$thunar_window")"
to_x=$((X + WIDTH / 2))
to_y=$((Y + HEIGHT / 2))

import -window root "$out/drag-before.png"
xdotool mousemove "$from_x" "$from_y"
sleep 0.3
xdotool mousedown 1
# Past Qt's drag distance in small steps, then across to Thunar: XDND needs motion.
for step in $(seq 1 20); do
    xdotool mousemove $((from_x + (to_x - from_x) * step / 20)) $((from_y + (to_y - from_y) * step / 20))
    sleep 0.05
done
sleep 0.5
xdotool mouseup 1

for _ in $(seq 100); do [ -f "$work/target/Lease.txt" ] && break; sleep 0.1; done
sleep 1
import -window root "$out/drag-after.png"
if [ ! -f "$work/target/Lease.txt" ]; then
    echo "error: nothing arrived in Thunar's folder" >&2
    ls -la "$work/target" >&2
    exit 1
fi
if cmp "$work/in/Lease.txt" "$work/target/Lease.txt"; then
    echo "dropped into Thunar: Lease.txt, $(stat -c %s "$work/target/Lease.txt") bytes, byte-identical"
else
    echo "error: the dropped file differs from the original" >&2
    exit 1
fi
echo "screenshots: $out/drag-before.png $out/drag-after.png"
