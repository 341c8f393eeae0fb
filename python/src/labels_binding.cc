// _labelite.load_labels: labelite's label sources and alignment for labelite.labels.load.
#include <nanobind/ndarray.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "bindings.h"
#include "labelite/labels.h"

namespace labelite::python {

namespace {

using Bytes = nb::ndarray<const uint8_t, nb::ndim<1>, nb::c_contig, nb::device::cpu>;

// Reads `source` (a path, sqlite:..., http://...) or parses `data` (named `name`), then fits
// the labels to `num_classes` (or to their own size when num_classes < 0).
Result<std::pair<LabelMap, AlignedLabels>> Load(const std::string& source, const std::optional<Bytes>& data,
                                                const std::string& name, const std::string& format,
                                                int num_classes, bool allow_mismatch) {
  Result<LabelMap> map = [&]() -> Result<LabelMap> {
    if (data) return ParseLabels(std::span<const uint8_t>(data->data(), data->size()), name, format);
    LabelSourceOptions o;
    o.format = format;
    return LoadLabels(source, o);
  }();
  if (!map.ok()) return map.status();
  AlignOptions align;
  align.allow_mismatch = allow_mismatch || num_classes < 0;
  LABELITE_ASSIGN_OR_RETURN(AlignedLabels aligned,
                            AlignLabels(*map, num_classes < 0 ? map->size() : num_classes, align));
  return std::make_pair(std::move(*map), std::move(aligned));
}

nb::dict LoadLabelsPy(const std::string& source, std::optional<Bytes> data, const std::string& name,
                      const std::string& format, int num_classes, bool allow_mismatch) {
  Result<std::pair<LabelMap, AlignedLabels>> r = [&] {
    nb::gil_scoped_release release;  // files, databases and HTTP take time
    return Load(source, data, name, format, num_classes, allow_mismatch);
  }();
  if (!r.ok()) Throw(r.status(), ErrorOrigin::kLabels);
  const LabelMap& map = r->first;
  const AlignedLabels& a = r->second;
  nb::dict d;
  d["names"] = a.names;
  d["display_names"] = a.display_names;
  d["offset"] = a.offset;
  d["notices"] = a.notices;
  d["warnings"] = a.warnings;
  d["format"] = map.format;
  d["source"] = map.source;
  d["count"] = map.entries.size();
  return d;
}

}  // namespace

void RegisterLabels(nb::module_& m) {
  m.def("load_labels", &LoadLabelsPy, nb::arg("source"), nb::arg("data").none(), nb::arg("name"),
        nb::arg("format"), nb::arg("num_classes"), nb::arg("allow_mismatch"));
  m.def("label_formats", [] { return LabelFormatNames(); });
}

}  // namespace labelite::python
