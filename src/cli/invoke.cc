// `labelite invoke MODEL --input FILE ... [--output-dir DIR] [--json]`: runs a model on raw
// input tensor bytes and prints (or writes) every output in the tensor's own type. This is
// the tool for checking labelite against other runtimes.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/command.h"
#include "base/quote.h"
#include "cli/exit_codes.h"
#include "cli/options.h"
#include "cli/output_files.h"
#include "kernels/registry.h"
#include "runtime/interpreter.h"

namespace labelite::cli {

namespace {

struct InvokeOptions {
  std::string model;
  std::vector<std::string> inputs;
  std::string output_dir;
  std::string dump_dir;
  bool json = false;
  RuntimeFlags runtime;
};

nlohmann::json TensorValues(const Tensor& t) {
  nlohmann::json values = nlohmann::json::array();
  const size_t n = static_cast<size_t>(t.NumElements());
  for (size_t i = 0; i < n; ++i) {
    switch (t.type) {
      case DataType::kFloat32: values.push_back(t.data_as<float>()[i]); break;
      case DataType::kUInt8: values.push_back(t.data_as<uint8_t>()[i]); break;
      case DataType::kInt8: values.push_back(t.data_as<int8_t>()[i]); break;
      case DataType::kInt16: values.push_back(t.data_as<int16_t>()[i]); break;
      case DataType::kInt32: values.push_back(t.data_as<int32_t>()[i]); break;
      case DataType::kInt64: values.push_back(t.data_as<int64_t>()[i]); break;
      case DataType::kBool: values.push_back(t.data_as<uint8_t>()[i] != 0); break;
      default: values.push_back(nullptr); break;
    }
  }
  return values;
}

std::string ShapeString(const std::vector<int32_t>& dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? "," : "") + std::to_string(dims[i]);
  return s + "]";
}

// Writes every non-constant tensor as DIR/tensor<index>.bin plus DIR/index.json describing them
// (name, dtype, shape, scale, zero point, the operator that wrote it), for layer-by-layer
// comparisons between kernel paths or runtimes.
Status DumpTensors(const Interpreter& it, const std::string& dir) {
  const SubgraphSpec& g = it.model().main_subgraph();
  std::vector<int> writer(g.tensors.size(), -1);
  for (size_t i = 0; i < g.operators.size(); ++i)
    for (int32_t t : g.operators[i].outputs) writer[static_cast<size_t>(t)] = static_cast<int>(i);
  nlohmann::json index = nlohmann::json::array();
  for (size_t t = 0; t < it.tensors().size(); ++t) {
    const Tensor& tensor = it.tensors()[t];
    if (tensor.is_constant || !tensor.data) continue;
    const std::string path = dir + "/tensor" + std::to_string(t) + ".bin";
    LABELITE_RETURN_IF_ERROR(
        ReplaceFile(path, std::string_view(reinterpret_cast<const char*>(tensor.data), tensor.bytes)));
    index.push_back({{"index", t}, {"name", std::string(tensor.name)},
                     {"dtype", std::string(DataTypeName(tensor.type))}, {"shape", tensor.dims},
                     {"scale", tensor.scale}, {"zero_point", tensor.zero_point},
                     {"operator", writer[t]},
                     {"op", writer[t] < 0 ? std::string("input") : g.operators[static_cast<size_t>(writer[t])].name},
                     {"path", it.KernelPathOf(writer[t])}});
  }
  return ReplaceFile(dir + "/index.json", index.dump(1) + "\n");
}

// The files --output-dir and --dump-dir would write must not be the model or an input. Output
// and dump file names are fixed (output<i>.bin, tensor<i>.bin, index.json): checking the names
// of every file already in those folders covers any number of outputs and tensors.
Status CheckOutputDirs(const InvokeOptions& o) {
  std::vector<ReadFile> reads = {{o.model, "the model"}};
  for (const std::string& in : o.inputs) reads.push_back({in, "an --input file"});
  for (const std::string& dir : {o.output_dir, o.dump_dir}) {
    if (dir.empty()) continue;
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec))
      return Status(StatusCode::kNotFound, dir + ": no such directory", ErrorOrigin::kUsage);
    for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
      const std::string name = e.path().filename().string();
      const bool ours = name == "index.json" || ((name.rfind("output", 0) == 0 || name.rfind("tensor", 0) == 0) &&
                                                 name.ends_with(".bin"));
      if (ours) LABELITE_RETURN_IF_ERROR(CheckOutputPath(e.path().string(), reads));
    }
  }
  return Status::Ok();
}

