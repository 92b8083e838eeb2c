#!/usr/bin/env bash
# Runs JMH benchmarks one at a time on a quiet machine and records how quiet it really was.
#
#   benchmarks/measure.sh 'EncoderBenchmark -p precision=fp32' 'DecoderBenchmark.oneBox' ...
#
# Each argument is a JMH benchmark regex, optionally followed by JMH options (split on spaces).
# Before each run the script waits (up to WAIT_MAX seconds, default 3600) until the 1-minute load average is
# below MAX_LOAD (default 1.5) and the machine was idle (under MAX_FOREIGN cores busy) for 15 s. During the run it measures the CPU time used by OTHER processes: busy time from
# /proc/stat minus the CPU time of this run's own JVMs (bash's `times` for reaped children); the load average
# cannot tell that after the run, since the benchmark itself keeps it near 2 on a 2-core machine. If others used
# more than MAX_FOREIGN cores on average (default 0.10), the run is repeated, up to ATTEMPTS times (default 6);
# the quietest attempt's result is kept and the summary says how quiet each attempt was.
# Results go to $OUT (default benchmarks/results): <name>.txt (JMH output), <name>.json, and summary.txt.
# Linux only (/proc).
set -euo pipefail

JAR=${JAR:-benchmarks/target/benchmarks.jar}
OUT=${OUT:-benchmarks/results}
MAX_LOAD=${MAX_LOAD:-1.5}
WAIT_MAX=${WAIT_MAX:-3600}
MAX_FOREIGN=${MAX_FOREIGN:-0.10}
ATTEMPTS=${ATTEMPTS:-6}

if [[ $# -eq 0 ]]; then
  echo "usage: $0 'REGEX [JMH options]'..." >&2
  exit 2
fi
[[ -f "$JAR" ]] || { echo "$JAR not found: mvn -pl benchmarks -am package -DskipTests" >&2; exit 2; }
mkdir -p "$OUT"

load1() { cut -d' ' -f1 /proc/loadavg; }
busy_ticks() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9}' /proc/stat; }   # user nice system irq softirq steal

# user + system time of reaped children (descendants included), in clock ticks, into variable $1. `times` must
# run in this shell, not in a $(...) subshell, whose own child times start at zero.
hz=$(getconf CLK_TCK)
TIMES_FILE=$(mktemp)
trap 'rm -f "$TIMES_FILE"' EXIT
child_ticks_to() {
  times > "$TIMES_FILE"
  printf -v "$1" '%s' "$(tail -1 "$TIMES_FILE" | awk -v hz="$(getconf CLK_TCK)" '{
    split($1, u, "m"); split($2, s, "m");
    sub("s", "", u[2]); sub("s", "", s[2]);
    printf "%d", ((u[1] * 60 + u[2]) + (s[1] * 60 + s[2])) * hz }')"
}

# Quiet = load average below MAX_LOAD and, over the next 15 s (nothing of ours runs meanwhile), the machine busy
# for less than MAX_FOREIGN cores: a single busy process elsewhere keeps the load average near 1 and would
# otherwise pass.
idle_enough() {
  awk -v l="$(load1)" -v m="$MAX_LOAD" 'BEGIN{exit !(l < m)}' || return 1
  local b0 b1; b0=$(busy_ticks); sleep 15; b1=$(busy_ticks)
  awk -v b=$((b1 - b0)) -v hz="$hz" -v m="$MAX_FOREIGN" 'BEGIN{exit !(b / hz / 15 <= m)}'
}

wait_quiet() {
  local waited=0
  until idle_enough; do
    if (( waited >= WAIT_MAX )); then
      echo "machine still busy after ${waited}s (load $(load1)); measuring anyway" >&2
      return
    fi
    echo "waiting for a quiet machine: load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
    sleep 45
    waited=$((waited + 60))
  done
}

for spec in "$@"; do
  read -r -a words <<< "$spec"
  name=$(echo "$spec" | tr -c 'A-Za-z0-9_=.\n' '_')
  best=""
  for (( attempt = 1; attempt <= ATTEMPTS; attempt++ )); do
    wait_quiet
    before_load=$(cut -d' ' -f1-3 /proc/loadavg)
    b0=$(busy_ticks); child_ticks_to c0; t0=$(date +%s)
    java -jar "$JAR" "${words[@]}" -rf json -rff "$OUT/$name.try.json" > "$OUT/$name.try.txt" 2>&1 || {
      echo "$spec: JMH failed, see $OUT/$name.try.txt" >&2; exit 1; }
    b1=$(busy_ticks); child_ticks_to c1; t1=$(date +%s)
    after_load=$(cut -d' ' -f1-3 /proc/loadavg)
    cores=$(awk -v b=$((b1 - b0)) -v c=$((c1 - c0)) -v s=$((t1 - t0)) -v hz="$hz" \
      'BEGIN{f=(b-c)/hz; if (f<0) f=0; printf "%.3f", (s>0 ? f/s : 0)}')
    line="$(date -u +%FT%TZ) [$spec] attempt $attempt: $((t1 - t0)) s, load before $before_load, after $after_load;"
    line+=" other processes used $cores cores on average"
    echo "$line" | tee -a "$OUT/summary.txt"
    grep -E '^[A-Za-z0-9]+Benchmark\.' "$OUT/$name.try.txt" | grep -v ':stack' | tee -a "$OUT/summary.txt" || true
    if [[ -z "$best" ]] || awk -v c="$cores" -v b="$best" 'BEGIN{exit !(c < b)}'; then
      best=$cores
      mv "$OUT/$name.try.txt" "$OUT/$name.txt"
      mv "$OUT/$name.try.json" "$OUT/$name.json"
    fi
    if awk -v c="$cores" -v m="$MAX_FOREIGN" 'BEGIN{exit !(c <= m)}'; then
      break
    fi
    (( attempt < ATTEMPTS )) && echo "  too busy; repeating" | tee -a "$OUT/summary.txt"
  done
  rm -f "$OUT/$name.try.txt" "$OUT/$name.try.json"
  echo "  kept the attempt with $best cores of other processes" | tee -a "$OUT/summary.txt"
done
