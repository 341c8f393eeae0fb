#include "server/plain_request.h"

#include "server/http_util.h"

namespace labelite::server {

Upload UploadOf(const httplib::Request& req) {
  Upload upload;
  if (req.is_multipart_form_data()) {
    const httplib::MultipartFormData* part = nullptr;
    for (const char* name : {"file", "image"})
      if (!part && req.has_file(name)) part = &req.files.find(name)->second;
    for (const auto& [name, p] : req.files)
      if (!part && !p.filename.empty()) part = &p;
    if (!part) throw HttpError(400, "the multipart form has no file part (send the image as \"file\")");
    upload.bytes = part->content;
    if (!part->filename.empty()) upload.file = part->filename;
  } else {
    upload.bytes = req.body;
  }
  if (upload.bytes.empty()) throw HttpError(400, "no image: the request body is empty");
  return upload;
}

}  // namespace labelite::server
