// The image of a plain upload (POST /v1/classify) once cpp-httplib and ReadBody have read the
// request: the raw body, or the first file part of a multipart/form-data form (preferably
// the part named "file" or "image"). A form without a file part, or an empty image, is an
// HttpError 400. fuzz/multipart_fuzz.cc feeds it raw requests through MemoryHttpServer.
#ifndef LABELITE_SERVER_PLAIN_REQUEST_H_
#define LABELITE_SERVER_PLAIN_REQUEST_H_

#include <httplib.h>

#include <string>
#include <string_view>

namespace labelite::server {

struct Upload {
  std::string_view bytes;  // into the request's body or one of its files
  std::string file = "-";  // the part's file name, "-" for a raw body or a part without one
};

Upload UploadOf(const httplib::Request& req);

}  // namespace labelite::server

#endif  // LABELITE_SERVER_PLAIN_REQUEST_H_
