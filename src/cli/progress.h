// Progress and interruption for the batch subcommands (classify, eval).
//
// Progress draws a one-line bar on stderr when stderr is a terminal (done/total, images/s,
// elapsed, ETA, failures), redrawn at most 10 times a second; on anything else it prints
// nothing until Finish(), which prints one summary line (both silent with quiet = true).
//
// InterruptFlag() installs a SIGINT handler once: the first Ctrl-C sets the flag (the batch
// stops starting images and flushes what is done), a second one kills the process.
#ifndef LABELITE_CLI_PROGRESS_H_
#define LABELITE_CLI_PROGRESS_H_

#include <atomic>
#include <chrono>
#include <cstddef>
#include <string>

namespace labelite::cli {

class Progress {
 public:
  Progress(size_t total, bool quiet);
  // Redraws the bar (terminal only, rate-limited).
  void Update(size_t done, size_t failed);
  // Erases the bar (before writing records to the same terminal); Update redraws it.
  void Clear();
  // Clears the bar and prints "labelite: <done> images in <s> s (<r> images/s), <f> failed".
  void Finish(size_t done, size_t failed, bool interrupted);

 private:
  double Elapsed() const;
  size_t total_;
  bool quiet_;
  bool terminal_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

// The flag set by SIGINT (installs the handler on first call).
const std::atomic<bool>& InterruptFlag();

// The exit code of a run stopped by SIGINT (128 + SIGINT, as shells report it).
inline constexpr int kExitInterrupted = 130;

}  // namespace labelite::cli

#endif  // LABELITE_CLI_PROGRESS_H_
