// The request parsers of the server without sockets or models: KServe v2 (JSON and binary
// extension), TF Serving JSON, and plain uploads read by cpp-httplib in memory. The bugs the
// server fuzz targets found have a test here each, besides their input under
// fuzz/regressions/<target>/ (which scripts/fuzz.sh replays).
#include <gtest/gtest.h>

#include <cstdio>
#include <functional>

#include "server/http_util.h"
#include "server/kserve_v2_request.h"
#include "server/memory_http.h"
#include "server/metrics.h"
#include "server/plain_request.h"
#include "server/routes.h"
#include "server/tf_serving_request.h"

namespace labelite::server {
namespace {

// The error of `f` as "<status> <message>", or "ok".
std::string ErrorOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const HttpError& e) {
    return std::to_string(e.status()) + " " + e.what();
  }
  return "ok";
}

ClassifierSummary Model(DataType type = DataType::kUInt8) {
  ClassifierSummary s;
  s.input_name = "input";
  s.input_type = type;
  s.input_height = 2;
  s.input_width = 2;
  s.input_channels = 3;
  s.output_names = {"scores", "logits"};
  s.num_classes = {5, 3};
  return s;
}

std::string Le32(uint32_t n) {
  std::string s(4, '\0');
  for (int i = 0; i < 4; ++i) s[static_cast<size_t>(i)] = static_cast<char>((n >> (8 * i)) & 0xff);
  return s;
}

TEST(KServeRequest, JsonBytesInputAndClassificationOutput) {
  const std::string body =
      R"({"id": "7", "inputs": [{"name": "input", "datatype": "BYTES", "shape": [2, 1],)"
      R"( "data": ["aGVsbG8=", {"b64": "YQ"}]}], "outputs": [{"name": "logits", "parameters": {"classification": 9}}]})";
  const InferRequest r = ParseInferRequest(Model(), body, nullptr);
  EXPECT_EQ(r.id, "7");
  ASSERT_TRUE(r.images_input);
  ASSERT_EQ(r.images.size(), 2u);
  EXPECT_EQ(r.images[0], "hello");
  EXPECT_EQ(r.images[1], "a");
  ASSERT_EQ(r.outputs.size(), 1u);
  EXPECT_EQ(r.outputs[0].head, 1);
  EXPECT_EQ(r.outputs[0].classification, 3);  // at most the head's class count
  EXPECT_EQ(r.what, "input 'input'");
}

TEST(KServeRequest, BinaryExtensionBytesAndTensor) {
  const std::string json =
      R"({"inputs": [{"name": "input", "datatype": "BYTES", "shape": [2], "parameters": {"binary_data_size": 11}}]})";
  const std::string body = json + Le32(3) + "abc" + Le32(0);
  const std::string split = std::to_string(json.size());
  const InferRequest r = ParseInferRequest(Model(), body, &split);
  ASSERT_EQ(r.images.size(), 2u);
  EXPECT_EQ(r.images[0], "abc");
  EXPECT_EQ(r.images[1], "");
  EXPECT_EQ(r.outputs.size(), 2u);  // every head when none is named

  const std::string tensor_json =
      R"({"inputs": [{"name": "input", "datatype": "UINT8", "shape": [2, 2, 2, 3], "parameters": {"binary_data_size": 24}}]})";
  const std::string pixels(24, '\x07');
  const std::string tensor_split = std::to_string(tensor_json.size());
  const InferRequest t = ParseInferRequest(Model(), tensor_json + pixels, &tensor_split);
  EXPECT_FALSE(t.images_input);
  EXPECT_EQ(t.batch, 2u);
  EXPECT_EQ(t.tensor, pixels);
}

TEST(KServeRequest, HeaderLengthIsDigitsOnlyAndQuotedWhenNot) {
  const std::string body = R"({"inputs": []})";
  for (const char* bad : {"", " 5", "+5", "-1", "5 ", "0x10", "\x0b" "5", "1e3"}) {
    const std::string v = bad;
    const std::string e = ErrorOf([&] { (void)ParseInferRequest(Model(), body, &v); });
    EXPECT_EQ(e.rfind("400 Inference-Header-Content-Length is not a byte count: '", 0), 0u) << e;
    for (char c : e) EXPECT_TRUE(c >= 0x20 && c < 0x7f) << e;
  }
  const std::string huge = "99999999999999999999";
  EXPECT_EQ(ErrorOf([&] { (void)ParseInferRequest(Model(), body, &huge); }),
            "400 Inference-Header-Content-Length is not a byte count: '99999999999999999999'");
  const std::string over = "16";
  EXPECT_EQ(ErrorOf([&] { (void)ParseInferRequest(Model(), body, &over); }),
            "400 Inference-Header-Content-Length 16 exceeds the body's 14 bytes");
}

