// EmbedMetadata: new TFLITE_METADATA + appended zip in front of / after the unchanged graph.
// The steps are listed in metadata_writer.h.
#include "model/metadata_writer.h"
#include "base/quote.h"

#include <zip.h>

#include <algorithm>
#include <cstring>
#include <set>
#include <span>
#include <utility>

#include "schema/metadata_schema_generated.h"
#include "schema/tflite_schema_generated.h"

namespace labelite {

namespace {

constexpr char kMetadataEntryName[] = "TFLITE_METADATA";
constexpr size_t kAlignment = 16;  // Buffer.data is force_align: 16
constexpr int kModelFields = 8;    // fields of tflite.Model (our schema lists them all)

// ---- unknown-field detection -----------------------------------------------------------------

// True when the table sets a field whose id is >= `known_fields`, i.e. a field our schema subset
// does not declare (the object API would drop it).
bool SetsUnknownFields(const void* table, int known_fields) {
  if (!table) return false;
  const auto* t = static_cast<const flatbuffers::Table*>(table);
  const uint8_t* vtable = t->GetVTable();
  auto vtable_size = flatbuffers::ReadScalar<flatbuffers::voffset_t>(vtable);
  for (size_t id = static_cast<size_t>(known_fields);
       4 + 2 * id + 2 <= vtable_size; ++id) {
    if (flatbuffers::ReadScalar<flatbuffers::voffset_t>(vtable + 4 + 2 * id) != 0) return true;
  }
  return false;
}

Status Lossy(const std::string& where) {
  return Unsupported("TFLITE_METADATA: " + where +
                     " sets fields labelite's metadata schema does not carry; rewriting the "
                     "metadata would drop them, so the model is left as it is");
}

template <typename T>
Status CheckFiles(const flatbuffers::Vector<flatbuffers::Offset<T>>* files,
                  const std::string& where) {
  if (!files) return Status::Ok();
  for (const T* f : *files)
    if (SetsUnknownFields(f, 5)) return Lossy(where + " associated file");
  return Status::Ok();
}

Status CheckUnits(const flatbuffers::Vector<flatbuffers::Offset<tflite::ProcessUnit>>* units,
                  const std::string& where) {
  if (!units) return Status::Ok();
  using tflite::ProcessUnitOptions;
  for (const tflite::ProcessUnit* u : *units) {
    const void* options = u->options();
    int known = 0;
    switch (u->options_type()) {
      case ProcessUnitOptions::NONE: break;
      case ProcessUnitOptions::NormalizationOptions: known = 2; break;
      case ProcessUnitOptions::ScoreCalibrationOptions: known = 2; break;
      case ProcessUnitOptions::ScoreThresholdingOptions: known = 1; break;
      case ProcessUnitOptions::BertTokenizerOptions:
      case ProcessUnitOptions::SentencePieceTokenizerOptions:
      case ProcessUnitOptions::RegexTokenizerOptions: known = 0; break;
      default: return Lossy(where + " process unit of an unknown kind");
    }
    if (SetsUnknownFields(u, 2) || SetsUnknownFields(options, known))
      return Lossy(where + " process unit");
  }
  return Status::Ok();
}

Status CheckTensor(const tflite::TensorMetadata* t, const std::string& where) {
  if (SetsUnknownFields(t, 7)) return Lossy(where);
  if (const tflite::Content* c = t->content()) {
    using tflite::ContentProperties;
    int known = 0;
    switch (c->content_properties_type()) {
      case ContentProperties::NONE:
      case ContentProperties::FeatureProperties:
      case ContentProperties::BoundingBoxProperties:
      case ContentProperties::AudioProperties: known = 0; break;
      case ContentProperties::ImageProperties: known = 2; break;
      default: return Lossy(where + " content of an unknown kind");
    }
    if (SetsUnknownFields(c, 3) || SetsUnknownFields(c->content_properties(), known) ||
        SetsUnknownFields(c->range(), 2))
      return Lossy(where + " content");
    if (auto* image = c->content_properties_as_ImageProperties())
      if (SetsUnknownFields(image->default_size(), 2)) return Lossy(where + " image size");
  }
  if (SetsUnknownFields(t->stats(), 2)) return Lossy(where + " stats");
  LABELITE_RETURN_IF_ERROR(CheckUnits(t->process_units(), where));
  return CheckFiles(t->associated_files(), where);
}

// Refuses metadata whose object-API round trip through our schema subset would lose data.
Status CheckMetadataRoundTrips(const tflite::ModelMetadata* m) {
  if (SetsUnknownFields(m, 8)) return Lossy("ModelMetadata");
  LABELITE_RETURN_IF_ERROR(CheckFiles(m->associated_files(), "model"));
  if (!m->subgraph_metadata()) return Status::Ok();
  for (const tflite::SubGraphMetadata* g : *m->subgraph_metadata()) {
    if (SetsUnknownFields(g, 7)) return Lossy("SubGraphMetadata (tensor groups, custom metadata)");
    LABELITE_RETURN_IF_ERROR(CheckFiles(g->associated_files(), "subgraph"));
    LABELITE_RETURN_IF_ERROR(CheckUnits(g->input_process_units(), "subgraph input"));
    LABELITE_RETURN_IF_ERROR(CheckUnits(g->output_process_units(), "subgraph output"));
    for (auto* list : {g->input_tensor_metadata(), g->output_tensor_metadata()}) {
      if (!list) continue;
      for (const tflite::TensorMetadata* t : *list)
        LABELITE_RETURN_IF_ERROR(CheckTensor(t, "tensor metadata " +
                                                    QuoteForMessage(t->name() ? t->name()->str() : "")));
    }
  }
  return Status::Ok();
}

// ---- the metadata flatbuffer -----------------------------------------------------------------

Result<tflite::ModelMetadataT> UnpackMetadata(std::span<const uint8_t> bytes) {
  if (bytes.empty()) return tflite::ModelMetadataT{};
  std::vector<uint8_t> copy(bytes.begin(), bytes.end());  // aligned for the verifier
  flatbuffers::Verifier verifier(copy.data(), copy.size());
  if (!flatbuffers::BufferHasIdentifier(copy.data(), tflite::ModelMetadataIdentifier()) ||
      !tflite::VerifyModelMetadataBuffer(verifier))
    return InvalidModel("TFLITE_METADATA buffer is not a valid metadata flatbuffer");
  const tflite::ModelMetadata* m = tflite::GetModelMetadata(copy.data());
  LABELITE_RETURN_IF_ERROR(CheckMetadataRoundTrips(m));
  tflite::ModelMetadataT out;
  m->UnPackTo(&out);
  return out;
}

std::unique_ptr<tflite::TensorMetadataT> NewTensorMetadata(const TensorSpec& tensor,
                                                           bool is_image) {
  auto t = std::make_unique<tflite::TensorMetadataT>();
  t->name = tensor.name;
  t->content = std::make_unique<tflite::ContentT>();
  if (is_image) {
    tflite::ImagePropertiesT image;
    image.color_space = tflite::ColorSpaceType::RGB;
    t->content->content_properties.Set(std::move(image));
  } else {
    t->content->content_properties.Set(tflite::FeaturePropertiesT{});
  }
  return t;
}

// Gives subgraph 0 one TensorMetadata per input and output when it has none.
tflite::SubGraphMetadataT* MainSubgraph(const SubgraphSpec& g, tflite::ModelMetadataT* md) {
  if (md->subgraph_metadata.empty())
    md->subgraph_metadata.push_back(std::make_unique<tflite::SubGraphMetadataT>());
  tflite::SubGraphMetadataT* sg = md->subgraph_metadata[0].get();
  if (sg->input_tensor_metadata.empty()) {
    for (size_t i = 0; i < g.inputs.size(); ++i)
      sg->input_tensor_metadata.push_back(
          NewTensorMetadata(g.tensors[static_cast<size_t>(g.inputs[i])], i == 0));
  }
  if (sg->output_tensor_metadata.empty()) {
    for (int32_t t : g.outputs)
      sg->output_tensor_metadata.push_back(
          NewTensorMetadata(g.tensors[static_cast<size_t>(t)], false));
  }
  return sg;
}

void SetNormalization(const NormalizationInfo& n, tflite::TensorMetadataT* input) {
  tflite::NormalizationOptionsT options;
  options.mean = n.mean;
  options.std = n.std;
  for (auto& unit : input->process_units) {
    if (unit->options.type == tflite::ProcessUnitOptions::NormalizationOptions) {
      unit->options.Set(std::move(options));
      return;
    }
  }
  // Normalization is the first step of image preprocessing: put it first.
  auto unit = std::make_unique<tflite::ProcessUnitT>();
  unit->options.Set(std::move(options));
  input->process_units.insert(input->process_units.begin(), std::move(unit));
}

using FileList = std::vector<std::unique_ptr<tflite::AssociatedFileT>>;

bool IsDefaultLabels(const tflite::AssociatedFileT& f) {
  return f.type == tflite::AssociatedFileType::TENSOR_AXIS_LABELS && f.locale.empty();
}

// Removes the first locale-less TENSOR_AXIS_LABELS entry of `files` and returns it.
std::unique_ptr<tflite::AssociatedFileT> TakeDefaultLabels(FileList* files) {
  for (auto it = files->begin(); it != files->end(); ++it) {
    if (IsDefaultLabels(**it)) {
      auto f = std::move(*it);
      files->erase(it);
      return f;
    }
  }
  return nullptr;
}

void CollectNames(const FileList& files, std::set<std::string>* names) {
  for (const auto& f : files) names->insert(f->name);
}

// Every file name the metadata refers to, at any level.
std::set<std::string> ReferencedNames(const tflite::ModelMetadataT& md) {
  std::set<std::string> names;
  CollectNames(md.associated_files, &names);
  for (const auto& g : md.subgraph_metadata) {
    CollectNames(g->associated_files, &names);
    for (const auto* list : {&g->input_tensor_metadata, &g->output_tensor_metadata})
      for (const auto& t : *list) CollectNames(t->associated_files, &names);
  }
  return names;
}

// Points output 0 at a TENSOR_AXIS_LABELS file and returns that file's name in the zip:
//   1. output 0 already names one (no locale): that file is replaced;
//   2. the model or subgraph level names one: it moves to output 0 (where TFLite Support's
//      classifiers look) and is replaced;
//   3. otherwise edit.labels_file_name is added; a zip file of that name that the metadata does
//      not refer to (a stale label file) is replaced, a referenced one gets a free name.
std::string SetLabelsFile(const MetadataEdit& edit, tflite::ModelMetadataT* md) {
  tflite::SubGraphMetadataT* sg = md->subgraph_metadata[0].get();
  tflite::TensorMetadataT* output = sg->output_tensor_metadata[0].get();
  for (const auto& f : output->associated_files)
    if (IsDefaultLabels(*f)) return f->name;
  std::unique_ptr<tflite::AssociatedFileT> file = TakeDefaultLabels(&md->associated_files);
  if (!file) file = TakeDefaultLabels(&sg->associated_files);
  if (!file) {
    std::set<std::string> referenced = ReferencedNames(*md);
    std::string name = edit.labels_file_name;
    for (int i = 1; referenced.count(name); ++i) {
      size_t dot = edit.labels_file_name.rfind('.');
      name = edit.labels_file_name.substr(0, dot) + "_" + std::to_string(i) +
             (dot == std::string::npos ? "" : edit.labels_file_name.substr(dot));
    }
    file = std::make_unique<tflite::AssociatedFileT>();
    file->name = name;
    file->description = edit.labels_description;
    file->type = tflite::AssociatedFileType::TENSOR_AXIS_LABELS;
  }
  std::string name = file->name;
  output->associated_files.push_back(std::move(file));
  return name;
}

struct NewMetadata {
  std::vector<uint8_t> flatbuffer;
  std::string labels_name;  // "" when the labels are kept
};

Result<NewMetadata> BuildMetadata(const Model& model, const MetadataEdit& edit) {
  LABELITE_ASSIGN_OR_RETURN(tflite::ModelMetadataT md, UnpackMetadata(model.metadata_buffer()));
  tflite::SubGraphMetadataT* sg = MainSubgraph(model.main_subgraph(), &md);
  NewMetadata out;
  if (edit.normalization) {
    if (sg->input_tensor_metadata.empty())
      return InvalidArgument("the model has no input to normalize");
    SetNormalization(*edit.normalization, sg->input_tensor_metadata[0].get());
  }
  if (!edit.labels_text.empty()) {
    if (sg->output_tensor_metadata.empty())
      return InvalidArgument("the model has no output to label");
    out.labels_name = SetLabelsFile(edit, &md);
  }
  // Every field written here exists since metadata version 1.0.0.
  if (md.min_parser_version.empty()) md.min_parser_version = "1.0.0";
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(tflite::ModelMetadata::Pack(fbb, &md), tflite::ModelMetadataIdentifier());
  out.flatbuffer.assign(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
  return out;
}

// ---- the model flatbuffer --------------------------------------------------------------------

uint16_t Le16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | p[1] << 8); }
uint32_t Le32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
         static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24;
}

