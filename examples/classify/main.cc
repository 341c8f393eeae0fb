// Classifies one image with the labelite library:  classify_example MODEL IMAGE
#include <labelite/classifier.h>

#include <cstdio>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s MODEL IMAGE\n", argv[0]);
    return 1;
  }
  labelite::ClassifierOptions options;
  options.model_path = argv[1];
  options.top_k = 3;
  auto classifier = labelite::Classifier::Create(options);
  if (!classifier.ok()) {
    std::fprintf(stderr, "%s\n", classifier.status().message().c_str());
    return 3;
  }
  auto results = (*classifier)->ClassifyFile(argv[2]);
  if (!results.ok()) {
    std::fprintf(stderr, "%s\n", results.status().message().c_str());
    return 2;
  }
  for (const labelite::Classification& c : *results)
    std::printf("%d\t%s\t%.4f\n", c.index, c.label.c_str(), static_cast<double>(c.score));
  return 0;
}
