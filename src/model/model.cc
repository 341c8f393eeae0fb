// Model::FromFile / FromBytes: map, verify, validate, convert. See model.h.
//
// Steps of ModelLoader::Load:
//   1. Check the size and the "TFL3" identifier (clear messages for JPEGs, empty files, ...).
//   2. Run the flatbuffers Verifier over the flatbuffer part (at most the first 2 GiB: larger
//      files keep their buffers outside, addressed by Buffer.offset/size).
//   3. Check what the verifier cannot: schema version, buffer ranges, operator codes,
//      every tensor (type, shape, byte size, quantization, buffer size), every index.
//   4. Convert into the plain structs of model.h; constant data stay spans into the mapping.
//   5. Parse TFLITE_METADATA and list the appended zip (a broken zip only means "no files").
#include "model/model.h"
#include "base/quote.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <utility>

#include "model/embedded_zip.h"
#include "model/op_options.h"
#include "schema/tflite_schema_generated.h"

namespace labelite {

namespace {

using FbVectorInt = flatbuffers::Vector<int32_t>;

std::string Str(const flatbuffers::String* s) { return s ? s->str() : std::string(); }

std::string Quoted(const std::string& name) { return QuoteForMessage(name); }

// Printable rendering of the 4 identifier bytes.
std::string IdentifierText(const uint8_t* p) {
  std::string out;
  for (int i = 0; i < 4; ++i) {
    char c = static_cast<char>(p[4 + i]);
    if (c >= 32 && c < 127) {
      out += c;
    } else {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02x", p[4 + i]);
      out += buf;
    }
  }
  return out;
}

std::string OpName(int32_t code) {
  auto op = static_cast<tflite::BuiltinOperator>(code);
  if (code >= 0 && code <= static_cast<int32_t>(tflite::BuiltinOperator::MAX)) {
    const char* name = tflite::EnumNameBuiltinOperator(op);
    if (name && *name) return name;
  }
  return "BUILTIN_" + std::to_string(code);
}

}  // namespace

// Fills a Model from its bytes; every failure is a Status without the path (added by Load).
class ModelLoader {
 public:
  ModelLoader(Model* model, const tflite::Model* fb) : m_(model), fb_(fb) {}

  static Result<std::shared_ptr<const Model>> Load(std::unique_ptr<Model> model);

  Status Run();

 private:
  Status ReadBuffers();
  Status ReadOperatorCodes();
  Status ReadSubgraph(const tflite::SubGraph& g, size_t index, SubgraphSpec* out);
  Status ReadTensor(const tflite::Tensor& t, TensorSpec* out);
  Status ReadQuantization(const tflite::QuantizationParameters* q, TensorSpec* out);
  Status ReadOperator(const tflite::Operator& op, size_t num_tensors, OperatorSpec* out);
  Status ReadMetadata();
  Status ReadSignatures();
  void ReadEmbeddedZip();