// Where the appended zip archive starts (its first local header), or bytes.size() when that
// cannot be told (then the old archive is kept inside the copy; harmless, only larger).
size_t ZipStart(std::span<const uint8_t> b) {
  if (b.size() < 22) return b.size();
  size_t lowest = b.size() > 22 + 0xFFFF ? b.size() - 22 - 0xFFFF : 0;
  for (size_t e = b.size() - 22 + 1; e-- > lowest;) {
    if (Le32(&b[e]) != 0x06054b50) continue;  // end of central directory
    uint32_t entries = Le16(&b[e + 10]), cd_size = Le32(&b[e + 12]), cd_offset = Le32(&b[e + 16]);
    if (cd_size > e || cd_offset > e - cd_size) return b.size();
    size_t cd_start = e - cd_size;
    size_t shift = cd_start - cd_offset;  // > 0 when offsets count from the archive's start
    uint64_t first = cd_offset;
    size_t p = cd_start;
    for (uint32_t i = 0; i < entries; ++i) {
      if (p + 46 > e || Le32(&b[p]) != 0x02014b50) return b.size();
      first = std::min<uint64_t>(first, Le32(&b[p + 42]));
      p += 46u + Le16(&b[p + 28]) + Le16(&b[p + 30]) + Le16(&b[p + 32]);
    }
    uint64_t start = shift + first;
    if (start + 4 > b.size() || Le32(&b[start]) != 0x04034b50) return b.size();
    return static_cast<size_t>(start);
  }
  return b.size();
}

