// EmbedMetadata: a copy of a .tflite file whose TFLite metadata carries new labels and input
// normalization, as TFLite Support's metadata writers would write it.
//
// Purpose: `labelite labels embed` turns any label source into the standard form (a
// TENSOR_AXIS_LABELS file on output 0, stored in the zip archive appended to the model, named by
// the TFLITE_METADATA flatbuffer "M001") so that every TFLite tool reads the labels from the model
// itself. Everything else is kept: the graph byte for byte, other Model.metadata entries
// (min_runtime_version, ...), the metadata's name/description/author/license, other process
// units and associated files, and the other files of the zip.
//
// How the model is rewritten (and why not with the object API): our schema subset declares many
// tables empty (GatherOptions, SparsityParameters, ...), so unpacking a ModelT and packing it again
// would silently drop fields of real models. Instead the original flatbuffer is copied unchanged
// and a new root Model table is written in front of it:
//   1. the old flatbuffer (without its zip) is pushed first, padded to 16 bytes, so it ends up at
//      the end of the new flatbuffer with its 16-byte alignment (force_align buffers) intact;
//   2. a new Buffer holding the new metadata flatbuffer, new `buffers` and `metadata` vectors
//      (the old tables referenced in place, TFLITE_METADATA replaced or added) are built before
//      it; flatbuffers offsets point forward, so the new tables may reference the old ones;
//   3. a new Model table copies every other field as a reference to the old data;
//   4. the zip (old files + the labels file, stored uncompressed as TFLite Support requires,
//      with offsets from the start of the file) is appended after the flatbuffer.
// The unreachable old Model table and old metadata buffer stay in the file (a few KB).
// Refused with kUnsupported, never written damaged: Model tables with fields unknown to our
// schema, buffers stored outside the flatbuffer (Buffer.offset/size), and metadata flatbuffers
// using fields our metadata schema subset does not carry (the metadata is rewritten with the
// object API; it is small).
//
// Thread safety: a pure function of its arguments.
//
//   MetadataEdit edit;
//   edit.labels_text = "background\ntench\n...";
//   edit.normalization = NormalizationInfo{{127.5f}, {127.5f}};
//   LABELITE_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, EmbedMetadata(*model, edit));
//
// (The same example runs as EmbedMetadataUsageExample in tests/model/metadata_writer_test.cc.)
#ifndef LABELITE_MODEL_METADATA_WRITER_H_
#define LABELITE_MODEL_METADATA_WRITER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "labelite/status.h"
#include "model/metadata.h"
#include "model/model.h"

namespace labelite {

struct MetadataEdit {
  // One class name per line, replacing output 0's TENSOR_AXIS_LABELS file (the first one without
  // a locale, keeping its name and description; a model- or subgraph-level one moves to output
  // 0) or added as a new file. Label files of other locales are kept. "" keeps the labels.
  std::string labels_text;
  // Name and description of an added label file. A zip file of this name that the metadata does
  // not refer to is replaced; when the metadata refers to it, "<stem>_1<ext>" is used.
  std::string labels_file_name = "labels.txt";
  std::string labels_description = "Labels for categories that the model can recognize.";
  // Replaces (or adds) input 0's NormalizationOptions process unit. nullopt keeps it.
  std::optional<NormalizationInfo> normalization;
};

// Returns the bytes of the new .tflite file. `model` is not changed. The result is read back
// with Model::FromBytes before it is returned (same subgraphs, the new labels readable).
Result<std::vector<uint8_t>> EmbedMetadata(const Model& model, const MetadataEdit& edit);

}  // namespace labelite

#endif  // LABELITE_MODEL_METADATA_WRITER_H_