  Model* m_;
  const tflite::Model* fb_;
  std::vector<std::span<const uint8_t>> buffers_;
  struct Code {
    int32_t builtin_code;
    int32_t version;
    std::string name;
    std::string custom_code;
  };
  std::vector<Code> codes_;
};

Status ModelLoader::ReadBuffers() {
  const auto* buffers = fb_->buffers();
  if (!buffers) return Status::Ok();
  const uint64_t file_size = m_->bytes_.size();
  buffers_.reserve(buffers->size());
  for (flatbuffers::uoffset_t i = 0; i < buffers->size(); ++i) {
    const tflite::Buffer* b = buffers->Get(i);
    if (b->data() && b->data()->size() > 0) {
      buffers_.emplace_back(b->data()->data(), b->data()->size());
    } else if (b->offset() > 1) {
      // Stored outside the flatbuffer (models over 2 GiB): offset/size within the file.
      uint64_t offset = b->offset(), size = b->size();
      if (offset > file_size || size > file_size - offset)
        return InvalidModel("buffer " + std::to_string(i) + " spans bytes [" +
                            std::to_string(offset) + ", " + std::to_string(offset) + "+" +
                            std::to_string(size) + ") outside the " + std::to_string(file_size) +
                            "-byte file");
      buffers_.emplace_back(m_->bytes_.data() + offset, static_cast<size_t>(size));
    } else {
      buffers_.emplace_back();
    }
  }
  return Status::Ok();
}

Status ModelLoader::ReadOperatorCodes() {
  const auto* codes = fb_->operator_codes();
  if (!codes) return Status::Ok();
  for (flatbuffers::uoffset_t i = 0; i < codes->size(); ++i) {
    const tflite::OperatorCode* c = codes->Get(i);
    // Old files only set deprecated_builtin_code; new ones set both (deprecated = min(code,127)).
    int32_t code = std::max<int32_t>(c->deprecated_builtin_code(),
                                     static_cast<int32_t>(c->builtin_code()));
    std::string where = "operator code " + std::to_string(i);
    if (code < 0) return InvalidModel(where + " has negative builtin code " + std::to_string(code));
    if (c->version() < 1)
      return InvalidModel(where + " (" + OpName(code) + ") has version " +
                          std::to_string(c->version()) + ", expected >= 1");
    Code out{code, c->version(), OpName(code), Str(c->custom_code())};
    if (code == static_cast<int32_t>(tflite::BuiltinOperator::CUSTOM)) {
      if (out.custom_code.empty()) return InvalidModel(where + " is CUSTOM without a custom_code");
      out.name = out.custom_code;
    }
    codes_.push_back(std::move(out));
  }
  return Status::Ok();
}

Status ModelLoader::ReadQuantization(const tflite::QuantizationParameters* q, TensorSpec* out) {
  // As TFLite: quantized only when both scale and zero_point are present.
  if (!q || !q->scale() || !q->zero_point() || q->scale()->size() == 0) return Status::Ok();
  size_t n = q->scale()->size();
  if (q->zero_point()->size() != n)
    return InvalidModel("has " + std::to_string(n) + " quantization scales but " +
                        std::to_string(q->zero_point()->size()) + " zero points");
  int32_t dim = q->quantized_dimension();
  if (n > 1) {
    if (dim < 0 || static_cast<size_t>(dim) >= out->shape.size())
      return InvalidModel("has quantized_dimension " + std::to_string(dim) + " outside its rank " +
                          std::to_string(out->shape.size()));
    if (static_cast<size_t>(out->shape[dim]) != n)
      return InvalidModel("has " + std::to_string(n) + " per-channel scales but dimension " +
                          std::to_string(dim) + " is " + std::to_string(out->shape[dim]));
  }
  out->quantization.scale.assign(q->scale()->begin(), q->scale()->end());
  // The verifier only guarantees 4-byte alignment of vector elements; int64 zero points in a
  // hostile file may be misaligned, so copy their bytes instead of loading them.
  out->quantization.zero_point.resize(n);
  std::memcpy(out->quantization.zero_point.data(), q->zero_point()->Data(), n * sizeof(int64_t));
  out->quantization.quantized_dimension = dim;
  // A zero point is a value of the tensor's type: kernels multiply it by sums of many values in
  // 32-bit arithmetic, as TFLite does, so one outside the type's range is refused here.
  int64_t lo = 0, hi = -1;
  switch (out->type) {
    case DataType::kUInt8: lo = 0; hi = 255; break;
    case DataType::kInt8: lo = -128; hi = 127; break;
    case DataType::kInt16: lo = -32768; hi = 32767; break;
    default: break;
  }
  for (int64_t zp : out->quantization.zero_point) {
    if (lo <= hi && (zp < lo || zp > hi))
      return InvalidModel("has zero point " + std::to_string(zp) + " outside its type's range [" +
                          std::to_string(lo) + ", " + std::to_string(hi) + "]");
  }
  return Status::Ok();
}

Status ModelLoader::ReadTensor(const tflite::Tensor& t, TensorSpec* out) {
  out->name = Str(t.name());
  int type = static_cast<int>(t.type());
  if (type < 0 || type > static_cast<int>(tflite::TensorType::MAX))
    return InvalidModel("has unknown type " + std::to_string(type));
  if (type > static_cast<int>(DataType::kFloat64))
    return Unsupported(std::string("has type ") + tflite::EnumNameTensorType(t.type()) +
                       ", which labelite does not support");
  out->type = static_cast<DataType>(type);
  const FbVectorInt* shape = t.shape();
  const ModelLimits& limits = m_->limits_;
  if (shape && shape->size() > limits.max_rank)
    return InvalidModel("has rank " + std::to_string(shape->size()) + ", over the limit of " +
                        std::to_string(limits.max_rank));
  uint64_t elements = 1;
  if (shape) {
    for (int32_t d : *shape) {
      if (d < 0) return InvalidModel("has negative dimension " + std::to_string(d));
      out->shape.push_back(d);
      // elements <= max_tensor_elements (< 2^32) and d < 2^31: the product fits in 64 bits.
      elements *= static_cast<uint64_t>(d);
      if (elements > limits.max_tensor_elements)
        return InvalidModel("has more than " + std::to_string(limits.max_tensor_elements) +
                            " elements");
    }
  }
  if (const FbVectorInt* sig = t.shape_signature()) {
    if (sig->size() != 0 && sig->size() != out->shape.size())
      return InvalidModel("has a shape_signature of rank " + std::to_string(sig->size()) +
                          " but rank " + std::to_string(out->shape.size()));
    for (int32_t d : *sig) {
      if (d < -1) return InvalidModel("has shape_signature dimension " + std::to_string(d));
      out->shape_signature.push_back(d);
    }
  }
  uint64_t bytes = elements * DataTypeSize(out->type);
  if (bytes > limits.max_tensor_bytes)
    return InvalidModel("has " + std::to_string(bytes) + " bytes, over the limit of " +
                        std::to_string(limits.max_tensor_bytes));
  out->byte_size = static_cast<size_t>(bytes);
  out->is_variable = t.is_variable();
  out->is_sparse = t.sparsity() != nullptr;
  LABELITE_RETURN_IF_ERROR(ReadQuantization(t.quantization(), out));

  uint32_t buffer = t.buffer();
  if (buffer != 0 || !buffers_.empty()) {
    if (buffer >= buffers_.size())
      return InvalidModel("refers to buffer " + std::to_string(buffer) + " of " +
                          std::to_string(buffers_.size()));
  }
  out->buffer = static_cast<int32_t>(buffer);
  if (buffer < buffers_.size() && !buffers_[buffer].empty()) {
    std::span<const uint8_t> data = buffers_[buffer];
    if (out->type == DataType::kString) {
      out->byte_size = data.size();
    } else if (!out->is_sparse && data.size() != out->byte_size) {
      return InvalidModel("has " + std::to_string(out->byte_size) + " bytes but its buffer " +
                          std::to_string(buffer) + " has " + std::to_string(data.size()));
    }
    out->data = data;
  }
  return Status::Ok();
}

Status ModelLoader::ReadOperator(const tflite::Operator& op, size_t num_tensors,
                                 OperatorSpec* out) {
  if (op.opcode_index() >= codes_.size())
    return InvalidModel("has opcode_index " + std::to_string(op.opcode_index()) + " of " +
                        std::to_string(codes_.size()) + " operator codes");
  const Code& code = codes_[op.opcode_index()];
  out->builtin_code = code.builtin_code;
  out->name = code.name;
  out->custom_code = code.custom_code;
  out->version = code.version;
  auto read_indices = [&](const FbVectorInt* v, const char* what, bool optional,
                          std::vector<int32_t>* dst) -> Status {
    if (!v) return Status::Ok();
    for (int32_t i : *v) {
      bool ok = (i >= 0 && static_cast<size_t>(i) < num_tensors) || (optional && i == -1);
      if (!ok)
        return InvalidModel(out->name + ": " + what + " tensor index " + std::to_string(i) +
                            " outside [0, " + std::to_string(num_tensors) + ")");
      dst->push_back(i);
    }
    return Status::Ok();
  };
  LABELITE_RETURN_IF_ERROR(read_indices(op.inputs(), "input", true, &out->inputs));
  LABELITE_RETURN_IF_ERROR(read_indices(op.outputs(), "output", false, &out->outputs));
  LABELITE_RETURN_IF_ERROR(
      read_indices(op.intermediates(), "intermediate", false, &out->intermediates));
  Status s = ConvertBuiltinOptions(op, code.builtin_code, &out->options);
  if (!s.ok()) return s.WithPrefix(out->name);
  return Status::Ok();
}

Status ModelLoader::ReadSubgraph(const tflite::SubGraph& g, size_t index, SubgraphSpec* out) {
  out->name = Str(g.name());
  const std::string where = "subgraph " + std::to_string(index);
  if (const auto* tensors = g.tensors()) {
    out->tensors.resize(tensors->size());
    for (flatbuffers::uoffset_t i = 0; i < tensors->size(); ++i) {
      Status s = ReadTensor(*tensors->Get(i), &out->tensors[i]);
      if (!s.ok())
        return Status(s.code(), where + ": tensor " + std::to_string(i) + " " +
                                    Quoted(out->tensors[i].name) + " " + s.message());
    }
  }
  const size_t n = out->tensors.size();
  auto read_io = [&](const FbVectorInt* v, const char* what, std::vector<int32_t>* dst) {
    if (!v) return Status::Ok();
    for (int32_t i : *v) {
      if (i < 0 || static_cast<size_t>(i) >= n)
        return InvalidModel(where + ": " + what + " tensor index " + std::to_string(i) +
                            " outside [0, " + std::to_string(n) + ")");
      dst->push_back(i);
    }
    return Status::Ok();
  };
  LABELITE_RETURN_IF_ERROR(read_io(g.inputs(), "input", &out->inputs));
  LABELITE_RETURN_IF_ERROR(read_io(g.outputs(), "output", &out->outputs));
  if (const auto* ops = g.operators()) {
    out->operators.resize(ops->size());
    for (flatbuffers::uoffset_t i = 0; i < ops->size(); ++i) {
      Status s = ReadOperator(*ops->Get(i), n, &out->operators[i]);
      if (!s.ok())
        return Status(s.code(), where + ": operator " + std::to_string(i) + ": " + s.message());
    }
  }
  return Status::Ok();
}

Status ModelLoader::ReadMetadata() {
  const auto* entries = fb_->metadata();
  if (!entries) return Status::Ok();
  for (flatbuffers::uoffset_t i = 0; i < entries->size(); ++i) {
    const tflite::Metadata* e = entries->Get(i);
    std::string name = Str(e->name());
    if (e->buffer() >= buffers_.size())
      return InvalidModel("metadata " + Quoted(name) + " refers to buffer " +
                          std::to_string(e->buffer()) + " of " + std::to_string(buffers_.size()));
    m_->metadata_entry_names_.push_back(name);
    if (name == "TFLITE_METADATA" && !m_->metadata_) {
      m_->metadata_buffer_ = buffers_[e->buffer()];
      LABELITE_ASSIGN_OR_RETURN(ModelMetadata md, ParseModelMetadata(m_->metadata_buffer_));
      m_->metadata_ = std::move(md);
    }
  }
  return Status::Ok();
}

Status ModelLoader::ReadSignatures() {
  const auto* defs = fb_->signature_defs();
  if (!defs) return Status::Ok();
  for (flatbuffers::uoffset_t i = 0; i < defs->size(); ++i) {
    const tflite::SignatureDef* d = defs->Get(i);
    SignatureSpec sig;
    sig.key = Str(d->signature_key());
    if (d->subgraph_index() >= m_->subgraphs_.size())
      return InvalidModel("signature " + Quoted(sig.key) + " refers to subgraph " +
                          std::to_string(d->subgraph_index()) + " of " +
                          std::to_string(m_->subgraphs_.size()));
    sig.subgraph_index = static_cast<int32_t>(d->subgraph_index());
    const size_t num_tensors = m_->subgraphs_[d->subgraph_index()].tensors.size();
    auto read = [&](const auto* maps, std::vector<SignatureSpec::Binding>* out) -> Status {
      if (!maps) return Status::Ok();
      for (flatbuffers::uoffset_t j = 0; j < maps->size(); ++j) {
        const tflite::TensorMap* m = maps->Get(j);
        if (m->tensor_index() >= num_tensors)
          return InvalidModel("signature " + Quoted(sig.key) + ": " + Quoted(Str(m->name())) +
                              " refers to tensor " + std::to_string(m->tensor_index()) + " of " +
                              std::to_string(num_tensors));
        out->push_back({Str(m->name()), static_cast<int32_t>(m->tensor_index())});
      }
      return Status::Ok();
    };
    LABELITE_RETURN_IF_ERROR(read(d->inputs(), &sig.inputs));
    LABELITE_RETURN_IF_ERROR(read(d->outputs(), &sig.outputs));
    m_->signatures_.push_back(std::move(sig));
  }
  return Status::Ok();
}

void ModelLoader::ReadEmbeddedZip() {
  // minizip finds the end-of-central-directory record from the end of the file and accounts
  // for the flatbuffer before the archive, so it reads the whole file.
  auto files = ListZipEntries(m_->bytes_);
  if (!files.ok()) {  // no or unreadable archive: the model has no files, unless it was cut short
    if (!m_->metadata_) return;
    std::vector<std::string> names;
    auto add = [&](const std::vector<AssociatedFileInfo>& list) {
      for (const AssociatedFileInfo& f : list) names.push_back(f.name);
    };
    add(m_->metadata_->associated_files);
    for (const auto& t : m_->metadata_->inputs) add(t.associated_files);
    for (const auto& t : m_->metadata_->outputs) add(t.associated_files);
    if (!names.empty()) m_->zip_problem_ = DescribeTruncatedZip(m_->bytes_, names);
    return;
  }
  m_->embedded_files_ = std::move(files).value();
  m_->zip_bytes_ = m_->bytes_;
}

Status ModelLoader::Run() {
  if (fb_->version() != 3)
    return InvalidModel("schema version " + std::to_string(fb_->version()) +
                        " is not supported (expected 3)");
  m_->schema_version_ = fb_->version();
  m_->description_ = Str(fb_->description());
  if (!fb_->subgraphs() || fb_->subgraphs()->size() == 0)
    return InvalidModel("the model has no subgraphs");
  LABELITE_RETURN_IF_ERROR(ReadBuffers());
  LABELITE_RETURN_IF_ERROR(ReadOperatorCodes());
  const auto* subgraphs = fb_->subgraphs();
  m_->subgraphs_.resize(subgraphs->size());
  for (flatbuffers::uoffset_t i = 0; i < subgraphs->size(); ++i)
    LABELITE_RETURN_IF_ERROR(ReadSubgraph(*subgraphs->Get(i), i, &m_->subgraphs_[i]));
  LABELITE_RETURN_IF_ERROR(ReadMetadata());
  LABELITE_RETURN_IF_ERROR(ReadSignatures());
  ReadEmbeddedZip();
  return Status::Ok();
}

Result<std::shared_ptr<const Model>> ModelLoader::Load(std::unique_ptr<Model> model) {
  const std::string& path = model->path_;
  std::span<const uint8_t> bytes = model->bytes_;
  if (bytes.empty()) return InvalidModel(path + ": the file is empty");
  if (bytes.size() < 8)
    return InvalidModel(path + ": " + std::to_string(bytes.size()) +
                        " bytes is too small for a TFLite model");
  if (!flatbuffers::BufferHasIdentifier(bytes.data(), tflite::ModelIdentifier()))
    return InvalidModel(path + ": not a TFLite model (file identifier '" +
                        IdentifierText(bytes.data()) + "', expected 'TFL3')");
  // The flatbuffer itself is < 2 GiB; larger files keep buffer data after it.
  size_t fb_size = std::min<size_t>(bytes.size(), FLATBUFFERS_MAX_BUFFER_SIZE - 1);
  flatbuffers::Verifier::Options opts;
  opts.max_depth = 64;
  opts.max_tables = 1000000;
  flatbuffers::Verifier verifier(bytes.data(), fb_size, opts);
  if (!tflite::VerifyModelBuffer(verifier))
    return InvalidModel(path + ": the flatbuffer is corrupt or truncated (verification failed)");
  ModelLoader loader(model.get(), tflite::GetModel(bytes.data()));
  Status s = loader.Run();
  if (!s.ok()) return s.WithPrefix(path);
  return std::shared_ptr<const Model>(std::move(model));
}

Result<std::shared_ptr<const Model>> Model::FromFile(const std::string& path,
                                                     const ModelLimits& limits) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    std::string msg = path + ": " + std::strerror(err);
    return err == ENOENT ? NotFound(msg) : IoError(msg);
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return IoError(path + ": " + std::strerror(err));
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd);
    return IoError(path + ": is a directory, not a model file");
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return IoError(path + ": not a regular file");
  }
  std::unique_ptr<Model> model(new Model());
  model->path_ = path;
  model->limits_ = limits;
  size_t size = static_cast<size_t>(st.st_size);
  if (size > 0) {
    void* addr = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
    int err = errno;
    ::close(fd);
    if (addr == MAP_FAILED) return IoError(path + ": cannot map the file: " + std::strerror(err));
    model->mapping_ = std::shared_ptr<void>(addr, [size](void* p) { ::munmap(p, size); });
    model->mapped_ = true;
    model->bytes_ = std::span<const uint8_t>(static_cast<const uint8_t*>(addr), size);
  } else {
    ::close(fd);
  }
  return ModelLoader::Load(std::move(model));
}

