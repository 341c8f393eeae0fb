#include "testing/cli_runner.h"

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>

#include "testing/testdata.h"

namespace labelite::testing {

std::string ShellQuote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

CliResult RunLabelite(const std::string& args) {
  CliResult r;
  const std::string err_path = MakeTempDir("labelite-cli") + "/stderr";
  const std::string cmd = ShellQuote(CliPath()) + " " + args + " 2>" + ShellQuote(err_path);
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  std::array<char, 65536> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  const int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.err = ReadFileText(err_path);
  std::error_code ec;
  std::filesystem::remove_all(std::filesystem::path(err_path).parent_path(), ec);
  return r;
}

}  // namespace labelite::testing
