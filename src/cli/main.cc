// The `labelite` command: parses the command line and hands each subcommand to its file.
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/exit_codes.h"

namespace labelite::cli {

int ReportError(const Status& status) {
  std::fprintf(stderr, "labelite: %s\n", status.message().c_str());
  return ExitCodeFor(status);
}

int ReportError(const Status& status, ErrorOrigin origin) { return ReportError(status.WithOrigin(origin)); }

int ReportModelFileError(const Status& status) { return ReportError(status, ErrorOrigin::kModel); }

namespace {

size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

std::string NameList(const CLI::App& app) {
  std::string s;
  for (const CLI::App* sub : app.get_subcommands({})) {
    if (!s.empty()) s += ", ";
    s += sub->get_name();
  }
  return s;
}

// "unknown subcommand 'clasify' (did you mean 'classify'?)" when the first word after `app`'s
// name is not one of its subcommands; "" when it is (or when there is none).
std::string CheckSubcommandWord(const CLI::App& app, const std::string& path, int argc, char** argv, int first) {
  for (int i = first; i < argc; ++i) {
    const std::string word = argv[i];
    if (word.rfind("-", 0) == 0) return "";  // an option (--help, --version): CLI11 decides
    const CLI::App* found = nullptr;
    for (const CLI::App* sub : app.get_subcommands({}))
      if (sub->get_name() == word) found = sub;
    if (found) {
      if (!found->get_subcommands({}).empty())
        return CheckSubcommandWord(*found, path + " " + word, argc, argv, i + 1);
      return "";
    }
    std::string best;
    size_t best_distance = 3;  // suggest only close names
    for (const CLI::App* sub : app.get_subcommands({})) {
      const std::string& name = sub->get_name();
      const size_t d = name.rfind(word, 0) == 0 ? 0 : EditDistance(word, name);
      if (d < best_distance) best_distance = d, best = name;
    }
    std::string m = "unknown subcommand '" + word + "' of '" + path + "'";
    m += best.empty() ? " (subcommands: " + NameList(app) + ")" : " (did you mean '" + best + "'?)";
    return m;
  }
  return "";
}

// One line, "labelite: <what is wrong>", for a CLI11 parse error.
std::string ParseErrorText(const CLI::ParseError& e, const CLI::App& app) {
  const std::string what = e.what();
  const CLI::App* deepest = &app;
  std::string path = "labelite";
  for (std::vector<CLI::App*> parsed = app.get_subcommands(); !parsed.empty();) {
    deepest = parsed.front();
    path += " " + deepest->get_name();
    parsed = deepest->get_subcommands();
  }
  if (what == "A subcommand is required")
    return "'" + path + "' needs a subcommand: " + NameList(*deepest) + " (see " + path + " --help)";
  return what + " (see " + path + " --help)";
}

}  // namespace

}  // namespace labelite::cli

int main(int argc, char** argv) {
  using namespace labelite::cli;
  CLI::App app{"labelite: run TensorFlow Lite image classifiers and name the right class"};
  app.name("labelite");
  app.require_subcommand(1);
  app.set_version_flag("--version", "labelite 0.1.0");
  int exit_code = kExitOk;
#define COMMAND(stem) Add##stem##Command(app, &exit_code);
#include "cli/commands.inc"
#undef COMMAND
  if (std::string m = CheckSubcommandWord(app, "labelite", argc, argv, 1); !m.empty()) {
    // "of 'labelite'" says nothing for the top level.
    const std::string top = " of 'labelite'";
    if (const size_t at = m.find(top); at != std::string::npos) m.erase(at, top.size());
    std::fprintf(stderr, "labelite: %s\n", m.c_str());
    return kExitUsage;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    std::fprintf(stderr, "labelite: %s\n", ParseErrorText(e, app).c_str());
    return kExitUsage;
  }
  return exit_code;
}
