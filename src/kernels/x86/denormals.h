// DenormalsFlushed: MXCSR's flush-to-zero and denormals-are-zero bits set for a scope, as
// XNNPACK runs every operator (PTHREADPOOL_FLAG_DISABLE_DENORMALS): labelite's float kernels
// that match XNNPACK's bits (element-wise, softmax, swish, direct convolutions, F32Gemm, MEAN)
// run their tasks inside one. x86-64 only (kernels/x86).
#ifndef LABELITE_KERNELS_X86_DENORMALS_H_
#define LABELITE_KERNELS_X86_DENORMALS_H_

namespace labelite::xnn {

// Sets the bits for its lifetime on this thread, then restores MXCSR. Out of line (denormals.cc)
// so the compiler cannot move float arithmetic across the change of mode.
class DenormalsFlushed {
 public:
  DenormalsFlushed();
  ~DenormalsFlushed();
  DenormalsFlushed(const DenormalsFlushed&) = delete;
  DenormalsFlushed& operator=(const DenormalsFlushed&) = delete;

 private:
  unsigned saved_;
};

}  // namespace labelite::xnn

#endif  // LABELITE_KERNELS_X86_DENORMALS_H_
