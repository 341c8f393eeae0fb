#!/usr/bin/env bash
# labelite on this CPU with AVX-512 hidden from CPUID (bench/cpuid_mask.c; also the avxvnni level
# where the CPU has AVX-VNNI): it must choose the
# AVX2 level by itself (cpuinfo, the one dispatch point), and every quantized shared model must
# give the same output bytes as at the AVX-512 level (the own kernels of both levels are
# bit-identical to XNNPACK's operators).
# Usage: cpuid_mask_test.sh LABELITE LIBCPUID_MASK TESTDATA
# Exit 77 (skipped) when the CPU has no AVX-512 (nothing to hide) or no CPUID faulting.
set -euo pipefail
labelite=$1 mask=$2 data=$3
flags=$(grep -m1 '^flags' /proc/cpuinfo)
if [[ " $flags " != *" avx512f "* ]]; then echo "skip: this CPU has no AVX-512 to hide"; exit 77; fi
if [[ " $flags " != *" cpuid_fault "* ]]; then echo "skip: no CPUID faulting (cpuid_fault) on this CPU/kernel"; exit 77; fi
masked=(env LD_PRELOAD="$mask" LABELITE_CPUID_MASK=avx2
        GLIBC_TUNABLES=glibc.cpu.hwcaps=-AVX512F,-AVX512VL,-AVX512BW,-AVX512DQ,-AVX512CD)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
model=$data/models/mobilenet_v2_1.0_224_quant.tflite
isa=$("${masked[@]}" "$labelite" bench "$model" --runs 1 --warmup 0 --threads 1 --json |
      python3 -c 'import json,sys; print(json.load(sys.stdin)["isa"])')
[[ $isa == avx2 ]] || { echo "FAIL: under the mask labelite chose ISA level '$isa', want avx2"; exit 1; }
isa=$("$labelite" bench "$model" --runs 1 --warmup 0 --threads 1 --json |
      python3 -c 'import json,sys; print(json.load(sys.stdin)["isa"])')
[[ $isa == avx512 ]] || { echo "FAIL: unmasked labelite chose '$isa', want avx512"; exit 1; }
label=$("${masked[@]}" "$labelite" bench "$model" --runs 1 --warmup 0 --threads 1 --json |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["isa_label"])')
[[ $label == avx2 ]] || { echo "FAIL: the avx2 mask shows AVX-VNNI to labelite ('$label')"; exit 1; }
echo "ISA level: avx2 under the mask, avx512 without"
# The avxvnni level (AVX-512 hidden, AVX-VNNI kept: an Intel client chip from Alder Lake on), on
# CPUs that have AVX-VNNI: the AVX2 kernels then use VEX VPDPBUSD, and must give the same bytes.
levels=(avx2)
if [[ " $flags " == *" avx_vnni "* ]]; then
  levels+=(avxvnni)
  label=$(env LD_PRELOAD="$mask" LABELITE_CPUID_MASK=avxvnni "$labelite" bench "$model" --runs 1 \
            --warmup 0 --threads 1 --json |
          python3 -c 'import json,sys; print(json.load(sys.stdin)["isa_label"])')
  [[ $label == avx2+avxvnni ]] || { echo "FAIL: under the avxvnni mask labelite chose '$label'"; exit 1; }
  echo "ISA level: avx2+avxvnni under the avxvnni mask"
else
  echo "note: no AVX-VNNI on this CPU; the avxvnni level is not tested here"
fi
fails=0
for m in mobilenet_v2_1.0_224_quant tf2_mobilenet_v2_1.0_224_ptq mobilenet_v1_0.25_128_quant \
         mobilenet_v2_1.0_224_inat_bird_quant; do
  for threads in 1 2; do
    "$labelite" classify --model "$data/models/$m.tflite" "$data/images/burger.jpg" --top-k 5 --threshold 0 \
      --threads $threads --format json > "$tmp/a.json" 2>/dev/null
    grep -q '"score"' "$tmp/a.json" || { echo "FAIL $m: no results"; cat "$tmp/a.json"; exit 1; }
    for level in "${levels[@]}"; do
      env LD_PRELOAD="$mask" LABELITE_CPUID_MASK=$level \
        GLIBC_TUNABLES=glibc.cpu.hwcaps=-AVX512F,-AVX512VL,-AVX512BW,-AVX512DQ,-AVX512CD \
        "$labelite" classify --model "$data/models/$m.tflite" "$data/images/burger.jpg" --top-k 5 \
        --threshold 0 --threads $threads --format json > "$tmp/b.json" 2>/dev/null
      if cmp -s "$tmp/a.json" "$tmp/b.json"; then
        echo "ok   $m, $threads thread(s): same top 5 and scores at $level and avx512"
      else
        echo "FAIL $m, $threads thread(s), $level: results differ"; diff "$tmp/a.json" "$tmp/b.json" | head -5
        fails=1
      fi
    done
  done
done
exit $fails