// The old flatbuffer's bytes: the file up to its zip, verified again on its own.
Result<std::span<const uint8_t>> OldFlatbuffer(const Model& model) {
  std::span<const uint8_t> all = model.bytes();
  std::span<const uint8_t> fb = all.first(ZipStart(all));
  if (fb.size() != all.size()) {
    flatbuffers::Verifier v(fb.data(), fb.size());
    if (!tflite::VerifyModelBuffer(v)) fb = all;  // the zip was not only after the flatbuffer
  }
  if (fb.size() + (64u << 20) >= FLATBUFFERS_MAX_BUFFER_SIZE)
    return Unsupported("the model is too large to rewrite (" + std::to_string(fb.size()) +
                       " bytes)");
  return fb;
}

Status CheckModelRewritable(const tflite::Model* m) {
  if (SetsUnknownFields(m, kModelFields))
    return Unsupported("the model sets Model fields labelite's schema does not know; rewriting "
                       "it would drop them");
  if (m->buffers()) {
    for (flatbuffers::uoffset_t i = 0; i < m->buffers()->size(); ++i) {
      if (m->buffers()->Get(i)->offset() > 1)
        return Unsupported("buffer " + std::to_string(i) +
                           " is stored outside the flatbuffer (Buffer.offset/size, a model over "
                           "2 GB); labelite cannot embed metadata into such models");
    }
  }
  return Status::Ok();
}

