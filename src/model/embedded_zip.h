// The zip archive that TFLite Support appends after a model's flatbuffer (labels.txt, ...).
// Internal to model/: Model calls these over its mapped bytes; nothing is copied but the
// entry it reads.
#ifndef LABELITE_MODEL_EMBEDDED_ZIP_H_
#define LABELITE_MODEL_EMBEDDED_ZIP_H_

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "labelite/status.h"
#include "model/model.h"

namespace labelite {

// Lists the entries of a zip archive found in `bytes` (data may precede the archive, as in
// .tflite files). Returns an error when there is no readable archive.
Result<std::vector<EmbeddedFile>> ListZipEntries(std::span<const uint8_t> bytes);

// Decompresses entry `name`, refusing entries whose declared or actual size exceeds `max_bytes`
// and entries whose CRC does not match. Messages do not carry the model path (callers add it).
Result<std::string> ReadZipEntry(std::span<const uint8_t> bytes, const std::string& name,
                                 uint64_t max_bytes);

// For a model whose metadata names associated files but where ListZipEntries finds no archive:
// when `bytes` holds a zip local header naming one of `names`, says how the archive is cut
// short, e.g. "truncated: the file is 1893378 bytes, but its embedded zip (from byte 1883776:
// labels.txt) needs at least 1894378 (no end-of-central-directory record)". "" when there is
// no such header (the model simply has no archive).
std::string DescribeTruncatedZip(std::span<const uint8_t> bytes, const std::vector<std::string>& names);
// What `labelite inspect` checks so that it fails wherever classifying would: the appended
// archive is readable (an end-of-central-directory record that minizip cannot open is damage,
// not "no archive"), every embedded file decompresses within the model's limit with a matching
// CRC, and every file the metadata names is embedded. Returns the first problem as
// kInvalidModel with origin kModel, naming the model and the file.
Status CheckEmbeddedFiles(const Model& model);

}  // namespace labelite

#endif  // LABELITE_MODEL_EMBEDDED_ZIP_H_
