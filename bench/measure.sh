# The timing helpers of bench/run.sh and bench/scale.sh, sourced by both:
# `measure` runs commands by turns and records their median wall and CPU time
# and peak RSS (the largest single process of a pipeline, as wait4 reports it);
# `ratio` prints Coffer's speed against a peer. Needs $runs set; runs in the
# current folder, where it makes out/ (emptied before every run), t.txt and err.txt.
# measure NAME CMD [NAME CMD]...: runs each CMD once untimed (a warm-up: on
# a fresh virtual machine, the first use of a page of memory is slow; cp of
# 1 GiB to tmpfs took 1.4 s, then 0.7 s once the memory had been used), then
# $runs times, taking turns (A B, B A, A B ...), so that a slower spell of
# this shared machine falls on all of them alike; records each one's median
# wall and CPU time and its peak RSS.
declare -A wall cpu rss size
measure() {
  local names=() cmds=() k i
  while (($#)); do names+=("$1"); cmds+=("$2"); shift 2; done
  local -A walls=() cpus=() rsss=()
  local order=("${!names[@]}") reversed=()
  for ((k = ${#names[@]} - 1; k >= 0; k--)); do reversed+=("$k"); done
  for k in "${order[@]}"; do
    rm -rf out; mkdir -p out
    bash -c "${cmds[k]}" >/dev/null 2>err.txt || { echo "${names[k]} failed:"; cat err.txt; return 1; }
  done
  for ((i = 0; i < runs; i++)); do
    local turn=("${order[@]}")
    ((i % 2 == 0)) || turn=("${reversed[@]}")
    for k in "${turn[@]}"; do
      rm -rf out; mkdir -p out
      /usr/bin/time -f "%e %U %S %M" -o t.txt bash -c "${cmds[k]}" >/dev/null 2>err.txt ||
        { echo "${names[k]} failed:"; cat err.txt; return 1; }
      read -r e u s m < t.txt
      walls[$k]+="$e "; cpus[$k]+="$(echo "$u + $s" | bc) "; rsss[$k]+="$m "
    done
  done
  for k in "${!names[@]}"; do
    local name=${names[k]}
    wall[$name]=$(printf '%s\n' ${walls[$k]} | sort -n | sed -n "$(((runs + 1) / 2))p")
    cpu[$name]=$(printf '%s\n' ${cpus[$k]} | sort -n | sed -n "$(((runs + 1) / 2))p")
    rss[$name]=$(printf '%s\n' ${rsss[$k]} | sort -n | tail -1)
    printf '%-34s wall %6.2f s  cpu %6.2f s  rss %7.1f MiB\n' "$name" "${wall[$name]}" "${cpu[$name]}" \
      "$(echo "${rss[$name]} / 1024" | bc -l)"
  done
}
ratio() { # ratio COFFER PEER
  printf '  coffer vs %-28s %5.2fx\n' "$2" "$(echo "${wall[$2]} / ${wall[$1]}" | bc -l)"
}