TEST(KServeRequest, ALongShapeIsNotCopiedIntoTheMessage) {
  std::string zeros = "0";
  for (int i = 0; i < 10000; ++i) zeros += ",0";
  const std::string body = R"({"inputs": [{"name": "input", "datatype": "UINT8", "shape": [)" + zeros + R"(], "data": []}]})";
  EXPECT_EQ(ErrorOf([&] { (void)ParseInferRequest(Model(), body, nullptr); }),
            "400 input 'input': shape 10001-D does not fit the model's input [N, 2, 2, 3]");
}

TEST(KServeRequest, RefusalsNameTheProblem) {
  const auto error = [](const std::string& body) {
    return ErrorOf([&] { (void)ParseInferRequest(Model(), body, nullptr); });
  };
  EXPECT_EQ(error("[1]"), "400 the inference request must be a JSON object");
  EXPECT_EQ(error(R"({"inputs": [{"name": "x\u0001", "datatype": "BYTES", "shape": [1], "data": ["YQ=="]}]})"),
            "400 unknown input 'x\\x01' (the model's input is 'input')");
  EXPECT_EQ(error(R"({"inputs": [{"name": "input", "datatype": "INT8", "shape": [1], "data": [1]}]})"),
            "400 input 'input': datatype 'INT8' does not fit the model (it takes BYTES images or UINT8 tensors)");
  EXPECT_EQ(error(R"({"inputs": [{"name": "input", "datatype": "UINT8", "shape": [2, 2, 3], "data": [256]}]})"),
            "400 input 'input': shape holds 12 elements, \"data\" 1");
}

// Found by oip_request_fuzz and tfserving_request_fuzz: nlohmann_json throws out_of_range (not
// parse_error) for a number beyond double's range; it escaped as a 500 quoting the number.
TEST(ServerJson, ANumberOutOfRangeIs400) {
  EXPECT_EQ(ErrorOf([] { (void)ParseJson("[1e999]"); }), "400 invalid JSON: a number is out of range");
  EXPECT_EQ(ErrorOf([] { (void)ParseInferRequest(Model(), R"({"inputs": [], "x": -8E888888})", nullptr); }),
            "400 invalid JSON: a number is out of range");
  EXPECT_EQ(ErrorOf([] { (void)ParseTfServingPredict(Model(), "8E888888"); }),
            "400 invalid JSON: a number is out of range");
  EXPECT_EQ(ParseJson("[1e308, 4e-400]").dump(), "[1e+308,0.0]");  // in range, or underflowing to 0
}

TEST(TfServingRequest, PredictRowsColumnsAndClassify) {
  const TfServingRequest rows = ParseTfServingPredict(Model(), R"({"instances": [{"b64": "aGk="}, {"image": {"b64": "YQ"}}]})");
  EXPECT_TRUE(rows.row);
  EXPECT_EQ(rows.count, 2u);
  EXPECT_EQ(rows.images, (std::vector<std::string>{"hi", "a"}));

  const TfServingRequest columns =
      ParseTfServingPredict(Model(), R"({"inputs": {"x": [[[[1, 2, 3], [4, 5, 6]], [[7, 8, 9], [10, 11, 12]]]]}})");
  EXPECT_FALSE(columns.row);
  EXPECT_EQ(columns.count, 1u);
  EXPECT_EQ(columns.tensors, std::string("\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c"));

  const TfServingRequest examples = ParseTfServingClassify(Model(), R"({"examples": [{"image/encoded": {"b64": "YQ=="}}]})");
  EXPECT_EQ(examples.images, std::vector<std::string>{"a"});

  EXPECT_EQ(ErrorOf([] { (void)ParseTfServingPredict(Model(), R"({"instances": [{"b64": "YQ=="}, [[1]]]})"); }),
            "400 instances[1]: not an encoded image ({\"b64\": ...}) nor an array of shape [2][2][3]");
  EXPECT_EQ(ErrorOf([] { (void)ParseTfServingClassify(Model(), R"({"examples": []})"); }),
            "400 \"examples\" must be a non-empty array");
}

