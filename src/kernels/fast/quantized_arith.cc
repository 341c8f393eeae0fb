// Quantized ADD, SUB and MUL kernels of labelite's own, mapping common::PrepareArith's
// parameters (the ops' one Prepare) onto the rows of quantized_arith.h; bit-identical to the
// reference kernels. float32 is refused (Unsupported): FirstSupportedKernel hands it to XNNPACK
// (xnnpack/add.cc, sub.cc, mul.cc, which also decide when these kernels run).
//
// Prepare, in steps:
//   1. PrepareArith; ADD/SUB: the two 256-entry side-value tables (the second negated for SUB)
//      and their SIMD form, checked against the tables (else the portable rows run);
//   2. the layout of the broadcast:
//        same:   both inputs have the output's shape: one flat row of bytes;
//        block:  one input has the output's shape, the other is a trailing block of it (a
//                scalar, a [C] vector, [1,1,W,C], ...; at most kMaxBlock elements): its side
//                values are computed once per Eval, then every block-sized row of the output
//                reads them (a scalar: one flat row with a step of 0);
//        affine: a block that is a constant tensor and whose outputs FitAffine fits
//                (quantized_arith.h): rows of alpha * v + beta >> shift;
//        general: anything else, one innermost row at a time (Broadcast::ForEachRow);
//   3. the row functions of the active ISA level (AVX-512, AVX2 or portable).
// The affine-only kernel refuses every other layout, and every layout below AVX2.
// Eval splits same, block and affine layouts into chunks of about kChunk elements (whole rows)
// over the thread pool when the output has at least kMinParallel elements.
#include "kernels/fast/quantized_arith.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <memory>
#include <vector>

#include "kernels/common/add_sub_mul.h"
#include "kernels/fast/isa.h"
#include "runtime/kernel.h"
#include "runtime/work_pool.h"
#if defined(__x86_64__)
#include "kernels/x86/quantized_arith_x86.h"
#endif

namespace labelite::xnn {
namespace {

template <ArithMode kMode>
void BytesLoop(const QuantArithParams& p, const uint8_t* x, const uint8_t* y, uint8_t* out,
               int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    out[i] = CombineAndRequantize<kMode>(p, SideValue(kMode, p.x, x[i]),
                                         SideValue(kMode, p.y, y[i]));
}

template <ArithMode kMode>
void ValuesLoop(const QuantArithParams& p, const uint8_t* x, const int32_t* y, int64_t y_step,
                uint8_t* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    out[i] = CombineAndRequantize<kMode>(p, SideValue(kMode, p.x, x[i]), y[i * y_step]);
}

}  // namespace

void QuantArithBytesPortable(const QuantArithParams& p, const uint8_t* x, const uint8_t* y,
                             uint8_t* out, int64_t n) {
  DispatchMode(p.mode, [&](auto mode) { BytesLoop<mode()>(p, x, y, out, n); });
}

void QuantArithValuesPortable(const QuantArithParams& p, const uint8_t* x, const int32_t* y,
                              int64_t y_step, uint8_t* out, int64_t n) {
  DispatchMode(p.mode, [&](auto mode) { ValuesLoop<mode()>(p, x, y, y_step, out, n); });
}

namespace {

constexpr int64_t kMaxBlock = int64_t{1} << 16;
constexpr int64_t kChunk = 8192;
constexpr int64_t kMinParallel = 32768;

enum class Layout { kSame, kBlock, kAffine, kGeneral };

constexpr QuantArithRowFns kPortableRows{&QuantArithBytesPortable, &QuantArithValuesPortable,
                                         &QuantArithAffinePortable};

QuantArithRowFns ActiveRowFns() {
#if defined(__x86_64__)
  if (ActiveIsa() >= IsaLevel::kAvx512)
    return {&QuantArithBytesAvx512, &QuantArithValuesAvx512, &QuantArithAffineAvx512};
  if (ActiveIsa() >= IsaLevel::kAvx2)
    return {&QuantArithBytesAvx2, &QuantArithValuesAvx2, &QuantArithAffineAvx2};
#endif
  return kPortableRows;
}

// The element count of `small` when, without its leading 1s, it equals the trailing dims of
// `full`; else 0.
int64_t TrailingBlock(const std::vector<int32_t>& small, const std::vector<int32_t>& full) {
  size_t first = 0;
  while (first < small.size() && small[first] == 1) ++first;
  const size_t k = small.size() - first;
  if (k > full.size()) return 0;
  int64_t count = 1;
  for (size_t j = 0; j < k; ++j) {
    if (small[first + j] != full[full.size() - k + j]) return 0;
    count *= small[first + j];
  }
  return count;
}

class QuantizedArithKernel final : public Kernel {
 public:
  // affine_only: Prepare accepts only what the affine pieces run (else Unsupported).
  QuantizedArithKernel(common::ArithOp op, bool affine_only) : op_(op), affine_only_(affine_only) {}