template <typename T>
flatbuffers::Offset<T> OldRef(size_t pushed_size, const uint8_t* base, const void* object) {
  return flatbuffers::Offset<T>(static_cast<flatbuffers::uoffset_t>(
      pushed_size - static_cast<size_t>(static_cast<const uint8_t*>(object) - base)));
}

// Steps 1-3 of metadata_writer.h: the new flatbuffer with `metadata` as TFLITE_METADATA.
Result<std::vector<uint8_t>> BuildModel(std::span<const uint8_t> old,
                                        const std::vector<uint8_t>& metadata) {
  const tflite::Model* m = tflite::GetModel(old.data());
  LABELITE_RETURN_IF_ERROR(CheckModelRewritable(m));
  flatbuffers::FlatBufferBuilder fbb(old.size() + metadata.size() + 1024);
  std::vector<uint8_t> pad((kAlignment - old.size() % kAlignment) % kAlignment, 0);
  fbb.PushBytes(pad.data(), pad.size());
  fbb.PushBytes(old.data(), old.size());
  const size_t pushed = fbb.GetSize();
  using flatbuffers::Offset;
  using flatbuffers::Vector;

  fbb.ForceVectorAlignment(metadata.size(), 1, kAlignment);
  auto data = fbb.CreateVector(metadata);
  auto new_buffer = tflite::CreateBuffer(fbb, data);
  std::vector<Offset<tflite::Buffer>> buffers;
  if (m->buffers())
    for (const tflite::Buffer* b : *m->buffers()) buffers.push_back(OldRef<tflite::Buffer>(pushed, old.data(), b));
  if (buffers.empty()) buffers.push_back(tflite::CreateBuffer(fbb));  // buffer 0 is empty
  std::vector<Offset<tflite::Metadata>> entries;
  int replaced = -1;
  if (m->metadata()) {
    for (const tflite::Metadata* e : *m->metadata()) {
      if (replaced < 0 && e->name() && e->name()->str() == kMetadataEntryName &&
          e->buffer() != 0 && e->buffer() < buffers.size()) {
        replaced = static_cast<int>(e->buffer());
        buffers[e->buffer()] = new_buffer;
        entries.push_back(Offset<tflite::Metadata>(0));  // filled below
      } else {
        entries.push_back(OldRef<tflite::Metadata>(pushed, old.data(), e));
      }
    }
  }
  uint32_t index = replaced >= 0 ? static_cast<uint32_t>(replaced)
                                 : static_cast<uint32_t>(buffers.size());
  if (replaced < 0) buffers.push_back(new_buffer);
  auto entry = tflite::CreateMetadata(fbb, fbb.CreateString(kMetadataEntryName), index);
  bool filled = false;
  for (auto& e : entries)
    if (e.o == 0) { e = entry; filled = true; }
  if (!filled) entries.push_back(entry);
  auto buffers_vec = fbb.CreateVector(buffers);
  auto entries_vec = fbb.CreateVector(entries);

  tflite::ModelBuilder mb(fbb);
  mb.add_version(m->version());
  if (m->operator_codes())
    mb.add_operator_codes(OldRef<Vector<Offset<tflite::OperatorCode>>>(pushed, old.data(),
                                                                       m->operator_codes()));
  if (m->subgraphs())
    mb.add_subgraphs(OldRef<Vector<Offset<tflite::SubGraph>>>(pushed, old.data(), m->subgraphs()));
  if (m->description())
    mb.add_description(OldRef<flatbuffers::String>(pushed, old.data(), m->description()));
  mb.add_buffers(buffers_vec);
  if (m->metadata_buffer())
    mb.add_metadata_buffer(OldRef<Vector<int32_t>>(pushed, old.data(), m->metadata_buffer()));
  mb.add_metadata(entries_vec);
  if (m->signature_defs())
    mb.add_signature_defs(OldRef<Vector<Offset<tflite::SignatureDef>>>(pushed, old.data(),
                                                                       m->signature_defs()));
  fbb.Finish(mb.Finish(), tflite::ModelIdentifier());
  if ((fbb.GetSize() - pushed) % kAlignment != 0)
    return Internal("rewritten model lost the 16-byte alignment of its buffers");
  return std::vector<uint8_t>(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
}

// ---- the zip archive (step 4) ----------------------------------------------------------------

// A growable in-memory file for minizip; it starts as the flatbuffer the zip goes after.
struct GrowingFile {
  std::vector<uint8_t>* bytes;
  uint64_t pos = 0;
};

voidpf ZCALLBACK GrowOpen(voidpf opaque, const void*, int) { return opaque; }

uLong ZCALLBACK GrowRead(voidpf, voidpf stream, void* buf, uLong size) {
  auto* f = static_cast<GrowingFile*>(stream);
  if (f->pos >= f->bytes->size()) return 0;
  uint64_t n = std::min<uint64_t>(size, f->bytes->size() - f->pos);
  std::memcpy(buf, f->bytes->data() + f->pos, n);
  f->pos += n;
  return static_cast<uLong>(n);
}

uLong ZCALLBACK GrowWrite(voidpf, voidpf stream, const void* buf, uLong size) {
  auto* f = static_cast<GrowingFile*>(stream);
  if (f->pos + size > f->bytes->size()) f->bytes->resize(f->pos + size);
  std::memcpy(f->bytes->data() + f->pos, buf, size);
  f->pos += size;
  return size;
}

ZPOS64_T ZCALLBACK GrowTell(voidpf, voidpf stream) {
  return static_cast<GrowingFile*>(stream)->pos;
}

long ZCALLBACK GrowSeek(voidpf, voidpf stream, ZPOS64_T offset, int origin) {
  auto* f = static_cast<GrowingFile*>(stream);
  uint64_t base = origin == ZLIB_FILEFUNC_SEEK_SET   ? 0
                  : origin == ZLIB_FILEFUNC_SEEK_CUR ? f->pos
                                                     : f->bytes->size();
  if (base + offset > f->bytes->size()) return -1;
  f->pos = base + offset;
  return 0;
}

int ZCALLBACK GrowClose(voidpf, voidpf) { return 0; }
int ZCALLBACK GrowError(voidpf, voidpf) { return 0; }

// Appends a zip of `files` (name, data) to `bytes`. Entries are stored (TFLite Support reads
// associated files in place) and their offsets count from the start of the file, as TFLite
// Support's MetadataPopulator writes them (minizip's APPEND_STATUS_CREATEAFTER does so).
Status AppendZip(const std::vector<std::pair<std::string, std::string>>& files,
                 std::vector<uint8_t>* bytes) {
  GrowingFile file{bytes, 0};
  zlib_filefunc64_def funcs{};
  funcs.zopen64_file = GrowOpen;
  funcs.zread_file = GrowRead;
  funcs.zwrite_file = GrowWrite;
  funcs.ztell64_file = GrowTell;
  funcs.zseek64_file = GrowSeek;
  funcs.zclose_file = GrowClose;
  funcs.zerror_file = GrowError;
  funcs.opaque = &file;
  zipFile zip = zipOpen2_64("memory.zip", APPEND_STATUS_CREATEAFTER, nullptr, &funcs);
  if (!zip) return Internal("cannot start the embedded zip archive");
  for (const auto& [name, data] : files) {
    zip_fileinfo info{};
    info.tmz_date.tm_year = 1980;  // a fixed date: the same input gives the same file
    info.tmz_date.tm_mday = 1;
    bool ok = zipOpenNewFileInZip64(zip, name.c_str(), &info, nullptr, 0, nullptr, 0, nullptr,
                                    /*method=stored*/ 0, /*level=*/0, /*zip64=*/0) == ZIP_OK &&
              zipWriteInFileInZip(zip, data.data(), static_cast<unsigned>(data.size())) == ZIP_OK;
    ok = zipCloseFileInZip(zip) == ZIP_OK && ok;
    if (!ok) {
      zipClose(zip, nullptr);
      return Internal("cannot write " + QuoteForMessage(name) + " into the embedded zip archive");
    }
  }
  if (zipClose(zip, nullptr) != ZIP_OK) return Internal("cannot finish the embedded zip archive");
  return Status::Ok();
}

// The zip's files: the old ones in order, the labels file replaced or appended.
Result<std::vector<std::pair<std::string, std::string>>> ZipFiles(const Model& model,
                                                                  const MetadataEdit& edit,
                                                                  const std::string& labels_name) {
  std::vector<std::pair<std::string, std::string>> files;
  bool placed = false;
  for (const EmbeddedFile& f : model.embedded_files()) {
    if (!labels_name.empty() && f.name == labels_name) {
      files.emplace_back(f.name, edit.labels_text);
      placed = true;
      continue;
    }
    Result<std::string> data = model.ReadEmbeddedFile(f.name);
    if (!data.ok()) return data.status();
    files.emplace_back(f.name, std::move(*data));
  }
  if (!labels_name.empty() && !placed) files.emplace_back(labels_name, edit.labels_text);
  return files;
}

// Reads the result back as labelite would and compares what must not have changed.
Status CheckReadsBack(const Model& model, const std::vector<uint8_t>& bytes,
                      const std::string& labels_name, const std::string& labels_text) {
  auto fresh = Model::FromBytes(bytes, model.path() + " (rewritten)");
  if (!fresh.ok()) return Internal("the rewritten model does not read back: " +
                                   fresh.status().message());
  const Model& m = **fresh;
  bool same = m.subgraphs().size() == model.subgraphs().size();
  for (size_t i = 0; same && i < m.subgraphs().size(); ++i) {
    const SubgraphSpec& a = m.subgraphs()[i];
    const SubgraphSpec& b = model.subgraphs()[i];
    same = a.tensors.size() == b.tensors.size() && a.operators.size() == b.operators.size() &&
           a.inputs == b.inputs && a.outputs == b.outputs;
    for (size_t t = 0; same && t < a.tensors.size(); ++t)
      same = a.tensors[t].data.size() == b.tensors[t].data.size() &&
             std::equal(a.tensors[t].data.begin(), a.tensors[t].data.end(),
                        b.tensors[t].data.begin());
  }
  if (!same) return Internal("the rewritten model's graph differs from the original");
  if (!m.metadata()) return Internal("the rewritten model has no readable metadata");
  if (!labels_name.empty()) {
    Result<std::string> text = m.ReadEmbeddedFile(labels_name);
    if (!text.ok() || *text != labels_text)
      return Internal("the rewritten model's " + QuoteForMessage(labels_name) + " does not read back");
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<uint8_t>> EmbedMetadata(const Model& model, const MetadataEdit& edit) {
  if (edit.labels_text.size() > model.bytes().size() + (64u << 20))
    return InvalidArgument("the labels text is too large to embed");
  LABELITE_ASSIGN_OR_RETURN(NewMetadata md, BuildMetadata(model, edit));
  LABELITE_ASSIGN_OR_RETURN(std::span<const uint8_t> old, OldFlatbuffer(model));
  LABELITE_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, BuildModel(old, md.flatbuffer));
  LABELITE_ASSIGN_OR_RETURN(auto files, ZipFiles(model, edit, md.labels_name));
  if (!files.empty()) LABELITE_RETURN_IF_ERROR(AppendZip(files, &bytes));
  LABELITE_RETURN_IF_ERROR(CheckReadsBack(model, bytes, md.labels_name, edit.labels_text));
  return bytes;
}

}  // namespace labelite
