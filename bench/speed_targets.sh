#!/usr/bin/env bash
# Measures issue 4's speed targets on the two MobileNet v2 models in interleaved rounds, so that
# a noisy stretch of the machine hits every configuration alike, and prints one markdown table:
# per model and thread count the median over rounds of each round's median latency, the
# 2-thread / 1-thread throughput ratio, load + prepare, and TFLite's figures from
# ../shared/BENCHMARKS.md (native TFLite 2.19 with XNNPACK on this machine kind).
#
#   bench/speed_targets.sh [path/to/labelite] [rounds] [runs per round]
#
# Environment: LABELITE_TESTDATA overrides the testdata folder.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
labelite="${1:-$here/../build/release/labelite}"
rounds="${2:-9}"
runs="${3:-200}"
models_dir="${LABELITE_TESTDATA:-$here/../../shared/testdata}/models"
command -v jq >/dev/null || { echo "speed_targets.sh needs jq" >&2; exit 1; }
[ -x "$labelite" ] || { echo "no labelite binary at $labelite" >&2; exit 1; }

models=(mobilenet_v2_1.0_224_quant tf2_mobilenet_v2_1.0_224_ptq)
declare -A tflite1=([mobilenet_v2_1.0_224_quant]=4.69 [tf2_mobilenet_v2_1.0_224_ptq]=2.35)
declare -A tflite2=([mobilenet_v2_1.0_224_quant]=2.88 [tf2_mobilenet_v2_1.0_224_ptq]=1.69)
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

for ((r = 0; r < rounds; ++r)); do
  for m in "${models[@]}"; do
    for t in 1 2; do
      "$labelite" bench "$models_dir/$m.tflite" --threads "$t" --runs "$runs" --warmup 10 --json |
        jq -r '"\(.latency_ms.median) \(.latency_ms.min) \(.load_ms + .prepare_ms) \(.first_ms)"' \
        >>"$tmp/$m.$t"
    done
  done
done

# Median of column $2 of file $1.
median() { sort -g <(cut -d' ' -f"$2" "$1") | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# Smallest and largest of column $2 of file $1.
range() { cut -d' ' -f"$2" "$1" | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%.2f-%.2f", lo, hi }'; }

cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "Date: $(date -u '+%Y-%m-%d %H:%M UTC'); CPU: ${cpu} ($(nproc) cores); load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
echo "$rounds interleaved rounds of \`labelite bench MODEL --threads T --runs $runs --warmup 10 --json\`; ms."
echo
echo "| model | threads | median of medians | range of medians | min | TFLite median | 2t/1t throughput | load+prepare median (range) | first invoke median |"
echo "|---|---|---|---|---|---|---|---|---|"
for m in "${models[@]}"; do
  m1="$(median "$tmp/$m.1" 1)"
  for t in 1 2; do
    f="$tmp/$m.$t"
    med="$(median "$f" 1)"
    ratio="-"
    [ "$t" = 2 ] && ratio="$(awk -v a="$m1" -v b="$med" 'BEGIN { printf "%.2fx", a / b }')"
    ref="${tflite1[$m]}"
    [ "$t" = 2 ] && ref="${tflite2[$m]}"
    printf '| %s | %s | %.3f | %s | %.3f | %s | %s | %.1f (%s) | %.2f |\n' "$m" "$t" "$med" \
      "$(range "$f" 1)" "$(cut -d' ' -f2 "$f" | sort -g | head -1)" "$ref" "$ratio" \
      "$(median "$f" 3)" "$(range "$f" 3)" "$(median "$f" 4)"
  done
done
