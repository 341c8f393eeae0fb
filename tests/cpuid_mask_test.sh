#!/usr/bin/env bash
# labelite on this CPU with AVX-512 hidden from CPUID (bench/cpuid_mask.c): it must choose the
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
echo "ISA level: avx2 under the mask, avx512 without"
fails=0
for m in mobilenet_v2_1.0_224_quant tf2_mobilenet_v2_1.0_224_ptq mobilenet_v1_0.25_128_quant \
         mobilenet_v2_1.0_224_inat_bird_quant; do
  for threads in 1 2; do
    "$labelite" classify --model "$data/models/$m.tflite" "$data/images/burger.jpg" --top-k 5 --threshold 0 \
      --threads $threads --format json > "$tmp/a.json" 2>/dev/null
    "${masked[@]}" "$labelite" classify --model "$data/models/$m.tflite" "$data/images/burger.jpg" --top-k 5 \
      --threshold 0 --threads $threads --format json > "$tmp/b.json" 2>/dev/null
    grep -q '"score"' "$tmp/a.json" || { echo "FAIL $m: no results"; cat "$tmp/a.json"; exit 1; }
    if cmp -s "$tmp/a.json" "$tmp/b.json"; then
      echo "ok   $m, $threads thread(s): same top 5 and scores at avx2 and avx512"
    else
      echo "FAIL $m, $threads thread(s): results differ"; diff "$tmp/a.json" "$tmp/b.json" | head -5; fails=1
    fi
  done
done
exit $fails
