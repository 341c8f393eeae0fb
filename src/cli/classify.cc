// `labelite classify --model MODEL [options] INPUT...`: labelite's main job.
//
// Many inputs go through classify/batch.h (one classifier per worker, results in input order
// or --unordered). Records go to stdout or, with --output FILE, to FILE (records.h: written
// as a partial file renamed into place at the end; --resume appends record by record and
// retries inputs whose record is an error). The output may never be a file the run reads
// (output_files.h). Exit codes (cli/exit_codes.h): 0 all classified, 2 some inputs failed,
// 130 interrupted by SIGINT (after flushing finished results), others by the error's origin.
#include <sys/stat.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "classify/batch.h"
#include "cli/command.h"
#include "base/quote.h"
#include "cli/exit_codes.h"
#include "cli/options.h"
#include "cli/output_files.h"
#include "cli/progress.h"
#include "cli/records.h"
#include "labelite/classifier.h"

namespace labelite::cli {

namespace {

namespace fs = std::filesystem;

struct ClassifyFlags {
  ClassifierOptions classifier;
  std::vector<std::string> inputs;
  bool recursive = false;
  std::string format;
  std::vector<std::string> allow, deny;
  PreprocessFlags preprocess;
  bool softmax = false, no_softmax = false;
  bool verbose = false;
  bool unordered = false, resume = false, quiet = false, timing = false;
  std::string output;
  const CLI::Option* threshold_option = nullptr;
  RuntimeFlags runtime;
};

Status Usage(std::string m) { return Status(StatusCode::kInvalidArgument, std::move(m), ErrorOrigin::kUsage); }

bool HasImageExtension(const fs::path& p) {
  std::string ext = p.extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext == ".jpg" || ext == ".jpeg" || ext == ".png" || ext == ".bmp" || ext == ".webp" || ext == ".gif";
}

struct ExpandedInputs {
  std::vector<std::string> files;
  std::vector<std::string> skipped;  // "DIR/x.txt: not an image file name (.jpg, .png, ...)"
};

// Expands directories into their image files (sorted); files and "-" pass through (a missing
// file is reported as that input's error). A directory without images is an input error
// naming it ("use -r" when it has subfolders) unless other inputs remain.
Result<ExpandedInputs> ExpandInputs(const std::vector<std::string>& inputs, bool recursive) {
  ExpandedInputs out;
  std::vector<std::string> empty_dirs;
  for (const std::string& in : inputs) {
    std::error_code ec;
    if (in == "-" || !fs::is_directory(in, ec)) {
      out.files.push_back(in);
      continue;
    }
    std::vector<std::string> found;
    size_t subfolders = 0;
    auto add = [&](const fs::directory_entry& e) {
      std::error_code ec2;
      if (e.is_directory(ec2)) {
        ++subfolders;
      } else if (!e.is_regular_file(ec2)) {
        out.skipped.push_back(e.path().string() + ": not a regular file");
      } else if (!HasImageExtension(e.path())) {
        out.skipped.push_back(e.path().string() + ": not an image file name (.jpg .jpeg .png .bmp .webp .gif)");
      } else {
        found.push_back(e.path().string());
      }
    };
    if (recursive) {
      for (const auto& e : fs::recursive_directory_iterator(in, fs::directory_options::skip_permission_denied, ec)) add(e);
    } else {
      for (const auto& e : fs::directory_iterator(in, ec)) add(e);
    }
    if (ec) return Status(StatusCode::kIoError, in + ": cannot list directory: " + ec.message(), ErrorOrigin::kInput);
    if (found.empty()) {
      empty_dirs.push_back(!recursive && subfolders > 0
                               ? "no images in " + in + " (use -r to look in its " + std::to_string(subfolders) +
                                     " subfolder" + (subfolders == 1 ? "" : "s") + ")"
                               : "no images in " + in);
    }
    std::sort(found.begin(), found.end());
    out.files.insert(out.files.end(), found.begin(), found.end());
  }
  if (out.files.empty() && !empty_dirs.empty())
    return Status(StatusCode::kNotFound, empty_dirs[0], ErrorOrigin::kInput);
  for (const std::string& e : empty_dirs) out.skipped.push_back(e);
  return out;
}

Status BuildClassifierOptions(ClassifyFlags& f) {
  ClassifierOptions& o = f.classifier;
  o.allow = f.allow;
  o.deny = f.deny;
  if (!o.allow.empty() && !o.deny.empty()) return Usage("--allow and --deny are exclusive");
  if (f.softmax && f.no_softmax) return Usage("--softmax and --no-softmax are exclusive");
  o.softmax = f.softmax ? SoftmaxMode::kAlways : f.no_softmax ? SoftmaxMode::kNever : SoftmaxMode::kAuto;
  LABELITE_RETURN_IF_ERROR(f.preprocess.ApplyTo(o));
  o.kernels = f.runtime.kernels;
  // Zero scores are padding unless asked for with an explicit --threshold 0.
  o.skip_zero_scores = !(f.threshold_option && f.threshold_option->count() > 0 && o.score_threshold == 0.0f);
  return Status::Ok();
}

bool ToFile(const ClassifyFlags& f) { return !f.output.empty() && f.output != "-"; }

Result<Format> ChooseFormat(const ClassifyFlags& f) {
  if (f.format.empty()) {
    if (ToFile(f)) return f.output.ends_with(".csv") ? Format::kCsv : Format::kJsonl;
    return isatty(STDOUT_FILENO) ? Format::kTable : Format::kJsonl;
  }
  const Format format = f.format == "table" ? Format::kTable : f.format == "json" ? Format::kJson
                        : f.format == "csv" ? Format::kCsv : Format::kJsonl;
  if (ToFile(f) && format != Format::kJsonl && format != Format::kCsv)
    return Usage("--output takes --format jsonl or csv (records appended as they complete)");
  return format;
}

// Rule 1 of output_files.h: the output is none of the files this run reads.
Status CheckOutput(const ClassifyFlags& f, const std::vector<std::string>& files) {
  if (!ToFile(f)) return Status::Ok();
  std::vector<ReadFile> reads = {{f.classifier.model_path, "the model"}};
  if (const std::string labels = LabelSourceFile(f.classifier.labels); !labels.empty())
    reads.push_back({labels, "the label source"});
  for (const std::string& in : f.inputs) reads.push_back({in, "an input"});
  for (const std::string& in : files) reads.push_back({in, "an input image"});
  return CheckOutputPath(f.output, reads);
}

void PrintModelInfo(const ClassifyFlags& f, const Classifier& c) {
  if (f.quiet) return;
  const ClassifierSummary& s = c.summary();
  for (const std::string& n : c.notices()) std::fprintf(stderr, "labelite: %s\n", n.c_str());
  for (const std::string& w : s.label_warnings) std::fprintf(stderr, "labelite: warning: %s\n", w.c_str());
  if (!f.verbose) return;
  std::fprintf(stderr, "labelite: %s\n", s.normalization.c_str());
  const char* resize = f.classifier.resize == ResizeMode::kCrop ? "crop (central crop, then bilinear)"
                       : f.classifier.resize == ResizeMode::kPad ? "pad (letterbox, then bilinear)"
                                                                 : "stretch (bilinear, half-pixel centers)";
  std::fprintf(stderr, "labelite: resize: %s to %dx%d\n", resize, s.input_width, s.input_height);
  for (size_t h = 0; h < s.score_mode.size(); ++h)
    std::fprintf(stderr, "labelite: output %zu: %d classes, %s\n", h, s.num_classes[h], s.score_mode[h].c_str());
  std::fprintf(stderr, "labelite: labels: %s\n", s.label_source.c_str());
  std::fprintf(stderr, "labelite: results: top %d, threshold %g%s\n", f.classifier.top_k,
               static_cast<double>(f.classifier.score_threshold),
               f.classifier.skip_zero_scores ? ", zero scores left out (--threshold 0 keeps them)" : "");
}

const char* OrientationText(int o) {
  switch (o) {
    case 2: return "mirrored";
    case 3: return "rotated 180";
    case 4: return "flipped vertically";
    case 5: return "transposed";
    case 6: return "rotated 90 clockwise";
    case 7: return "transversed";
    case 8: return "rotated 90 counter-clockwise";
    default: return "";
  }
}

// -v: what the decoder and resizer do with one file (format, size, EXIF, JPEG DCT scale).
std::string DescribeDecode(const std::string& path, const Classifier& c, ResizeMode resize) {
  if (path == "-") return "";
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto info = ProbeImage(bytes);
  if (!info.ok()) return "";
  const DecodeOptions d = c.decode_options();
  std::string s = path + ": " + ImageFormatName(info->format) + " " + std::to_string(info->width) + "x" +
                  std::to_string(info->height);
  if (info->orientation != 1)
    s += std::string(", EXIF orientation ") + std::to_string(info->orientation) +
         (d.apply_exif_orientation ? std::string(" applied (") + OrientationText(info->orientation) + ")" : " ignored");
  int w = info->width, h = info->height;
  if (info->format == ImageFormat::kJpeg && d.target_width > 0) {
    int m = 8;
    for (int cand : {1, 2, 4}) {
      if ((info->width * cand + 7) / 8 >= d.target_width && (info->height * cand + 7) / 8 >= d.target_height) {
        m = cand;
        break;
      }
    }
    w = (info->width * m + 7) / 8;
    h = (info->height * m + 7) / 8;
    const char* scale = m == 4 ? "1/2" : m == 2 ? "1/4" : "1/8";
    s += m == 8 ? std::string(", decoded at full size")
                : ", DCT-scaled " + std::string(scale) + " to " + std::to_string(w) + "x" + std::to_string(h);
  }
  const char* mode = resize == ResizeMode::kCrop ? "crop" : resize == ResizeMode::kPad ? "pad" : "stretch";
  s += ", resized (" + std::string(mode) + ") " + std::to_string(w) + "x" + std::to_string(h) + " -> " +
       std::to_string(d.target_width) + "x" + std::to_string(d.target_height);
  return s;
}

void PrintTiming(const BatchStats& s, const BatchClassifier& b) {
  const double n = s.done ? static_cast<double>(s.done) : 1.0;
  const double cpu = s.decode_s + s.preprocess_s + s.inference_s;
  auto pct = [&](double part) { return cpu > 0 ? 100.0 * part / cpu : 0.0; };
  std::fprintf(stderr,
               "labelite: timing: %zu images, %d workers x %d threads, %.3f s, %.1f images/s; per image: "
               "decode %.2f ms (%.0f%%), preprocess %.2f ms (%.0f%%), inference %.2f ms (%.0f%%) %s; "
               "reorder window waits %.1f ms\n",
               s.done, b.workers(), b.threads_per_worker(), s.wall_s, s.wall_s > 0 ? s.done / s.wall_s : 0.0,
               1000 * s.decode_s / n, pct(s.decode_s), 1000 * s.preprocess_s / n, pct(s.preprocess_s),
               1000 * s.inference_s / n, pct(s.inference_s),
               b.threads_per_worker() == 1 ? "worker CPU time" : "worker wall time", 1000 * s.window_wait_s);
}

// --resume: drops the inputs already done from `files` and opens the record file to append.
// An interrupted fresh run left its records in the partial file: that run is continued there
// and renamed over FILE at the end.
Status OpenForResume(const ClassifyFlags& f, Format format, std::vector<std::string>* files, RecordSink* sink) {
  const std::string partial = PartialPath(f.output);
  std::error_code ec;
  const bool continue_partial = fs::exists(partial, ec);
  const std::string& path = continue_partial ? partial : f.output;
  LABELITE_ASSIGN_OR_RETURN(DoneRecords done, ReadDone(path, format));
  const size_t before = files->size();
  std::erase_if(*files, [&](const std::string& p) { return done.done.count(p) > 0; });
  if (!f.quiet) {
    std::fprintf(stderr, "labelite: resuming: %zu of %zu inputs already in %s%s", before - files->size(), before,
                 path.c_str(), continue_partial ? " (an interrupted run)" : "");
    if (done.retried) std::fprintf(stderr, "; retrying %zu that failed", done.retried);
    std::fprintf(stderr, "\n");
  }
  return sink->OpenAppend(path, continue_partial ? f.output : std::string());
}

// Up to 3 failures, printed before the summary line.
void PrintFailures(const std::vector<std::string>& failures, size_t failed) {
  for (const std::string& m : failures) std::fprintf(stderr, "labelite: failed: %s\n", m.c_str());
  if (failed > failures.size())
    std::fprintf(stderr, "labelite: ... and %zu more failures (see the records)\n", failed - failures.size());
}

// Everything decided before a model is loaded: options, format, the input list, the output
// checks and --resume. Nothing is written over before this succeeds.
Status PrepareRun(ClassifyFlags& f, Format* format, std::vector<std::string>* files, RecordSink* out) {
  LABELITE_RETURN_IF_ERROR(BuildClassifierOptions(f));
  LABELITE_ASSIGN_OR_RETURN(*format, ChooseFormat(f));
  if (f.resume && !ToFile(f)) return Usage("--resume needs --output FILE");
  LABELITE_ASSIGN_OR_RETURN(ExpandedInputs expanded, ExpandInputs(f.inputs, f.recursive));
  if (std::count(expanded.files.begin(), expanded.files.end(), "-") > 1)
    return Usage("'-' (standard input) can be given only once");
  LABELITE_RETURN_IF_ERROR(CheckOutput(f, expanded.files));
  if (f.verbose && !f.quiet)
    for (const std::string& s : expanded.skipped) std::fprintf(stderr, "labelite: skipped %s\n", s.c_str());
  *files = std::move(expanded.files);
  if (f.resume) LABELITE_RETURN_IF_ERROR(OpenForResume(f, *format, files, out));
  return Status::Ok();
}

// Every input allocates and frees image buffers of a few hundred KiB (file bytes, decoded and
// resized pixels, the interpreter's input copies). glibc's defaults (an mmap threshold and a
// heap trim threshold that follow the largest buffer freed so far) hand those pages back to the
// kernel after each image when the buffers are all about the same size, and the next image
// faults them in again: 54 page faults per 224x224 BMP, about 4% of its CPU time. The batch
// fixes both thresholds at the dynamic rule's maximum instead (32 MiB, trim at 64 MiB), so a
// worker reuses its heap: freed memory stays in the process for the next image (never more
// than the peak it reached), and buffers above 32 MiB still come from mmap and go back at once.
void KeepImageBuffers() {
#ifdef __GLIBC__
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
#endif
}

// Classifies `files` into `out` (opened; a fresh --output file is opened here, once the model
// has loaded); prints the failures, summary and timing on stderr.
int ClassifyAll(const ClassifyFlags& f, Format format, const std::vector<std::string>& files, RecordSink& out) {
  BatchOptions batch;
  batch.threads = f.runtime.threads;
  batch.ordered = !f.unordered;
  KeepImageBuffers();
  auto classifier = BatchClassifier::Create(f.classifier, batch, files.size());
  if (!classifier.ok()) return ReportError(classifier.status());
  const Classifier& first = (*classifier)->classifier();
  PrintModelInfo(f, first);
  if (ToFile(f) && !f.resume) {
    if (Status s = out.OpenFresh(f.output); !s.ok()) return ReportError(s);
  }
  if (format == Format::kCsv && !out.HasCsvHeader()) (void)out.Write(kCsvHeader);

  const std::string model_name = fs::path(f.classifier.model_path).filename().string();
  Progress progress(files.size(), f.quiet);
  const bool shared_terminal = !ToFile(f) && isatty(STDOUT_FILENO);  // records and bar on one screen
  Status write_status;
  size_t done = 0, failed = 0;
  std::vector<std::string> failures;
  if (format == Format::kJson) (void)out.Write("[");
  const BatchStats stats = (*classifier)->Run(files, [&](BatchResult&& r) {
    if (!r.status.ok() && ++failed <= 3) failures.push_back(r.status.message());
    if (shared_terminal || f.verbose) progress.Clear();
    if (f.verbose && !f.quiet && r.status.ok()) {
      const std::string d = DescribeDecode(r.path, first, f.classifier.resize);
      if (!d.empty()) std::fprintf(stderr, "labelite: %s\n", d.c_str());
    }
    if (write_status.ok()) write_status = out.Write(FormatResult(format, r, model_name, done == 0));
    progress.Update(++done, failed);
  }, &InterruptFlag());
  if (format == Format::kJson) (void)out.Write(done ? "\n]\n" : "]\n");
  if (!f.quiet) {
    progress.Clear();
    PrintFailures(failures, stats.failed);
  }
  progress.Finish(stats.done, stats.failed, stats.cancelled);
  if (f.timing) PrintTiming(stats, **classifier);
  if (!write_status.ok()) return ReportError(write_status);
  if (Status s = out.Finish(); !s.ok()) return ReportError(s);
  if (stats.cancelled) return kExitInterrupted;
  return stats.failed > 0 ? kExitSomeFailed : kExitOk;
}

int RunClassify(ClassifyFlags& f) {
  Format format = Format::kJsonl;
  std::vector<std::string> files;
  RecordSink out;
  if (Status s = PrepareRun(f, &format, &files, &out); !s.ok()) return ReportError(s);
  if (files.empty()) {  // --resume found every input done
    if (Status s = out.Finish(); !s.ok()) return ReportError(s);
    return kExitOk;
  }
  return ClassifyAll(f, format, files, out);
}

}  // namespace

void AddClassifyCommand(CLI::App& app, int* exit_code) {
  auto f = std::make_shared<ClassifyFlags>();
  ClassifierOptions defaults;
  CLI::App* cmd = app.add_subcommand("classify", "Classify images: name the classes a model sees");
  cmd->add_option("--model,-m", f->classifier.model_path, "The .tflite image classifier")->required();
  cmd->add_option("--labels", f->classifier.labels,
                  "Label source: a file (text, indexed, synset, JSON, CSV), sqlite:PATH?table=..., http://...; "
                  "default: the labels embedded in the model");
  cmd->add_option("--labels-format", f->classifier.labels_format, "Override label format sniffing");
  cmd->add_option("--locale", f->classifier.locale, "Display names from the model's label file of this locale");
  cmd->add_flag("--allow-label-mismatch", f->classifier.allow_label_mismatch,
                "Accept labels whose count does not fit the model (unnamed classes print as class_<index>)");
  cmd->add_flag("--allow-any-output", f->classifier.allow_any_output,
                "Rank the values of an output that is not class scores (a feature vector, a spatial map)");
  cmd->add_option("inputs", f->inputs, "Image files, directories, or - for standard input")->required();
  cmd->add_flag("--recursive,-r", f->recursive, "Descend into subdirectories");
  cmd->add_option("--top-k,-k", f->classifier.top_k, "Results per image")->default_val(defaults.top_k)->check(CLI::Range(1, 1000000));
  f->threshold_option =
      cmd->add_option("--threshold", f->classifier.score_threshold,
                      "Minimum score, 0 to 1; results scoring exactly 0 are left out unless --threshold 0 is given")
          ->default_val(defaults.score_threshold)
          ->check(UnitInterval());
  cmd->add_option("--allow", f->allow,
                  "Only this class (repeatable; a whole label, one of its comma-separated synonyms, or name,name,...)")
      ->expected(1)
      ->allow_extra_args(false)  // `--allow NAME image.jpg`: the image is an input, not a name
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd->add_option("--deny", f->deny, "Never this class (repeatable; names as for --allow)")
      ->expected(1)
      ->allow_extra_args(false)  // `--allow NAME image.jpg`: the image is an input, not a name
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd->add_option("--format", f->format, "table|json|jsonl|csv (default: table on a terminal, else jsonl)")
      ->check(CLI::IsMember({"table", "json", "jsonl", "csv"}));
  f->preprocess.AddTo(cmd);
  AddPreprocessOption(cmd, &f->classifier.preprocess);
  cmd->add_flag("--softmax", f->softmax, "Always apply softmax to the scores");
  cmd->add_flag("--no-softmax", f->no_softmax, "Never apply softmax to the scores");
  cmd->add_option("--max-pixels", f->classifier.max_image_pixels, "Refuse larger images (at least 1)")
      ->default_val(defaults.max_image_pixels)
      ->check(PositiveCount());
  cmd->add_flag("--verbose,-v", f->verbose, "Say every decision: normalization, resize, EXIF, JPEG scale, skipped files");
  cmd->add_flag("--unordered", f->unordered, "Print results as they complete, not in input order");
  cmd->add_option("--output,-o", f->output,
                  "Write results to FILE (jsonl or csv; - for standard output); FILE is replaced when the run "
                  "ends, never if it is the model, a label file or an input");
  cmd->add_flag("--resume", f->resume,
                "With --output: append, skipping inputs already in FILE (by path) except failed ones");
  cmd->add_flag("--quiet,-q", f->quiet, "No notices, progress or summary on stderr");
  cmd->add_flag("--timing", f->timing, "Print images/s and the decode/preprocess/inference split on stderr");
  f->runtime.AddTo(cmd);
  cmd->callback([f, exit_code] { *exit_code = RunClassify(*f); });
}

}  // namespace labelite::cli