  Status Prepare(KernelContext& ctx) override {
    LABELITE_RETURN_IF_ERROR(common::PrepareArith(ctx, op_, &p_));
    if (p_.type != DataType::kInt8 && p_.type != DataType::kUInt8)
      return ctx.UnsupportedError("the own kernel is for uint8 and int8");
    SetParams();
    SetLayout(ctx);
    fns_ = simd_form_ok_ ? ActiveRowFns() : kPortableRows;
    if (layout_ == Layout::kBlock && ctx.input(block_is_a_ ? 0 : 1)->is_constant)
      TryAffine(ctx.input(block_is_a_ ? 0 : 1)->data_as<uint8_t>());
    // The portable affine loop is slower than XNNPACK: only the SIMD levels take the op.
    if (affine_only_ && (layout_ != Layout::kAffine || ActiveIsa() < IsaLevel::kAvx2))
      return ctx.UnsupportedError("no constant broadcast input with affine pieces");
    return Status::Ok();
  }

  Status Eval(KernelContext& ctx) override {
    const auto* a = ctx.input(0)->data_as<uint8_t>();
    const auto* b = ctx.input(1)->data_as<uint8_t>();
    out_ = ctx.output(0)->data_as<uint8_t>();
    if (layout_ == Layout::kGeneral) {
      RunGeneral(a, b);
      return Status::Ok();
    }
    x_ = block_is_a_ ? b : a;
    y_ = block_is_a_ ? a : b;
    if (layout_ == Layout::kBlock) {
      const QuantArithParams& q = block_is_a_ ? ba_ : ab_;
      for (int64_t j = 0; j < block_; ++j)
        y_values_[static_cast<size_t>(j)] = SideValue(q.mode, q.y, y_[j]);
    }
    const auto chunks = static_cast<size_t>((n_ + chunk_ - 1) / chunk_);
    if (ctx.threadpool != nullptr && n_ >= kMinParallel && chunks > 1) {
      Parallelize1D(ctx.threadpool, &RunChunkTask, this, chunks, 0);
    } else {
      for (size_t c = 0; c < chunks; ++c) RunChunk(static_cast<int64_t>(c));
    }
    return Status::Ok();
  }

  const char* path() const override {
    return layout_ == Layout::kAffine ? "fast (affine)" : "fast";
  }

 private:
  void SetParams();
  void SetAddSide(int32_t multiplier, int shift, bool negate, std::array<int32_t, 256>* table,
                  QuantArithSide* s);
  void SetLayout(const KernelContext& ctx);
  void TryAffine(const uint8_t* block);
  void RunChunk(int64_t c);
  void RunGeneral(const uint8_t* a, const uint8_t* b);
  static void RunChunkTask(void* self, size_t c) {
    static_cast<QuantizedArithKernel*>(self)->RunChunk(static_cast<int64_t>(c));
  }

