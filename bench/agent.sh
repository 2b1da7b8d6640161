#!/usr/bin/env bash
# The key agent's worth (issue 22, item 3): `coffer list small.coffer` with
# the keyring unlocked by `coffer unlock` against the same command asking the
# keyring passphrase (Argon2id each time). Prints the median wall time of
# RUNS runs (default 7) of each; the target is that a command with the agent
# starts its work within 50 ms (the whole `list` run is an upper bound).
#
#   bench/agent.sh [COFFER_BINARY] [RUNS]
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
coffer=$(realpath "${1:-$root/build/main/coffer}")
runs=${2:-7}

work=$(mktemp -d /dev/shm/coffer-agent-bench-XXXXXX 2>/dev/null || mktemp -d)
export COFFER_HOME="$work/home" XDG_RUNTIME_DIR="$work/run"
mkdir -m 700 "$XDG_RUNTIME_DIR"
trap '"$coffer" lock >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
cd "$work"

echo "bench-passphrase" > pass
"$coffer" id create --name Bench --keyring-passphrase-file pass > /dev/null 2>&1
card=$("$coffer" id show --keyring-passphrase-file pass 2>/dev/null)
echo "a small file" > small.txt
"$coffer" encrypt -r "$card" -o small.coffer small.txt --keyring-passphrase-file pass 2>/dev/null

# The median wall time of a command in ms, timed by one python3 process
# around each run (a `date` process before and after would add its own start).
median_ms() {
  python3 - "$runs" "$@" <<'PY'
import statistics, subprocess, sys, time
runs, command = int(sys.argv[1]), sys.argv[2:]
times = []
for _ in range(runs):
    start = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    times.append((time.perf_counter() - start) * 1000)
print(round(statistics.median(times)))
PY
}

start=$(median_ms "$coffer" version)
without=$(median_ms "$coffer" list small.coffer --keyring-passphrase-file pass)
"$coffer" unlock --keyring-passphrase-file pass --idle-timeout 300 2>/dev/null
with=$(median_ms "$coffer" list small.coffer)
"$coffer" lock > /dev/null 2>&1
echo "coffer list small.coffer: ${without} ms asking the passphrase, ${with} ms with the agent (target: < 50 ms);"
echo "  for scale, \"coffer version\" (process start only) takes ${start} ms"
