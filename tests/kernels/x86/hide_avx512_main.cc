// The main of kernels_avx2_xnnpack_tests: hides AVX-512 from cpuinfo before anything starts
// XNNPACK, whose init reads cpuinfo once to pick its micro-kernels, so XNNPACK runs its AVX2
// kernels on a CPU with AVX-512 too; then runs the tests linked in (swish_f32_test.cc), whose
// oracle is then XNNPACK's AVX2 sigmoid. labelite's own level (isa.h) is unchanged.
#include <cpuinfo.h>
#include <gtest/gtest.h>

#include <cstdio>

int main(int argc, char** argv) {
  if (!cpuinfo_initialize()) {
    std::fprintf(stderr, "cpuinfo_initialize failed\n");
    return 1;
  }
  cpuinfo_isa.avx512f = cpuinfo_isa.avx512pf = cpuinfo_isa.avx512er = cpuinfo_isa.avx512cd = false;
  cpuinfo_isa.avx512dq = cpuinfo_isa.avx512bw = cpuinfo_isa.avx512vl = false;
  cpuinfo_isa.avx512ifma = cpuinfo_isa.avx512vbmi = cpuinfo_isa.avx512vbmi2 = false;
  cpuinfo_isa.avx512bitalg = cpuinfo_isa.avx512vpopcntdq = cpuinfo_isa.avx512vnni = false;
  cpuinfo_isa.avx512bf16 = cpuinfo_isa.avx512vp2intersect = false;
  cpuinfo_isa.avx512_4vnniw = cpuinfo_isa.avx512_4fmaps = false;
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
