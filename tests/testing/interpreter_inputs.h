// Test-only helpers around an Interpreter:
//   CopyInputs: copies one byte vector into each input tensor, failing the current test (and
//     returning false) when a size differs;
//   RunSingleOp: builds an Interpreter for a one-operator model with one resolver entry, runs it
//     once on `inputs` and returns output 0's bytes and dims and operator 0's kernel path
//     (failures are test failures; the result is then empty);
//   RunGraph: runs a whole model once on the fast path with `resolver`; every output's bytes
//     (concatenated) and every operator's kernel path;
//   FastKernelOverride: the builtin resolver with one operator's fast-path kernel replaced (a
//     fast kernel against the one it stands in for, on whole graphs);
//   SupportedIsaLevels / IsaLevelGuard: the ISA levels of labelite's own kernels this CPU runs
//     (kXnnpack first), and a guard that restores the detected level when a test ends.
#ifndef LABELITE_TESTS_TESTING_INTERPRETER_INPUTS_H_
#define LABELITE_TESTS_TESTING_INTERPRETER_INPUTS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "kernels/fast/isa.h"
#include "runtime/interpreter.h"
#include "runtime/op_resolver.h"

namespace labelite::testing {

bool CopyInputs(Interpreter& interpreter, const std::vector<std::vector<uint8_t>>& inputs);

struct SingleOpRun {
  std::vector<uint8_t> bytes;
  std::vector<int32_t> dims;
  std::string path;
};
SingleOpRun RunSingleOp(const std::vector<uint8_t>& model_bytes, const KernelRegistration& op,
                        KernelPath path, int threads,
                        const std::vector<std::vector<uint8_t>>& inputs);

struct GraphRun {
  std::vector<uint8_t> out;
  std::vector<std::string> paths;
};
GraphRun RunGraph(std::shared_ptr<const Model> model, const OpResolver& resolver, int threads,
                  const std::vector<std::vector<uint8_t>>& inputs);

class FastKernelOverride : public OpResolver {
 public:
  FastKernelOverride(int32_t code, KernelFactory fast);
  const KernelRegistration* Find(int32_t code) const override;

 private:
  int32_t code_;
  KernelRegistration registration_;
};

std::vector<xnn::IsaLevel> SupportedIsaLevels();

struct IsaLevelGuard {
  ~IsaLevelGuard() { xnn::SetIsaLimit(xnn::DetectedIsa()); }
};

}  // namespace labelite::testing

#endif  // LABELITE_TESTS_TESTING_INTERPRETER_INPUTS_H_
