#!/usr/bin/env bash
# Runs `labelite bench` on every model of ../shared/testdata/models with 1 and 2 threads on
# both kernel paths and prints a markdown table (commit it as bench/RESULTS.md).
#
#   bench/run_benchmarks.sh [path/to/labelite] [runs] > bench/RESULTS.md
#
# Environment: LABELITE_TESTDATA overrides the testdata folder.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
labelite="${1:-$here/../build/labelite}"
runs="${2:-50}"
models_dir="${LABELITE_TESTDATA:-$here/../../shared/testdata}/models"
command -v jq >/dev/null || { echo "run_benchmarks.sh needs jq" >&2; exit 1; }
[ -x "$labelite" ] || { echo "no labelite binary at $labelite" >&2; exit 1; }

cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "# labelite benchmarks"
echo
echo "Date: $(date -u '+%Y-%m-%d %H:%M UTC'); CPU: ${cpu} ($(nproc) cores visible);"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg); $runs timed runs (reference path: at most 10) after 2 warm-ups,"
echo "pattern37 input. Command: \`labelite bench MODEL --threads T --kernels K --runs $runs --json\`."
echo "Peak RSS is the whole process (VmHWM); model RSS is peak minus the RSS before the model was loaded"
echo "(binary and shared libraries, about 9.5 MiB), the figure the target \"under 2x the model file plus the arena\" is about."
echo
echo "| model | kernels | threads | load ms | prepare ms | first ms | median ms | min ms | p90 ms | GMAC/s | arena KiB | peak RSS MiB | model RSS MiB | model file MiB |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
for model in "$models_dir"/*.tflite; do
  name="$(basename "$model" .tflite)"
  for kernels in fast reference; do
    for threads in 1 2; do
      r=$runs
      [ "$kernels" = reference ] && r=$(( runs < 10 ? runs : 10 ))
      if ! json="$("$labelite" bench "$model" --threads "$threads" --kernels "$kernels" \
                   --runs "$r" --warmup 2 --json 2>/dev/null)"; then
        echo "| $name | $kernels | $threads | cannot run | | | | | | | | | | |"
        continue
      fi
      file_mib="$(stat -c %s "$model" | awk '{ printf "%.1f", $1 / 1048576 }')"
      jq -r --arg name "$name" --arg file "$file_mib" '"| \($name) | \(.kernels) | \(.threads) | \(.load_ms*100|round/100) | \(.prepare_ms*100|round/100) | \(.first_ms*100|round/100) | \(.latency_ms.median*1000|round/1000) | \(.latency_ms.min*1000|round/1000) | \(.latency_ms.p90*1000|round/1000) | \(.gmacs*10|round/10) | \(.arena_bytes/1024|round) | \(.peak_rss_bytes/1048576*10|round/10) | \(.model_rss_bytes/1048576*10|round/10) | \($file) |"' <<<"$json"
    done
  done
done