  common::ArithOp op_;
  bool affine_only_;
  common::ArithParams p_;
  QuantArithParams ab_, ba_;  // x = input 1, y = input 2; and swapped
  std::array<int32_t, 256> table1_{}, table2_{};
  bool simd_form_ok_ = true;  // see quantized_arith.h, step 1
  QuantArithRowFns fns_{};
  Layout layout_ = Layout::kGeneral;
  bool block_is_a_ = false;  // kBlock: input 1 is the block (the sides swap)
  int64_t n_ = 0, block_ = 0, chunk_ = kChunk;
  std::vector<int32_t> y_values_;
  AffineParams affine_;
  std::vector<int32_t> coefs_;  // kAffine: FitAffine's pieces
  // Eval's pointers, for the chunk tasks.
  const uint8_t* x_ = nullptr;
  const uint8_t* y_ = nullptr;
  uint8_t* out_ = nullptr;
};

// Step 1's side values and the output stage.
void QuantizedArithKernel::SetParams() {
  const bool is_int8 = p_.type == DataType::kInt8;
  const bool add = op_ != common::ArithOp::kMul;
  QuantArithSide s1, s2;
  s1.offset = p_.in1_offset;
  s2.offset = p_.in2_offset;
  simd_form_ok_ = true;
  if (add) {
    SetAddSide(p_.in1_multiplier, p_.in1_shift, false, &table1_, &s1);
    SetAddSide(p_.in2_multiplier, p_.in2_shift, op_ == common::ArithOp::kSub, &table2_, &s2);
  }
  ab_.mode = add ? (is_int8 ? ArithMode::kAddInt8 : ArithMode::kAddUInt8)
                 : (is_int8 ? ArithMode::kMulInt8 : ArithMode::kMulUInt8);
  ab_.x = s1;
  ab_.y = s2;
  ab_.multiplier = p_.out_multiplier;
  ab_.shift = p_.out_shift;
  ab_.out_offset = p_.out_offset;
  ab_.act_min = p_.act_min;
  ab_.act_max = p_.act_max;
  ba_ = ab_;
  std::swap(ba_.x, ba_.y);
}

// An ADD/SUB input's table (the reference's first step for each byte) and its SIMD form,
// checked against the table (simd_form_ok_).
void QuantizedArithKernel::SetAddSide(int32_t multiplier, int shift, bool negate,
                                      std::array<int32_t, 256>* table, QuantArithSide* s) {
  constexpr int kShift = common::ArithParams::kLeftShift;
  const bool is_int8 = p_.type == DataType::kInt8;
  s->table = table->data();
  s->mh = multiplier >> 11;
  s->ml = multiplier & 2047;
  s->right = -shift;
  s->negate = negate;
  for (int byte = 0; byte < 256; ++byte) {
    const int32_t q = is_int8 ? static_cast<int8_t>(byte) : byte;
    const int32_t v =
        quant::MultiplyByQuantizedMultiplier((q + s->offset) * (1 << kShift), multiplier, shift);
    (*table)[static_cast<size_t>(byte)] = negate ? -v : v;
    if (shift > 0 || SideValueSimdForm(*s, q) != (*table)[static_cast<size_t>(byte)])
      simd_form_ok_ = false;
  }
}

// Step 2.
void QuantizedArithKernel::SetLayout(const KernelContext& ctx) {
  const std::vector<int32_t>& out = ctx.output(0)->dims;
  n_ = ctx.output(0)->NumElements();
  const int64_t na = ctx.input(0)->NumElements(), nb = ctx.input(1)->NumElements();
  layout_ = Layout::kGeneral;
  chunk_ = kChunk;
  if (n_ == 0) return;
  if (na == n_ && nb == n_) {
    layout_ = Layout::kSame;
    block_is_a_ = false;
    return;
  }
  for (bool a_is_block : {false, true}) {
    const Tensor& full = *ctx.input(a_is_block ? 1 : 0);
    const Tensor& block = *ctx.input(a_is_block ? 0 : 1);
    const int64_t m = TrailingBlock(block.dims, out);
    if (full.NumElements() != n_ || m == 0 || m > kMaxBlock) continue;
    layout_ = Layout::kBlock;
    block_is_a_ = a_is_block;
    block_ = m;
    y_values_.assign(static_cast<size_t>(m), 0);
    // Whole rows per chunk (a scalar is one flat row).
    if (m > 1) chunk_ = std::max<int64_t>(1, kChunk / m) * m;
    return;
  }
}

// A constant block: every element's output as a function of the other input's byte, fitted
// by affine pieces (quantized_arith.h); the layout stays kBlock when a channel has no fit.
void QuantizedArithKernel::TryAffine(const uint8_t* block) {
  const QuantArithParams& q = block_is_a_ ? ba_ : ab_;
  // The 256 bytes in value order (int8: -128 first).
  const bool is_signed = IsSigned(q.mode);
  std::array<uint8_t, 256> bytes{};
  for (size_t i = 0; i < bytes.size(); ++i)
    bytes[i] = static_cast<uint8_t>(is_signed ? i ^ 0x80 : i);
  // An element's outputs depend on its byte only: one fit per distinct byte of the block.
  std::array<int, 256> index{};
  index.fill(-1);
  std::vector<uint8_t> distinct;
  for (int64_t j = 0; j < block_; ++j) {
    if (index[block[j]] < 0) {
      index[block[j]] = static_cast<int>(distinct.size());
      distinct.push_back(block[j]);
    }
  }
  const auto k = static_cast<int64_t>(distinct.size());
  std::vector<uint8_t> exact(static_cast<size_t>(256 * k));
  std::vector<double> slope(static_cast<size_t>(k));
  // Output units per unit of the x input's value, from the real multipliers.
  const double out_scale = std::ldexp(static_cast<double>(q.multiplier), q.shift - 31);
  const double x_multiplier = static_cast<double>(q.x.mh) * 2048.0 + q.x.ml;
  const double x_scale =
      IsAdd(q.mode) ? (q.x.negate ? -1.0 : 1.0) * std::ldexp(x_multiplier, 20 - 31 - q.x.right)
                    : 1.0;
  for (int64_t j = 0; j < k; ++j) {
    const int32_t y = SideValue(q.mode, q.y, distinct[static_cast<size_t>(j)]);
    fns_.values(q, bytes.data(), &y, 0, exact.data() + 256 * j, 256);
    slope[static_cast<size_t>(j)] = x_scale * out_scale * (IsAdd(q.mode) ? 1.0 : y);
  }
  affine_.is_signed = is_signed;
  affine_.split = -q.x.offset;
  affine_.act_min = q.act_min;
  affine_.act_max = q.act_max;
  std::vector<int32_t> fitted;
  if (!FitAffine(exact.data(), bytes.data(), slope.data(), k, fns_.affine, &affine_, &fitted))
    return;
  // Per element, from its byte's fit (4 arrays of block_).
  coefs_.assign(static_cast<size_t>(4 * block_), 0);
  for (int64_t part = 0; part < 4; ++part)
    for (int64_t j = 0; j < block_; ++j)
      coefs_[static_cast<size_t>(part * block_ + j)] =
          fitted[static_cast<size_t>(part * k + index[block[j]])];
  layout_ = Layout::kAffine;
}

void QuantizedArithKernel::RunChunk(int64_t c) {
  const int64_t begin = c * chunk_, count = std::min(chunk_, n_ - begin);
  const QuantArithParams& q = block_is_a_ ? ba_ : ab_;
  if (layout_ == Layout::kAffine) {
    const int32_t* k = coefs_.data();
    const AffineCoefs coefs{k, k + block_, k + 2 * block_, k + 3 * block_,
                            block_ == 1 ? 0 : 1, block_ == 1 ? 0 : block_};
    fns_.affine(affine_, x_ + begin, coefs, out_ + begin, count);
  } else if (layout_ == Layout::kSame) {
    fns_.bytes(q, x_ + begin, y_ + begin, out_ + begin, count);
  } else if (block_ == 1) {
    fns_.values(q, x_ + begin, y_values_.data(), 0, out_ + begin, count);
  } else {
    for (int64_t r = begin; r < begin + count; r += block_)
      fns_.values(q, x_ + r, y_values_.data(), 1, out_ + r, block_);
  }
}

void QuantizedArithKernel::RunGeneral(const uint8_t* a, const uint8_t* b) {
  p_.broadcast.ForEachRow([&](int64_t o, int64_t ia, int64_t ib, int64_t n, int64_t sa,
                              int64_t sb) {
    if (sa == 1 && sb == 1) {
      fns_.bytes(ab_, a + ia, b + ib, out_ + o, n);
    } else if (sa == 1 || sb == 1) {  // one input fixed along the row
      const QuantArithParams& q = sa == 1 ? ab_ : ba_;
      const uint8_t* x = sa == 1 ? a + ia : b + ib;
      const int32_t y = SideValue(q.mode, q.y, sa == 1 ? b[ib] : a[ia]);
      fns_.values(q, x, &y, 0, out_ + o, n);
    } else {  // both fixed: one value
      const int32_t y = SideValue(ab_.mode, ab_.y, b[ib]);
      uint8_t v = 0;
      QuantArithValuesPortable(ab_, a + ia, &y, 0, &v, 1);
      std::memset(out_ + o, v, static_cast<size_t>(n));
    }
  });
}

}  // namespace

std::unique_ptr<Kernel> CreateFastQuantizedAdd() {
  return std::make_unique<QuantizedArithKernel>(common::ArithOp::kAdd, false);
}
std::unique_ptr<Kernel> CreateFastQuantizedSub() {
  return std::make_unique<QuantizedArithKernel>(common::ArithOp::kSub, false);
}
std::unique_ptr<Kernel> CreateFastQuantizedMul() {
  return std::make_unique<QuantizedArithKernel>(common::ArithOp::kMul, false);
}
std::unique_ptr<Kernel> CreateAffineQuantizedAdd() {
  return std::make_unique<QuantizedArithKernel>(common::ArithOp::kAdd, true);
}
std::unique_ptr<Kernel> CreateAffineQuantizedSub() {
  return std::make_unique<QuantizedArithKernel>(common::ArithOp::kSub, true);
}
std::unique_ptr<Kernel> CreateAffineQuantizedMul() {
  return std::make_unique<QuantizedArithKernel>(common::ArithOp::kMul, true);
}

}  // namespace labelite::xnn
