// Model: a verified, immutable view of a .tflite file.
//
// Purpose: the one place that reads TFLite flatbuffers. Model::FromFile memory-maps the file,
// runs the flatbuffers Verifier, checks every index/offset/shape with overflow-safe arithmetic,
// and converts the graph once into the plain structs below. After this header no code sees a
// flatbuffers type. Constant tensor data are spans into the mapping (never copied), including
// buffers stored outside the flatbuffer (Buffer.offset/size).
//
// Ownership and lifetime: a Model owns its mapping; every span it hands out lives as long as the
// Model. Models are immutable: share them as std::shared_ptr<const Model> between any number of
// interpreters and threads.
//
//   LABELITE_ASSIGN_OR_RETURN(auto model, Model::FromFile("mobilenet.tflite"));
//   const SubgraphSpec& g = model->main_subgraph();
//   for (int t : g.inputs) printf("%s\n", g.tensors[t].name.c_str());
#ifndef LABELITE_MODEL_MODEL_H_
#define LABELITE_MODEL_MODEL_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "labelite/status.h"
#include "labelite/types.h"
#include "model/metadata.h"

namespace labelite {

struct QuantizationParams {
  std::vector<float> scale;         // one per tensor, or one per channel
  std::vector<int64_t> zero_point;  // same length as scale
  int32_t quantized_dimension = 0;  // the channel axis when per-channel
  bool empty() const { return scale.empty(); }
  bool per_channel() const { return scale.size() > 1; }
};

struct TensorSpec {
  std::string name;
  DataType type = DataType::kFloat32;
  std::vector<int32_t> shape;            // validated: every dim >= 0
  std::vector<int32_t> shape_signature;  // -1 marks a dynamic dim (batch); may be empty
  QuantizationParams quantization;
  int32_t buffer = 0;                    // index into the model's buffers (0 = none)
  bool is_variable = false;
  bool is_sparse = false;                // labelite does not run sparse tensors
  std::span<const uint8_t> data;         // constant data in the mapping; empty for activations
  size_t byte_size = 0;                  // product(shape) * element size (checked, no overflow)
  bool is_constant() const { return !data.empty(); }
};

enum class Padding : int8_t { kSame = 0, kValid = 1 };
// Values equal TFLite's ActivationFunctionType.
enum class Activation : int8_t {
  kNone = 0, kRelu = 1, kReluN1To1 = 2, kRelu6 = 3, kTanh = 4, kSignBit = 5,
};

// The builtin options of every op labelite runs, flattened into one plain struct.
// Fields an op does not use keep their defaults (which equal TFLite's schema defaults).
struct OpOptions {
  Padding padding = Padding::kSame;
  int32_t stride_w = 1, stride_h = 1;
  int32_t dilation_w = 1, dilation_h = 1;
  int32_t filter_w = 1, filter_h = 1;          // AVERAGE/MAX_POOL_2D
  int32_t depth_multiplier = 1;                // DEPTHWISE_CONV_2D (0 in some old files)
  Activation activation = Activation::kNone;   // fused activation
  bool keep_num_dims = false;                  // FULLY_CONNECTED
  int8_t weights_format = 0;                   // FULLY_CONNECTED (0 = DEFAULT)
  bool asymmetric_quantize_inputs = false;     // FULLY_CONNECTED, CONV_2D, LSTM
  bool keep_dims = false;                      // MEAN (ReducerOptions)
  float beta = 1.0f;                           // SOFTMAX
  int32_t axis = 0;                            // CONCATENATION
  float alpha = 0.0f;                          // LEAKY_RELU
  bool has_new_shape = false;                  // RESHAPE: options carried new_shape
  std::vector<int32_t> new_shape;              // RESHAPE
  std::vector<int32_t> squeeze_dims;           // SQUEEZE
  int32_t begin_mask = 0, end_mask = 0, ellipsis_mask = 0, new_axis_mask = 0,
          shrink_axis_mask = 0;                // STRIDED_SLICE
  bool offset = false;                         // STRIDED_SLICE
  bool align_corners = false;                  // RESIZE_BILINEAR / NEAREST_NEIGHBOR
  bool half_pixel_centers = false;             // RESIZE_BILINEAR / NEAREST_NEIGHBOR
  bool pot_scale_int16 = true;                 // ADD / SUB
  float cell_clip = 0.0f, proj_clip = 0.0f;    // UNIDIRECTIONAL_SEQUENCE_LSTM
  bool time_major = false;                     // UNIDIRECTIONAL_SEQUENCE_LSTM
  int32_t batch_dims = 0;                      // GATHER (axis: `axis`)
  int32_t num_splits = 0;                      // SPLIT, SPLIT_V
  int32_t block_size = 0;                      // SPACE_TO_DEPTH, DEPTH_TO_SPACE
  int32_t values_count = 0;                    // PACK (axis: `axis`)
  int32_t num = 0;                             // UNPACK (axis: `axis`)
  bool adj_x = false, adj_y = false;           // BATCH_MATMUL
  bool approximate = false;                    // GELU
  DataType output_type = DataType::kInt64;     // ARG_MAX, ARG_MIN, SHAPE
};

struct OperatorSpec {
  int32_t builtin_code = 0;        // TFLite BuiltinOperator value (max of deprecated/new field)
  std::string name;                // "CONV_2D", or the custom op's name for CUSTOM
  std::string custom_code;         // non-empty for CUSTOM ops
  int32_t version = 1;
  std::vector<int32_t> inputs;     // tensor indices; -1 = optional input absent
  std::vector<int32_t> outputs;
  std::vector<int32_t> intermediates;
  OpOptions options;
};

struct SubgraphSpec {
  std::string name;
  std::vector<TensorSpec> tensors;
  std::vector<OperatorSpec> operators;  // in execution order
  std::vector<int32_t> inputs;
  std::vector<int32_t> outputs;
};

// One SignatureDef: named entry points into a subgraph (TF's serving signatures).
struct SignatureSpec {
  std::string key;                 // "serving_default"
  int32_t subgraph_index = 0;
  struct Binding {
    std::string name;              // the signature's argument / result name ("x")
    int32_t tensor_index = 0;      // validated against the subgraph's tensors
  };
  std::vector<Binding> inputs;
  std::vector<Binding> outputs;
};

// One file of the zip archive appended after the flatbuffer.
struct EmbeddedFile {
  std::string name;
  uint64_t size = 0;  // uncompressed
};

struct ModelLimits {
  uint64_t max_embedded_file_bytes = 64u << 20;  // ReadEmbeddedFile refuses larger entries
  uint64_t max_tensor_elements = 1ull << 31;     // refuse tensors with more elements
  uint64_t max_tensor_bytes = 1ull << 31;        // refuse tensors with more bytes (2 GiB)
  uint32_t max_rank = 16;                        // refuse tensors with more dimensions
};

class Model {
 public:
  // Maps and validates a file. Errors name the file: "<path>: <problem>".
  static Result<std::shared_ptr<const Model>> FromFile(const std::string& path,
                                                       const ModelLimits& limits = {});
  // Validates a copy of `bytes` (for uploads and tests). `display_name` prefixes errors.
  static Result<std::shared_ptr<const Model>> FromBytes(std::span<const uint8_t> bytes,
                                                        std::string display_name = "<memory>",
                                                        const ModelLimits& limits = {});
  ~Model();
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  const std::string& path() const { return path_; }     // or display name
  std::span<const uint8_t> bytes() const { return bytes_; }  // whole file
  uint32_t schema_version() const { return schema_version_; }
  const std::string& description() const { return description_; }
  const std::vector<SubgraphSpec>& subgraphs() const { return subgraphs_; }
  const SubgraphSpec& main_subgraph() const { return subgraphs_[0]; }
  const std::vector<SignatureSpec>& signatures() const { return signatures_; }
  // Parsed TFLITE_METADATA, if the model has it.
  const std::optional<ModelMetadata>& metadata() const { return metadata_; }
  // Names of Model.metadata entries (e.g. "min_runtime_version", "TFLITE_METADATA").
  const std::vector<std::string>& metadata_entry_names() const { return metadata_entry_names_; }
  // The raw TFLITE_METADATA flatbuffer bytes (empty when absent).
  std::span<const uint8_t> metadata_buffer() const { return metadata_buffer_; }

