#include "testing/interpreter_inputs.h"

#include <gtest/gtest.h>

#include <cstring>

#include "kernels/registry.h"
#include "model/model.h"

namespace labelite::testing {

bool CopyInputs(Interpreter& interpreter, const std::vector<std::vector<uint8_t>>& inputs) {
  for (size_t i = 0; i < inputs.size(); ++i) {
    Tensor* t = interpreter.input(static_cast<int>(i));
    EXPECT_EQ(t->bytes, inputs[i].size()) << "input " << i;
    if (t->bytes != inputs[i].size()) return false;
    if (!inputs[i].empty()) std::memcpy(t->data, inputs[i].data(), inputs[i].size());
  }
  return true;
}

SingleOpRun RunSingleOp(const std::vector<uint8_t>& model_bytes, const KernelRegistration& op,
                        KernelPath path, int threads,
                        const std::vector<std::vector<uint8_t>>& inputs) {
  SingleOpRun r;
  auto model = Model::FromBytes(model_bytes, "single-op");
  EXPECT_TRUE(model.ok()) << model.status().message();
  if (!model.ok()) return r;
  ListOpResolver resolver({op});
  auto it = Interpreter::Create(*model, resolver, {path, threads});
  EXPECT_TRUE(it.ok()) << it.status().message();
  if (!it.ok()) return r;
  if (!CopyInputs(**it, inputs)) return r;
  const Status s = (*it)->Invoke();
  EXPECT_TRUE(s.ok()) << s.message();
  if (!s.ok()) return r;
  const Tensor& out = *(*it)->output(0);
  if (out.bytes > 0) r.bytes.assign(out.data, out.data + out.bytes);
  r.dims = out.dims;
  r.path = (*it)->KernelPathOf(0);
  return r;
}

FastKernelOverride::FastKernelOverride(int32_t code, KernelFactory fast)
    : code_(code), registration_(*BuiltinOpResolver().Find(code)) {
  registration_.xnnpack = fast;
}

const KernelRegistration* FastKernelOverride::Find(int32_t code) const {
  return code == code_ ? &registration_ : BuiltinOpResolver().Find(code);
}

GraphRun RunGraph(std::shared_ptr<const Model> model, const OpResolver& resolver, int threads,
                  const std::vector<std::vector<uint8_t>>& inputs) {
  GraphRun r;
  auto it = Interpreter::Create(model, resolver, {KernelPath::kFast, threads});
  EXPECT_TRUE(it.ok()) << it.status().message();
  if (!it.ok()) return r;
  if (!CopyInputs(**it, inputs)) return r;
  const Status s = (*it)->Invoke();
  EXPECT_TRUE(s.ok()) << s.message();
  for (size_t i = 0; i < model->main_subgraph().outputs.size(); ++i) {  // all, concatenated
    const Tensor& out = *(*it)->output(static_cast<int>(i));
    r.out.insert(r.out.end(), out.data, out.data + out.bytes);
  }
  for (size_t i = 0; i < model->main_subgraph().operators.size(); ++i)
    r.paths.emplace_back((*it)->KernelPathOf(static_cast<int>(i)));
  return r;
}

std::vector<xnn::IsaLevel> SupportedIsaLevels() {
  std::vector<xnn::IsaLevel> levels;
  for (xnn::IsaLevel l : {xnn::IsaLevel::kXnnpack, xnn::IsaLevel::kAvx2, xnn::IsaLevel::kAvx512})
    if (l <= xnn::DetectedIsa()) levels.push_back(l);
  return levels;
}

}  // namespace labelite::testing
