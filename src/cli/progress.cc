#include "cli/progress.h"

#include <signal.h>
#include <unistd.h>

#include <cstdio>

namespace labelite::cli {

namespace {

std::atomic<bool> g_interrupted{false};
static_assert(std::atomic<bool>::is_always_lock_free, "the SIGINT handler needs a lock-free flag");

void OnInterrupt(int) {
  if (g_interrupted.exchange(true)) {  // second Ctrl-C: die as the user expects
    signal(SIGINT, SIG_DFL);
    raise(SIGINT);
  }
}

std::string Clock(double s) {
  const long t = static_cast<long>(s + 0.5);
  char buf[32];
  if (t >= 3600) std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
  else std::snprintf(buf, sizeof buf, "%ld:%02ld", t / 60, t % 60);
  return buf;
}

}  // namespace

const std::atomic<bool>& InterruptFlag() {
  static const bool installed = [] {
    struct sigaction sa {};
    sa.sa_handler = OnInterrupt;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    return true;
  }();
  (void)installed;
  return g_interrupted;
}

Progress::Progress(size_t total, bool quiet)
    : total_(total), quiet_(quiet), terminal_(!quiet && isatty(STDERR_FILENO)),
      start_(std::chrono::steady_clock::now()), last_draw_(start_) {}

double Progress::Elapsed() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void Progress::Update(size_t done, size_t failed) {
  if (!terminal_) return;
  const auto now = std::chrono::steady_clock::now();
  if (drawn_ && done < total_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  drawn_ = true;
  const double elapsed = Elapsed();
  const double rate = elapsed > 0 ? static_cast<double>(done) / elapsed : 0;
  constexpr int kWidth = 24;
  const int filled = total_ ? static_cast<int>(kWidth * done / total_) : kWidth;
  std::string bar = std::string(static_cast<size_t>(filled), '#') + std::string(static_cast<size_t>(kWidth - filled), '.');
  const std::string eta = rate > 0 ? Clock(static_cast<double>(total_ - done) / rate) : "?";
  std::fprintf(stderr, "\r[%s] %zu/%zu  %.1f images/s  elapsed %s  ETA %s  failed %zu\033[K", bar.c_str(),
               done, total_, rate, Clock(elapsed).c_str(), eta.c_str(), failed);
  std::fflush(stderr);
}

void Progress::Clear() {
  if (!drawn_) return;
  std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
  drawn_ = false;
}

void Progress::Finish(size_t done, size_t failed, bool interrupted) {
  if (quiet_) return;
  Clear();
  const double elapsed = Elapsed();
  const double rate = elapsed > 0 ? static_cast<double>(done) / elapsed : 0;
  std::fprintf(stderr, "labelite: %s%zu of %zu images in %.2f s (%.1f images/s), %zu failed\n",
               interrupted ? "interrupted: " : "", done, total_, elapsed, rate, failed);
}

}  // namespace labelite::cli