TEST(MemoryHttpServer, HeaderExample) {
  MemoryHttpServer http;
  http.Post("/echo", [](const httplib::Request& req, httplib::Response& res) { res.body = req.body; });
  std::string reply = http.Handle("POST /echo HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi");
  EXPECT_EQ(reply.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << reply;
  EXPECT_EQ(ResponseStatus(reply), 200);
  EXPECT_EQ(ResponseBody(reply), "hi");
  EXPECT_EQ(ResponseStatus(http.Handle("GET /nowhere HTTP/1.1\r\n\r\n")), 404);
  EXPECT_EQ(ResponseStatus(http.Handle("BREW /echo HTTP/1.1\r\n\r\n")), 400);
}

// cpp-httplib reading uploads in memory, configured as the server configures it.
class UploadTest : public ::testing::Test {
 protected:
  UploadTest() {
    ctx_.options.max_body = 1000;
    ctx_.metrics = &metrics_;
    ConfigureHttp(http_, ctx_);
    http_.Post("/v1/classify", PostRoute(ctx_, "plain_classify", [](const httplib::Request& req, httplib::Response& res) {
      const Upload u = UploadOf(req);
      SendJson(res, {{"file", u.file}, {"bytes", std::string(u.bytes)}});
    }));
  }
  // "<status> <body>" of a POST with this Content-Type and body.
  std::string Post(const std::string& type, const std::string& body) {
    const std::string response = http_.Handle("POST /v1/classify HTTP/1.1\r\nContent-Type: " + type +
                                              "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
    return std::to_string(ResponseStatus(response)) + " " + std::string(ResponseBody(response));
  }

  Context ctx_;
  Metrics metrics_;
  MemoryHttpServer http_;
};

TEST_F(UploadTest, RawBodyAndMultipartFilePart) {
  EXPECT_EQ(Post("image/bmp", "BMxyz"), R"j(200 {"bytes":"BMxyz","file":"-"})j");
  const std::string form =
      "--b\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhi\r\n"
      "--b\r\nContent-Disposition: form-data; name=\"upload\"; filename=\"cat.bmp\"\r\n\r\nBMcat\r\n--b--\r\n";
  EXPECT_EQ(Post("multipart/form-data; boundary=b", form), R"j(200 {"bytes":"BMcat","file":"cat.bmp"})j");
}

TEST_F(UploadTest, FormsWithoutAnImageAndOversizedBodiesAreRefused) {
  EXPECT_EQ(Post("multipart/form-data; boundary=b", "--b\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhi\r\n--b--\r\n"),
            R"j(400 {"error":"the multipart form has no file part (send the image as \"file\")"})j");
  EXPECT_EQ(Post("multipart/form-data; boundary=b", "no boundary here"),
            R"j(400 {"error":"the request body could not be read (cut short, or malformed multipart data)"})j");
  EXPECT_EQ(Post("image/bmp", ""), R"j(400 {"error":"no image: the request body is empty"})j");
  EXPECT_EQ(Post("image/bmp", std::string(1001, 'x')),
            R"j(413 {"error":"request body larger than 1000 bytes (--max-body)"})j");
}

// The body in chunks of `n` bytes (Transfer-Encoding: chunked).
std::string Chunked(const std::string& body, size_t n) {
  std::string out;
  for (size_t i = 0; i < body.size(); i += n) {
    const std::string chunk = body.substr(i, n);
    char size[24];
    std::snprintf(size, sizeof size, "%zx\r\n", chunk.size());
    out += size + chunk + "\r\n";
  }
  return out + "0\r\n\r\n";
}

// Found while writing multipart_fuzz: a chunked body has no Content-Length for cpp-httplib to refuse, and
// --max-body bounded each part of a form, not the form: any number of parts got through.
TEST_F(UploadTest, AChunkedFormLargerThanMaxBodyIs413) {
  std::string form;
  for (int i = 0; i < 3; ++i)
    form += "--b\r\nContent-Disposition: form-data; name=\"p" + std::to_string(i) + "\"; filename=\"x.bmp\"\r\n\r\n" +
            std::string(600, 'a') + "\r\n";
  form += "--b--\r\n";
  const std::string head = "POST /v1/classify HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Type: ";
  std::string response = http_.Handle(head + "multipart/form-data; boundary=b\r\n\r\n" + Chunked(form, 100));
  EXPECT_EQ(ResponseStatus(response), 413);
  EXPECT_EQ(ResponseBody(response), R"j({"error":"request body larger than 1000 bytes (--max-body)"})j");
  // Within the limit, a chunked form is read whole.
  form = "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.bmp\"\r\n\r\n" + std::string(600, 'a') +
         "\r\n--b--\r\n";
  response = http_.Handle(head + "multipart/form-data; boundary=b\r\n\r\n" + Chunked(form, 100));
  EXPECT_EQ(ResponseStatus(response), 200);
  EXPECT_EQ(ResponseBody(response), R"j({"bytes":")j" + std::string(600, 'a') + R"j(","file":"x.bmp"})j");
  response = http_.Handle(head + "image/bmp\r\n\r\n" + Chunked(std::string(1001, 'a'), 100));
  EXPECT_EQ(ResponseStatus(response), 413);
}

}  // namespace
}  // namespace labelite::server
