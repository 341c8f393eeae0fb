// Reads zip archives from memory with Debian's minizip, through custom I/O callbacks.
#include "model/embedded_zip.h"
#include "base/quote.h"

#include <unzip.h>

#include <algorithm>
#include <cstring>
#include <memory>

namespace labelite {

namespace {

constexpr size_t kMaxEntries = 100000;

// A read-only cursor over the mapped bytes: what minizip's "file" handle points to.
struct MemoryFile {
  std::span<const uint8_t> bytes;
  uint64_t pos = 0;
};

voidpf ZCALLBACK MemOpen(voidpf opaque, const void*, int mode) {
  if ((mode & ZLIB_FILEFUNC_MODE_READWRITEFILTER) != ZLIB_FILEFUNC_MODE_READ) return nullptr;
  return opaque;  // the MemoryFile itself
}

uLong ZCALLBACK MemRead(voidpf, voidpf stream, void* buf, uLong size) {
  auto* f = static_cast<MemoryFile*>(stream);
  if (f->pos >= f->bytes.size()) return 0;
  uint64_t n = std::min<uint64_t>(size, f->bytes.size() - f->pos);
  std::memcpy(buf, f->bytes.data() + f->pos, n);
  f->pos += n;
  return static_cast<uLong>(n);
}

uLong ZCALLBACK MemWrite(voidpf, voidpf, const void*, uLong) { return 0; }

ZPOS64_T ZCALLBACK MemTell(voidpf, voidpf stream) {
  return static_cast<MemoryFile*>(stream)->pos;
}

long ZCALLBACK MemSeek(voidpf, voidpf stream, ZPOS64_T offset, int origin) {
  auto* f = static_cast<MemoryFile*>(stream);
  uint64_t base = 0;
  switch (origin) {
    case ZLIB_FILEFUNC_SEEK_SET: base = 0; break;
    case ZLIB_FILEFUNC_SEEK_CUR: base = f->pos; break;
    case ZLIB_FILEFUNC_SEEK_END: base = f->bytes.size(); break;
    default: return -1;
  }
  if (offset > f->bytes.size() || base + offset > f->bytes.size()) return -1;
  f->pos = base + offset;
  return 0;
}

int ZCALLBACK MemClose(voidpf, voidpf) { return 0; }
int ZCALLBACK MemError(voidpf, voidpf) { return 0; }

struct UnzCloser {
  void operator()(void* z) const { unzClose(z); }
};
using UnzHandle = std::unique_ptr<void, UnzCloser>;

// Opens the archive; `file` must outlive the handle.
UnzHandle OpenZip(MemoryFile* file) {
  zlib_filefunc64_def funcs{};
  funcs.zopen64_file = MemOpen;
  funcs.zread_file = MemRead;
  funcs.zwrite_file = MemWrite;
  funcs.ztell64_file = MemTell;
  funcs.zseek64_file = MemSeek;
  funcs.zclose_file = MemClose;
  funcs.zerror_file = MemError;
  funcs.opaque = file;
  return UnzHandle(unzOpen2_64("memory.zip", &funcs));
}

// Reads the current entry's name and uncompressed size.
Status CurrentEntry(void* zip, std::string* name, uint64_t* size) {
  unz_file_info64 info{};
  char buf[1024];
  if (unzGetCurrentFileInfo64(zip, &info, buf, sizeof(buf), nullptr, 0, nullptr, 0) != UNZ_OK)
    return InvalidModel("embedded zip: unreadable central directory entry");
  if (info.size_filename >= sizeof(buf))
    return InvalidModel("embedded zip: entry name of " + std::to_string(info.size_filename) +
                        " bytes is too long");
  name->assign(buf, info.size_filename);
  *size = info.uncompressed_size;
  return Status::Ok();
}

}  // namespace

Result<std::vector<EmbeddedFile>> ListZipEntries(std::span<const uint8_t> bytes) {
  MemoryFile file{bytes, 0};
  UnzHandle zip = OpenZip(&file);
  if (!zip) return InvalidModel("no readable zip archive (the end of central directory record cannot be opened)");
  std::vector<EmbeddedFile> files;
  for (int rc = unzGoToFirstFile(zip.get()); rc == UNZ_OK; rc = unzGoToNextFile(zip.get())) {
    if (files.size() >= kMaxEntries)
      return InvalidModel("embedded zip has more than " + std::to_string(kMaxEntries) +
                          " entries");
    EmbeddedFile f;
    LABELITE_RETURN_IF_ERROR(CurrentEntry(zip.get(), &f.name, &f.size));
    files.push_back(std::move(f));
  }
  return files;
}

Result<std::string> ReadZipEntry(std::span<const uint8_t> bytes, const std::string& name,
                                 uint64_t max_bytes) {
  MemoryFile file{bytes, 0};
  UnzHandle zip = OpenZip(&file);
  const std::string quoted = QuoteForMessage(name);
  if (!zip) return NotFound("no embedded file " + quoted + " (the model has no zip archive)");
  // minizip takes a C string: a name with a NUL would find a different entry.
  if (name.find('\0') != std::string::npos ||
      unzLocateFile(zip.get(), name.c_str(), /*case sensitive=*/1) != UNZ_OK)
    return NotFound("no embedded file " + quoted);
  std::string entry_name;
  uint64_t size = 0;
  LABELITE_RETURN_IF_ERROR(CurrentEntry(zip.get(), &entry_name, &size));
  if (size > max_bytes)
    return ResourceExhausted("embedded file " + quoted + " has " + std::to_string(size) +
                             " bytes, over the limit of " + std::to_string(max_bytes));
  if (unzOpenCurrentFile(zip.get()) != UNZ_OK)
    return InvalidModel("embedded file " + quoted + " cannot be opened (corrupt or encrypted)");
  std::string data(static_cast<size_t>(size), '\0');
  uint64_t got = 0;
  // Read one byte past the declared size to notice entries that inflate to more.
  char extra = 0;
  while (true) {
    bool in_declared = got < size;
    unsigned want = in_declared ? static_cast<unsigned>(std::min<uint64_t>(size - got, 1u << 20))
                                : 1u;
    int n = unzReadCurrentFile(zip.get(), in_declared ? data.data() + got : &extra, want);
    if (n < 0) {
      unzCloseCurrentFile(zip.get());
      return InvalidModel("embedded file " + quoted + " is corrupt (inflate error " +
                          std::to_string(n) + ")");
    }
    if (n == 0) break;
    if (!in_declared) {
      unzCloseCurrentFile(zip.get());
      return InvalidModel("embedded file " + quoted + " inflates to more than its declared " +
                          std::to_string(size) + " bytes");
    }
    got += static_cast<uint64_t>(n);
  }
  int close_rc = unzCloseCurrentFile(zip.get());
  if (got != size)
    return InvalidModel("embedded file " + quoted + " has " + std::to_string(got) +
                        " bytes, its header declares " + std::to_string(size));
  if (close_rc == UNZ_CRCERROR)
    return InvalidModel("embedded file " + quoted + " fails its CRC check");
  if (close_rc != UNZ_OK)
    return InvalidModel("embedded file " + quoted + " cannot be read (error " +
                        std::to_string(close_rc) + ")");
  return data;
}

namespace {

uint32_t ReadLe(std::span<const uint8_t> b, size_t at, int n) {
  uint32_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | b[at + static_cast<size_t>(i)];
  return v;
}

// Offset of the first local header (PK 03 04) whose file name is one of `names`, or npos.
size_t FindLocalHeader(std::span<const uint8_t> bytes, const std::vector<std::string>& names) {
  static constexpr uint8_t kSig[4] = {'P', 'K', 3, 4};
  auto it = bytes.begin();
  while ((it = std::search(it, bytes.end(), std::begin(kSig), std::end(kSig))) != bytes.end()) {
    const size_t at = static_cast<size_t>(it - bytes.begin());
    if (at + 30 <= bytes.size()) {
      const size_t name_len = ReadLe(bytes, at + 26, 2);
      if (at + 30 + name_len <= bytes.size()) {
        const std::string name(reinterpret_cast<const char*>(bytes.data() + at + 30), name_len);
        if (std::find(names.begin(), names.end(), name) != names.end()) return at;
      }
    }
    ++it;
  }
  return std::string::npos;
}

// Finds a zip end-of-central-directory record at the end of `bytes`: its signature, with a comment
// length that reaches exactly the end of the file (so weights that happen to hold the signature
// do not count).
// Returns the number of entries the record declares, or -1 when there is no such record.
int ZipEndRecordEntries(std::span<const uint8_t> bytes) {
  constexpr size_t kRecord = 22, kMaxComment = 0xFFFF;
  if (bytes.size() < kRecord) return -1;
  const size_t lowest = bytes.size() > kRecord + kMaxComment ? bytes.size() - kRecord - kMaxComment : 0;
  for (size_t e = bytes.size() - kRecord + 1; e-- > lowest;) {
    const uint8_t* p = bytes.data() + e;
    if (p[0] != 'P' || p[1] != 'K' || p[2] != 5 || p[3] != 6) continue;
    const size_t comment = p[20] | (static_cast<size_t>(p[21]) << 8);
    if (e + kRecord + comment == bytes.size()) return p[10] | (p[11] << 8);
  }
  return -1;
}

}  // namespace

std::string DescribeTruncatedZip(std::span<const uint8_t> bytes, const std::vector<std::string>& names) {
  const size_t start = FindLocalHeader(bytes, names);
  if (start == std::string::npos) return "";
  // Walk the local entries: each is a 30-byte header, name, extra field and data; the central
  // directory repeats each header in 46 bytes + name, and the end record takes 22 more.
  uint64_t pos = start, central = 0;
  std::string listed;
  bool sizes_known = true;
  while (pos + 30 <= bytes.size() && ReadLe(bytes, pos, 4) == 0x04034b50u) {
    const uint32_t flags = ReadLe(bytes, pos + 6, 2);
    const uint64_t data = ReadLe(bytes, pos + 18, 4);
    const uint64_t name_len = ReadLe(bytes, pos + 26, 2), extra_len = ReadLe(bytes, pos + 28, 2);
    if (pos + 30 + name_len <= bytes.size()) {
      listed += (listed.empty() ? "" : ", ");
      listed.append(reinterpret_cast<const char*>(bytes.data() + pos + 30), name_len);
    }
    central += 46 + name_len;
    if (flags & 8) {  // sizes in a data descriptor after the data: the walk cannot go on
      sizes_known = false;
      break;
    }
    pos += 30 + name_len + extra_len + data;
  }
  const uint64_t needed = std::max<uint64_t>(pos, bytes.size()) + (sizes_known ? central + 22 : 22);
  return "truncated: the file is " + std::to_string(bytes.size()) + " bytes, but its embedded zip (from byte " +
         std::to_string(start) + ": " + listed + ") needs at least " + std::to_string(needed) +
         " (no end-of-central-directory record)";
}

Status CheckEmbeddedFiles(const Model& model) {
  const auto damaged = [&](const Status& s) {
    return InvalidModel(model.path() + ": damaged embedded zip: " + s.message())
        .WithOrigin(ErrorOrigin::kModel);
  };
  const std::vector<EmbeddedFile>& files = model.embedded_files();
  const int declared = files.empty() ? ZipEndRecordEntries(model.bytes()) : -1;
  if (declared >= 0) {
    Result<std::vector<EmbeddedFile>> listed = ListZipEntries(model.bytes());
    if (!listed.ok()) return damaged(listed.status());
    if (declared > 0) {
      return damaged(InvalidModel("its end record declares " + std::to_string(declared) +
                                  " entries, none can be read"));
    }
  }
  for (const EmbeddedFile& f : files) {
    Result<std::string> r = model.ReadEmbeddedFile(f.name);  // "<path>: embedded file ..."
    if (!r.ok()) {
      std::string_view m = r.status().message();
      const std::string prefix = model.path() + ": ";
      if (m.starts_with(prefix)) m.remove_prefix(prefix.size());
      return damaged(Status(r.status().code(), std::string(m)));
    }
  }
  if (!model.metadata()) return Status::Ok();
  const ModelMetadata& md = *model.metadata();
  std::vector<const AssociatedFileInfo*> named;
  for (const AssociatedFileInfo& f : md.associated_files) named.push_back(&f);
  for (const auto* list : {&md.inputs, &md.outputs})
    for (const TensorMetadataInfo& t : *list)
      for (const AssociatedFileInfo& f : t.associated_files) named.push_back(&f);
  for (const AssociatedFileInfo* f : named) {
    bool found = false;
    for (const EmbeddedFile& e : files) found = found || e.name == f->name;
    if (!found) {
      return InvalidModel(model.path() + ": the metadata names " + QuoteForMessage(f->name) +
                          ", which is not embedded" +
                          (files.empty() ? " (the model has no zip archive)" : ""))
          .WithOrigin(ErrorOrigin::kModel);
    }
  }
  return Status::Ok();
}

}  // namespace labelite
