// The server's shared pieces without HTTP clients in Python: base64, quoting, status mapping,
// the interpreter pool's bounded queue and timeout, and the Server header's usage example.
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include "server/http_util.h"
#include "server/model_pool.h"
#include "server/server.h"
#include "testing/testdata.h"

namespace labelite::server {
namespace {

int StatusOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const HttpError& e) {
    return e.status();
  }
  return 0;
}

TEST(ServerBase64, StandardTextWithAndWithoutPadding) {
  EXPECT_EQ(DecodeBase64("aGVsbG8=", "x"), "hello");
  EXPECT_EQ(DecodeBase64("aGVsbG8", "x"), "hello");
  EXPECT_EQ(DecodeBase64("aGk=", "x"), "hi");
  EXPECT_EQ(DecodeBase64("YQ==", "x"), "a");
  EXPECT_EQ(DecodeBase64("YQ", "x"), "a");
  EXPECT_EQ(DecodeBase64("", "x"), "");
  EXPECT_EQ(DecodeBase64("AP8A/w==", "x"), std::string("\x00\xff\x00\xff", 4));
}

TEST(ServerBase64, RefusesWhatIsNotBase64) {
  for (const char* bad : {"aGVs bG8=", "aGVsbG8*", "a=bc", "abcde", "YQ===", "-_-_"})
    EXPECT_EQ(StatusOf([&] { (void)DecodeBase64(bad, "image 3"); }), 400) << bad;
  try {
    (void)DecodeBase64("ab\ncd", "image 3");
    FAIL();
  } catch (const HttpError& e) {
    EXPECT_EQ(std::string(e.what()), "image 3: not base64 (unexpected character '\\x0a')");
  }
}

TEST(ServerQuote, EscapesAndShortens) {
  EXPECT_EQ(Quote("cat"), "'cat'");
  EXPECT_EQ(Quote("a'b\\c\x01\xe9"), "'a\\'b\\\\c\\x01\\xe9'");
  EXPECT_EQ(Quote(std::string(100, 'x')), "'" + std::string(60, 'x') + "...'");
}

TEST(ServerHttpStatus, TheInputsFaultIs400) {
  EXPECT_EQ(HttpStatusFor(InvalidImage("truncated JPEG data")), 400);
  EXPECT_EQ(HttpStatusFor(ResourceExhausted("image of 2000000 pixels")), 400);
  EXPECT_EQ(HttpStatusFor(Status(StatusCode::kUnsupported, "animated WebP", ErrorOrigin::kInput)), 400);
  EXPECT_EQ(HttpStatusFor(Internal("bug")), 500);
  EXPECT_EQ(HttpStatusFor(Status(StatusCode::kInvalidArgument, "op failed", ErrorOrigin::kModel)), 500);
}

ClassifierOptions Tiny() {
  ClassifierOptions o;
  o.model_path = testing::ModelPath("mobilenet_v1_0.25_128_quant.tflite");
  return o;
}

TEST(ServerModelPool, FullQueueIs503AndTimeoutWhileQueuedIs503) {
  auto pool = ModelPool::Create("tiny", Tiny(), /*workers=*/1, /*queue_capacity=*/1);
  ASSERT_TRUE(pool.ok()) << pool.status().message();
  ModelPool& p = **pool;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<bool> started{false};
  const auto far = Clock::now() + std::chrono::minutes(1);
  std::function<void(Classifier&)> block = [&](Classifier&) {
    started = true;
    released.wait();
  };
  std::thread running([&] { p.Run(block, far); });
  while (!started) std::this_thread::yield();
  std::atomic<int> queued_ran{0};
  std::function<void(Classifier&)> count = [&](Classifier&) { ++queued_ran; };
  std::thread waiting([&] { p.Run(count, far); });
  while (p.queue_depth() != 1) std::this_thread::yield();
  // The worker is busy and the one waiting place taken: refused at once, with Retry-After.
  try {
    p.Run(count, far);
    FAIL() << "a third job was accepted";
  } catch (const HttpError& e) {
    EXPECT_EQ(e.status(), 503);
    EXPECT_EQ(e.retry_after_s(), 1);
    EXPECT_NE(std::string(e.what()).find("overloaded"), std::string::npos);
  }
  release.set_value();
  running.join();
  waiting.join();
  EXPECT_EQ(queued_ran, 1);

  // A job still queued when its deadline passes is dropped and reported.
  std::promise<void> release2;
  std::shared_future<void> released2 = release2.get_future().share();
  started = false;
  std::function<void(Classifier&)> block2 = [&](Classifier&) {
    started = true;
    released2.wait();
  };
  std::thread running2([&] { p.Run(block2, far); });
  while (!started) std::this_thread::yield();
  EXPECT_EQ(StatusOf([&] { p.Run(count, Clock::now() + std::chrono::milliseconds(30)); }), 503);
  EXPECT_EQ(p.queue_depth(), 0u);
  release2.set_value();
  running2.join();
  EXPECT_EQ(queued_ran, 1);  // the timed-out job never ran
}

TEST(ServerModelPool, JobsRunOnClonesAndErrorsComeBack) {
  auto pool = ModelPool::Create("tiny", Tiny(), /*workers=*/2, /*queue_capacity=*/8);
  ASSERT_TRUE(pool.ok());
  const std::vector<uint8_t> bytes = testing::ReadFileBytes(testing::ImagePath("burger.jpg"));
  std::vector<std::vector<Classification>> results(6);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < results.size(); ++i)
    threads.emplace_back([&, i] {
      (*pool)->Run([&](Classifier& c) { results[i] = *c.ClassifyEncoded(bytes); }, Clock::now() + std::chrono::minutes(1));
    });
  for (auto& t : threads) t.join();
  for (const auto& r : results) {
    ASSERT_EQ(r.size(), 1001u);  // every class, ranked: routes cut it
    EXPECT_EQ(r[0].index, results[0][0].index);
    EXPECT_EQ(r[0].score, results[0][0].score);
  }
  EXPECT_EQ(StatusOf([&] {
              (*pool)->Run([](Classifier&) { throw HttpError(400, "bad image"); }, Clock::now() + std::chrono::minutes(1));
            }),
            400);
}

TEST(Server, HeaderExample) {
  ServerOptions options;
  options.models.push_back({"tiny", Tiny()});
  options.port = 0;
  options.workers = 1;
  auto server = Server::Create(options);
  ASSERT_TRUE(server.ok()) << server.status().message();
  auto port = (*server)->Bind();
  ASSERT_TRUE(port.ok());
  std::thread t([&] { (void)(*server)->Serve(); });
  httplib::Client client("127.0.0.1", *port);
  auto res = client.Get("/v2/models/tiny/ready");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, R"({"name":"tiny","ready":true})");
  (*server)->Stop();
  t.join();
}

TEST(Server, RefusesBadModelNames) {
  ServerOptions options;
  options.models.push_back({"a/b", Tiny()});
  auto server = Server::Create(options);
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.status().origin(), ErrorOrigin::kUsage);
}

}  // namespace
}  // namespace labelite::server