  // Files of the appended zip archive (empty when there is none).
  const std::vector<EmbeddedFile>& embedded_files() const { return embedded_files_; }
  // "" unless the metadata names files and the appended zip is cut short: then what is
  // missing ("truncated: the file is N bytes, but its embedded zip ... needs at least M").
  const std::string& embedded_zip_problem() const { return zip_problem_; }
  // Reads one embedded file by name, refusing entries over limits.max_embedded_file_bytes.
  Result<std::string> ReadEmbeddedFile(const std::string& name) const;

  // A hint that bytes [data, data + size) of a memory-mapped file will not be read soon (for
  // example weights a kernel has copied into its own packed layout): their whole pages leave
  // the process's resident memory and come back from the file if read again. The bytes stay
  // valid and unchanged. No effect for models made FromBytes or ranges outside the file.
  void ReleasePages(const void* data, size_t size) const;

 private:
  Model() = default;
  friend class ModelLoader;  // model.cc fills the fields below

  std::string path_;
  std::shared_ptr<void> mapping_;  // owns the bytes (mmap or heap copy)
  bool mapped_ = false;            // mapping_ is a read-only file mapping
  std::span<const uint8_t> bytes_;
  ModelLimits limits_;
  uint32_t schema_version_ = 0;
  std::string description_;
  std::vector<SubgraphSpec> subgraphs_;
  std::vector<SignatureSpec> signatures_;
  std::optional<ModelMetadata> metadata_;
  std::vector<std::string> metadata_entry_names_;
  std::span<const uint8_t> metadata_buffer_;
  std::vector<EmbeddedFile> embedded_files_;
  std::span<const uint8_t> zip_bytes_;  // the appended archive, if any
  std::string zip_problem_;
};

}  // namespace labelite

#endif  // LABELITE_MODEL_MODEL_H_
