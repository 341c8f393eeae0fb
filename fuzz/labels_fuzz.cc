// libFuzzer target: any bytes through the label formats. The sniffer picks the format (as for a
// --labels file of unknown format), then the parsed map goes through alignment with a model of
// 1001 and of 10 classes and through every conversion target, so the writers see what the
// parsers accept; every conversion must parse back (ParseLabels reads every output back, as
// labels.h promises). Each format's parser also runs on its own, without the sniffer.
// Seed corpus: ../shared/testdata/labels (fuzz/make_corpus.sh).
#include <cstddef>
#include <cstdint>
#include <span>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "labelite/labels.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> bytes(data, size);
  for (const std::string& format : labelite::LabelFormatNames()) {
    auto forced = labelite::ParseLabels(bytes, "fuzz.txt", format);
    (void)forced;
  }
  auto labels = labelite::ParseLabels(bytes, "fuzz.txt");
  if (!labels.ok()) return 0;
  for (int classes : {10, 1001}) {
    auto aligned = labelite::AlignLabels(*labels, classes);
    (void)aligned;
  }
  for (const std::string& to : labelite::LabelConvertTargets()) {
    auto text = labelite::ConvertLabels(*labels, to);
    if (!text.ok()) continue;
    auto back = labelite::ParseLabels(std::string_view(*text), "converted", "");
    if (!back.ok()) {
      std::fprintf(stderr, "converted to %s does not parse back: %s\n", to.c_str(),
                   back.status().message().c_str());
      std::abort();
    }
  }
  return 0;
}