int RunInvoke(const InvokeOptions& o) {
  if (Status s = CheckOutputDirs(o); !s.ok()) return ReportError(s);
  auto model = Model::FromFile(o.model);
  if (!model.ok()) return ReportModelFileError(model.status());
  InterpreterOptions options = o.runtime.ToInterpreterOptions();
  options.preserve_intermediates = !o.dump_dir.empty();
  auto interp = Interpreter::Create(*model, BuiltinOpResolver(), options);
  if (!interp.ok()) return ReportError(interp.status(), ErrorOrigin::kModel);
  Interpreter& it = **interp;
  if (static_cast<int>(o.inputs.size()) != it.num_inputs()) {
    return ReportError(InvalidArgument(o.model + ": model has " + std::to_string(it.num_inputs()) +
                                       " input(s), " + std::to_string(o.inputs.size()) + " --input given"),
                       ErrorOrigin::kUsage);
  }
  for (int i = 0; i < it.num_inputs(); ++i) {
    const std::string& path = o.inputs[static_cast<size_t>(i)];
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in) return ReportError(InvalidArgument(path + ": cannot read input file"), ErrorOrigin::kInput);
    const auto size = static_cast<size_t>(in.tellg());
    Tensor* t = it.input(i);
    if (size != t->bytes) {
      return ReportError(InvalidArgument(
          path + ": " + std::to_string(size) + " bytes, but input " + std::to_string(i) + " (" +
          QuoteForMessage(t->name) + ", " + std::string(DataTypeName(t->type)) + " " +
          ShapeString(t->dims) + ") takes " + std::to_string(t->bytes) + " bytes"), ErrorOrigin::kInput);
    }
    in.seekg(0);
    in.read(reinterpret_cast<char*>(t->data), static_cast<std::streamsize>(size));
  }
  Status s = it.Invoke();
  if (!s.ok()) return ReportError(s, ErrorOrigin::kModel);
  if (!o.dump_dir.empty()) {
    s = DumpTensors(it, o.dump_dir);
    if (!s.ok()) return ReportError(s, ErrorOrigin::kUsage);
  }

  if (!o.output_dir.empty()) {
    for (int i = 0; i < it.num_outputs(); ++i) {
      const Tensor* t = it.output(i);
      const std::string path = o.output_dir + "/output" + std::to_string(i) + ".bin";
      if (Status w = ReplaceFile(path, std::string_view(reinterpret_cast<const char*>(t->data), t->bytes)); !w.ok())
        return ReportError(w);
      std::printf("%s: %s %s (%zu bytes)\n", path.c_str(), std::string(DataTypeName(t->type)).c_str(),
                  ShapeString(t->dims).c_str(), t->bytes);
    }
    return kExitOk;
  }
  if (o.json) {
    nlohmann::json outputs = nlohmann::json::array();
    for (int i = 0; i < it.num_outputs(); ++i) {
      const Tensor* t = it.output(i);
      outputs.push_back({{"name", std::string(t->name)},
                         {"dtype", std::string(DataTypeName(t->type))},
                         {"shape", t->dims},
                         {"values", TensorValues(*t)}});
    }
    std::printf("%s\n", nlohmann::json{{"outputs", outputs}}.dump().c_str());
    return kExitOk;
  }
  for (int i = 0; i < it.num_outputs(); ++i) {
    const Tensor* t = it.output(i);
    std::printf("output %d '%s': %s %s\n", i, std::string(t->name).c_str(),
                std::string(DataTypeName(t->type)).c_str(), ShapeString(t->dims).c_str());
    std::printf("%s\n", TensorValues(*t).dump().c_str());
  }
  return kExitOk;
}

}  // namespace

void AddInvokeCommand(CLI::App& app, int* exit_code) {
  auto o = std::make_shared<InvokeOptions>();
  CLI::App* cmd = app.add_subcommand("invoke", "Run a model on raw input tensor bytes and print its outputs");
  cmd->add_option("model", o->model, "The .tflite model")->required();
  cmd->add_option("--input", o->inputs, "Raw bytes of one input tensor (repeat per input, in order)")->required();
  cmd->add_option("--output-dir", o->output_dir, "Write each output as raw bytes to DIR/output<i>.bin");
  cmd->add_option("--dump-dir", o->dump_dir,
                  "Also write every intermediate tensor to DIR (tensor<i>.bin + index.json)");
  cmd->add_flag("--json", o->json, "Print {\"outputs\":[{name,dtype,shape,values}]}");
  o->runtime.AddTo(cmd);
  cmd->callback([o, exit_code] { *exit_code = RunInvoke(*o); });
}

}  // namespace labelite::cli
