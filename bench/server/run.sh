#!/usr/bin/env bash
# bench/server: labelite serve's requests/s and p50/p99 latency at 1, 4 and 16 concurrent
# keep-alive clients (wrk, Debian package), beside `labelite classify`'s batch rate on the same
# images with the same number of threads.
#   bench/server/run.sh [BUILD_DIR] [MODEL] [SECONDS]
# Prints a Markdown table. The server runs --threads N interpreters (N = nproc), the CLI
# --threads N workers; wrk takes one of the CPUs' time too.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build/release}
data=${LABELITE_TESTDATA:-$root/../shared/testdata}
model=${2:-$data/models/mobilenet_v2_1.0_224_quant.tflite}
seconds=${3:-10}
threads=$(nproc)
command -v wrk >/dev/null || { echo "bench/server: needs wrk (apt-get install wrk)" >&2; exit 1; }
images=("$data"/images/*.jpg)

# The CLI's batch rate: the same images, 30 times over (measured before and after the server
# rows, as the host may be busy; the table compares with the mean).
list=()
for _ in $(seq 30); do list+=("${images[@]}"); done
cli_batch() {
  "$build/labelite" classify --model "$model" --threads "$threads" --timing -q --format jsonl "${list[@]}" \
    2>&1 >/dev/null | sed -n 's/.* \([0-9.]*\) images\/s.*/\1/p'
}
cli_before=$(cli_batch)

log=$(mktemp)
"$build/labelite" serve --model "m=$model" --port 0 --threads "$threads" --queue 1024 2>"$log" &
pid=$!
trap 'kill $pid 2>/dev/null; rm -f "$log"' EXIT
for _ in $(seq 600); do grep -q "listening on" "$log" && break; sleep 0.1; done
port=$(sed -n 's/.*listening on http:\/\/[^:]*:\([0-9]*\)\/.*/\1/p' "$log")
url="http://127.0.0.1:$port"
wrk -t1 -c1 -d2s -s "$here/post_images.lua" "$url" -- "${images[@]}" >/dev/null  # warm up

echo "model $(basename "$model"), ${#images[@]} JPEG photos ($(basename -a "${images[@]}" | tr '\n' ' ')), $threads threads, $(nproc) CPUs, ${seconds}s per row"
echo
rows=()
for c in 1 4 16; do
  out=$(wrk -t1 -c"$c" -d"${seconds}s" --latency -s "$here/post_images.lua" "$url" -- "${images[@]}")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  ms() { awk -v p="$1" '$1 == p { v = $2; if (v ~ /us$/) { sub(/us/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms/, "", v) } else if (v ~ /s$/) { sub(/s/, "", v); v *= 1000 } printf "%.2f", v }' <<<"$out"; }
  p50=$(ms 50%)
  p99=$(ms 99%)
  bad=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
  rows+=("$c $rps $p50 $p99 ${bad:-0}")
done
kill -TERM $pid
wait $pid
cli_after=$(cli_batch)
cli_rate=$(awk -v a="$cli_before" -v b="$cli_after" 'BEGIN {printf "%.1f", (a + b) / 2}')
echo "CLI batch: $cli_before images/s before, $cli_after after"
echo
echo "| clients | requests/s | p50 ms | p99 ms | p99/p50 | non-2xx | vs CLI batch ($cli_rate images/s) |"
echo "|---|---|---|---|---|---|---|"
for row in "${rows[@]}"; do
  read -r c rps p50 p99 bad <<<"$row"
  echo "| $c | $rps | $p50 | $p99 | $(awk -v a="$p99" -v b="$p50" 'BEGIN {printf "%.2f", a / b}') | $bad | $(awk -v a="$rps" -v b="$cli_rate" 'BEGIN {printf "%.0f%%", 100 * a / b}') |"
done