// MADV_DONTNEED on a read-only shared file mapping drops the pages from this process only;
// the next read faults them in again from the page cache or the file. (On heap memory it
// would zero them, hence mapped_.)
void Model::ReleasePages(const void* data, size_t size) const {
  if (!mapped_ || size == 0) return;
  const auto begin = reinterpret_cast<uintptr_t>(data);
  const auto file_begin = reinterpret_cast<uintptr_t>(bytes_.data());
  if (begin < file_begin || size > bytes_.size() || begin - file_begin > bytes_.size() - size)
    return;
  static const uintptr_t page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
  const uintptr_t first = (begin + page - 1) / page * page;  // whole pages inside the range
  const uintptr_t last = (begin + size) / page * page;
  if (first < last) ::madvise(reinterpret_cast<void*>(first), last - first, MADV_DONTNEED);
}

Result<std::shared_ptr<const Model>> Model::FromBytes(std::span<const uint8_t> bytes,
                                                      std::string display_name,
                                                      const ModelLimits& limits) {
  std::unique_ptr<Model> model(new Model());
  model->path_ = std::move(display_name);
  model->limits_ = limits;
  if (!bytes.empty()) {
    // new[] returns storage aligned for any scalar (16 bytes), as the verifier expects.
    std::shared_ptr<uint8_t[]> copy(new uint8_t[bytes.size()]);
    std::memcpy(copy.get(), bytes.data(), bytes.size());
    model->bytes_ = std::span<const uint8_t>(copy.get(), bytes.size());
    model->mapping_ = std::shared_ptr<void>(copy, copy.get());
  }
  return ModelLoader::Load(std::move(model));
}

Model::~Model() = default;

Result<std::string> Model::ReadEmbeddedFile(const std::string& name) const {
  if (zip_bytes_.empty() && !zip_problem_.empty())  // the model file itself is damaged
    return InvalidModel(path_ + ": " + zip_problem_).WithOrigin(ErrorOrigin::kModel);
  // A file the model should hold but does not, or holds damaged, is a problem of the model file
  // (exit 3), even when the file is its labels.
  if (zip_bytes_.empty())
    return NotFound(path_ + ": no embedded file " + QuoteForMessage(name) + " (no zip)").WithOrigin(ErrorOrigin::kModel);
  auto r = ReadZipEntry(zip_bytes_, name, limits_.max_embedded_file_bytes);
  if (!r.ok()) return r.status().WithPrefix(path_).WithOrigin(ErrorOrigin::kModel);
  return r;
}

}  // namespace labelite
