// Conversion of an operator's BuiltinOptions table into labelite's plain OpOptions.
// Internal to model/ (the one place that sees flatbuffers types).
#ifndef LABELITE_MODEL_OP_OPTIONS_H_
#define LABELITE_MODEL_OP_OPTIONS_H_

#include <cstdint>

#include "model/model.h"
#include "schema/tflite_schema_generated.h"

namespace labelite {

// Reads the options of builtin op `code` from `op`. Ops without options, or whose options are
// absent or of another table type, keep OpOptions' defaults (as TFLite's parser does).
// Fails only for values no kernel can take (an unknown padding or activation).
Status ConvertBuiltinOptions(const tflite::Operator& op, int32_t code, OpOptions* out);

}  // namespace labelite

#endif  // LABELITE_MODEL_OP_OPTIONS_H_
