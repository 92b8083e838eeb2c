#!/usr/bin/env bash
# Runs JMH benchmarks one at a time on a quiet machine and records how quiet it really was.
#
#   benchmarks/measure.sh 'EncoderBenchmark -p precision=fp32' 'DecoderBenchmark.oneBox' ...
#
# Each argument is a JMH benchmark regex, optionally followed by JMH options (split on spaces).
# Before each run the script waits (up to WAIT_MAX seconds, default 3600) until the 1-minute load average is
# below MAX_LOAD (default 1.5). During the run it measures the CPU time used by OTHER processes: busy time from
# /proc/stat minus the CPU time of this run's own JVMs (bash's `times` for reaped children); the load average
# cannot tell that after the run, since the benchmark itself keeps it near 2 on a 2-core machine. If others used
# more than MAX_FOREIGN cores on average (default 0.10), the run is repeated, up to ATTEMPTS times (default 4);
# the last attempt's result is kept either way and the summary says how quiet it was.
# Results go to $OUT (default benchmarks/results): <name>.txt (JMH output), <name>.json, and summary.txt.
# Linux only (/proc).
set -euo pipefail

JAR=${JAR:-benchmarks/target/benchmarks.jar}
OUT=${OUT:-benchmarks/results}
MAX_LOAD=${MAX_LOAD:-1.5}
WAIT_MAX=${WAIT_MAX:-3600}
MAX_FOREIGN=${MAX_FOREIGN:-0.10}
ATTEMPTS=${ATTEMPTS:-4}

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
TIMES_FILE=$(mktemp)
trap 'rm -f "$TIMES_FILE"' EXIT
child_ticks_to() {
  times > "$TIMES_FILE"
  printf -v "$1" '%s' "$(tail -1 "$TIMES_FILE" | awk -v hz="$(getconf CLK_TCK)" '{
    split($1, u, "m"); split($2, s, "m");
    sub("s", "", u[2]); sub("s", "", s[2]);
    printf "%d", ((u[1] * 60 + u[2]) + (s[1] * 60 + s[2])) * hz }')"
}

wait_quiet() {
  local waited=0
  while awk -v l="$(load1)" -v m="$MAX_LOAD" 'BEGIN{exit !(l >= m)}'; do
    if (( waited >= WAIT_MAX )); then
      echo "machine still busy after ${waited}s (load $(load1)); measuring anyway" >&2
      return
    fi
    echo "waiting for a quiet machine: load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
    sleep 60
    waited=$((waited + 60))
  done
}

hz=$(getconf CLK_TCK)
for spec in "$@"; do
  read -r -a words <<< "$spec"
  name=$(echo "$spec" | tr -c 'A-Za-z0-9_=.\n' '_')
  for (( attempt = 1; attempt <= ATTEMPTS; attempt++ )); do
    wait_quiet
    before_load=$(cut -d' ' -f1-3 /proc/loadavg)
    b0=$(busy_ticks); child_ticks_to c0; t0=$(date +%s)
    java -jar "$JAR" "${words[@]}" -rf json -rff "$OUT/$name.json" > "$OUT/$name.txt" 2>&1 || {
      echo "$spec: JMH failed, see $OUT/$name.txt" >&2; exit 1; }
    b1=$(busy_ticks); child_ticks_to c1; t1=$(date +%s)
    after_load=$(cut -d' ' -f1-3 /proc/loadavg)
    cores=$(awk -v b=$((b1 - b0)) -v c=$((c1 - c0)) -v s=$((t1 - t0)) -v hz="$hz" \
      'BEGIN{f=(b-c)/hz; if (f<0) f=0; printf "%.3f", (s>0 ? f/s : 0)}')
    line="$(date -u +%FT%TZ) [$spec] attempt $attempt: $((t1 - t0)) s, load before $before_load, after $after_load;"
    line+=" other processes used $cores cores on average"
    echo "$line" | tee -a "$OUT/summary.txt"
    grep -E '^[A-Za-z0-9]+Benchmark\.' "$OUT/$name.txt" | grep -v ':stack' || true
    if awk -v c="$cores" -v m="$MAX_FOREIGN" 'BEGIN{exit !(c <= m)}'; then
      break
    fi
    (( attempt < ATTEMPTS )) && echo "  too busy; repeating" | tee -a "$OUT/summary.txt"
  done
done
