#include "testing/xnn_conv.h"

#include <gtest/gtest.h>
#include <xnnpack.h>

#include <algorithm>
#include <memory>

#include "kernels/xnnpack/quantized_conv_op.h"

namespace labelite::testing {
namespace {

struct OpDeleter {
  void operator()(xnn_operator_t op) const { xnn_delete_operator(op); }
};

}  // namespace

std::vector<uint8_t> RunXnnpackConv(ConvKind kind, const xnn::FastConvSpec& s, size_t batch,
                                    const std::vector<uint8_t>& input) {
  xnn_operator_t op = nullptr;
  xnn_status st = xnn::CreateQuantizedConv(s, kind, &op);
  EXPECT_EQ(st, xnn_status_success);
  if (st != xnn_status_success) return {};
  std::unique_ptr<xnn_operator, OpDeleter> owner(op);
  std::vector<uint8_t> out(batch * s.out_h * s.out_w * s.cout);
  // XNNPACK's kernels may read up to XNN_EXTRA_BYTES past the input's end (xnnpack.h): a copy
  // with that slack, so the oracle never reads past a heap block (a SEGV at a page boundary).
  std::vector<uint8_t> padded(input.size() + XNN_EXTRA_BYTES);
  std::copy(input.begin(), input.end(), padded.begin());
  st = xnn::SetupQuantizedConv(op, kind, batch, s.in_h, s.in_w, padded.data(), out.data(), nullptr);
  EXPECT_EQ(st, xnn_status_success);
  EXPECT_EQ(xnn_run_operator(op, nullptr), xnn_status_success);
  return out;
}

}  // namespace labelite::testing
