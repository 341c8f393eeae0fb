#include "kernels/x86/avx512/conv1x1_vnni.h"

#include <pthreadpool.h>

#include <algorithm>

#include "runtime/work_pool.h"

namespace labelite::xnn {
namespace {

constexpr size_t kMinRowsPerPart = 24;  // smaller row ranges waste most of a tile
constexpr size_t kMinRowsPerSmallPart = 12;  // when the column blocks are too few to share

struct RunContext {
  const VnniGemm* gemm;
  const uint8_t* input;
  uint8_t* output;
  size_t pixels, row_parts, column_groups;
};

// Task (i, j): row range i of row_parts, column-block range j of column_groups.
void RunTask(void* context, size_t i, size_t j) {
  const auto* rc = static_cast<const RunContext*>(context);
  const VnniGemm& g = *rc->gemm;
  const size_t begin = i * rc->pixels / rc->row_parts;
  const size_t end = (i + 1) * rc->pixels / rc->row_parts;
  VnniGemm::Rows rows;
  rows.a = rc->input + begin * g.k();
  rows.a_stride = g.k();
  rows.rows = end - begin;
  rows.c = rc->output + begin * g.n();
  rows.c_stride = g.n();
  g.Run(rows, j * g.blocks() / rc->column_groups, (j + 1) * g.blocks() / rc->column_groups);
}

// The same task with the grid transposed: pthreadpool hands each thread a contiguous range of
// the first index, so this order gives each thread a contiguous range of column blocks.
void RunTaskByColumns(void* context, size_t j, size_t i) { RunTask(context, i, j); }

}  // namespace

// Threads split the rows when the input outweighs the weights (more pixels than output
// channels): up to 4 row ranges per thread, whole multiples of the thread count, at least
// kMinRowsPerPart rows each. Otherwise (the 7x7 and 14x14 layers that widen to many channels,
// the logits) they split the column blocks, so that each thread streams only its share of the
// packed weights; a few row ranges per block keep the threads' shares even.
void Conv1x1Vnni::RunPixels(const void* input, void* output, size_t pixels,
                            pthreadpool_t pool) const {
  const size_t threads = ParallelThreads(pool);
  RunContext rc{
      &gemm_, static_cast<const uint8_t*>(input), static_cast<uint8_t*>(output), pixels, 1, 1};
  if (threads <= 1) {
    RunTask(&rc, 0, 0);
    return;
  }
  if (pixels >= gemm_.n() || gemm_.blocks() == 1) {
    rc.row_parts = std::min(4 * threads, std::max<size_t>(1, pixels / kMinRowsPerPart));
    if (rc.row_parts >= threads) rc.row_parts -= rc.row_parts % threads;
    if (rc.row_parts * rc.column_groups == 1) {
      RunTask(&rc, 0, 0);
      return;
    }
    Parallelize2D(pool, &RunTask, &rc, rc.row_parts, rc.column_groups, 0);
    return;
  }
  rc.column_groups = gemm_.blocks();
  rc.row_parts = std::clamp<size_t>(pixels / kMinRowsPerPart, 1, threads);
  // Few column blocks (MobileNet v2's 7x7x960 -> 160: 64 + 64 + 32 columns): at least 4 tasks
  // per thread, or the thread left with the wide blocks finishes last (1.66x on 2 threads).
  const size_t want = (4 * threads + rc.column_groups - 1) / rc.column_groups;
  rc.row_parts = std::max(rc.row_parts, std::min(want, pixels / kMinRowsPerSmallPart));
  Parallelize2D(pool, &RunTaskByColumns, &rc, rc.column_groups, rc.row_parts, 0);
}

std::unique_ptr<FastConv> MakeConv1x1Vnni(const FastConvSpec& s) {
  if (s.depthwise || s.kernel_h != 1 || s.kernel_w != 1 || s.stride_h != 1 || s.stride_w != 1 ||
      s.pad_top != 0 || s.pad_left != 0 || s.pad_bottom != 0 || s.pad_right != 0 ||
      s.in_h != s.out_h || s.in_w != s.out_w || !VnniGemm::Supported())
    return nullptr;
  auto conv = std::make_unique<Conv1x1Vnni>();
  if (!conv->Pack(s.quant, s.cin, s.cout, s.weights, s.bias)) return nullptr;
  conv->pixels_per_image_ = s.in_h * s.in_w;
  return conv;
}

}  // namespace labelite::xnn
