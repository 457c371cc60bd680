#include "services/spooler/spool_files.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <future>
#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "lib/base/aligned_buffers.h"
#include "lib/base/file_io.h"
#include "lib/base/status_macros.h"

namespace spoolgate::spooler {
namespace {

constexpr char kSuffix[] = ".spool";
// The aligned buffers a spool file is written in: an upload past one
// buffer holds two while the pool has them to spare. At 2 MiB, four
// uploads of 16 MiB at once peaked at 73 MiB of spooler RSS instead of
// 91 MiB at 4 MiB, at the same speed (one big upload too).
constexpr size_t kWriteBufferBytes = 2 << 20;
// Reads for the printer stay larger: it is the disk that limits printing a
// big job (the spool file is read while the printer's copy is written),
// and 2 MiB reads measured no faster (maybe slower; within this machine's
// noise).
constexpr size_t kReadAheadBytes = 4 << 20;

absl::Status Errno(absl::string_view what, const std::string& path) {
  return FileError(errno, absl::StrCat(what, " ", path));
}

absl::Status SyncDirectory(const std::string& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return Errno("open directory", dir);
  if (::fsync(fd.get()) != 0) return Errno("fsync directory", dir);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<SpoolFiles> SpoolFiles::Open(std::string dir) {
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return Errno("create", dir);
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0) return Errno("stat", dir);
  if (!S_ISDIR(st.st_mode)) return absl::FailedPreconditionError(absl::StrCat(dir, " is not a directory"));
  return SpoolFiles(std::move(dir));
}

std::string SpoolFiles::NameFor(uint64_t job_id, uint32_t document) {
  return absl::StrFormat("%020u-%u%s", job_id, document, kSuffix);
}

std::string SpoolFiles::PathOf(absl::string_view name) const { return absl::StrCat(dir_, "/", name); }

absl::StatusOr<std::unique_ptr<SpoolFiles::Writer>> SpoolFiles::Create(
    uint64_t job_id, uint32_t document, ChecksumAlgorithm checksum) const {
  std::string name = NameFor(job_id, document);
  std::string path = PathOf(name);
  // Spool data bypasses the page cache where the file system allows it
  // (see DirectAppender); some file systems refuse O_DIRECT at open.
  constexpr int kFlags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC;
  UniqueFd fd(::open(path.c_str(), kFlags | O_DIRECT, 0600));
  if (!fd.valid() && errno == EINVAL) fd = UniqueFd(::open(path.c_str(), kFlags, 0600));
  if (!fd.valid()) return Errno("create", path);
  // The name must survive a crash as long as the job that will name it.
  if (auto s = SyncDirectory(dir_); !s.ok()) {
    ::unlink(path.c_str());  // nobody will name it
    return s;
  }
  return std::unique_ptr<Writer>(new Writer(std::move(name), std::move(fd), checksum));
}

SpoolFiles::Writer::Writer(std::string name, UniqueFd fd, ChecksumAlgorithm checksum)
    : name_(std::move(name)), fd_(std::move(fd)), checksum_(checksum),
      appender_(fd_.get(), name_, kWriteBufferBytes) {}

absl::Status SpoolFiles::Writer::Append(absl::string_view data) {
  // Summed here, as the bytes pass and while they are in the cache; the
  // appender's thread writes the previous buffer meanwhile. (Summing whole
  // buffers on that thread instead measured slower.)
  SPOOLGATE_RETURN_IF_ERROR(appender_.Append(data));
  checksum_.Update(data);
  return absl::OkStatus();
}

absl::Status SpoolFiles::Writer::Sync() {
  if (synced_ == size()) return absl::OkStatus();
  SPOOLGATE_RETURN_IF_ERROR(appender_.Sync());
  synced_ = size();
  return absl::OkStatus();
}

namespace {

struct BlockRead {
  ssize_t bytes = 0;  // < 0: failed with `error`
  int error = 0;
};

// One pread, retried on EINTR. A file system that opened the file for
// direct I/O but will not read that way gets the flag dropped.
BlockRead ReadBlock(int fd, char* buffer, size_t bytes, uint64_t position) {
  while (true) {
    ssize_t n = ::pread(fd, buffer, bytes, static_cast<off_t>(position));
    if (n >= 0) return {n, 0};
    int e = errno;
    if (e == EINTR || (e == EINVAL && ClearDirectIo(fd))) continue;
    return {-1, e};
  }
}

// The size of one direct read: kReadAheadBytes (or a larger block), but
// no more than the `left` bytes of the file need; most spool files are
// small.
size_t ReadBytes(size_t block_bytes, uint64_t left) {
  uint64_t full = std::max<uint64_t>(DirectAppender::AlignUp(block_bytes), kReadAheadBytes);
  uint64_t needed = std::max<uint64_t>(DirectAppender::kAlignment, DirectAppender::AlignUp(left));
  return static_cast<size_t>(std::min(full, needed));
}

}  // namespace

absl::Status SpoolFiles::Read(const std::string& name, uint64_t offset, size_t block_bytes,
                              const std::function<bool(uint64_t, absl::string_view)>& fn) const {
  std::string path = PathOf(name);
  // Direct reads, like the writes: the data was never in the page cache,
  // and filling it for one reader costs more CPU than the disk read
  // (measured: 1.2-1.4 s of spooler CPU to print 512 MiB, against 0.35 s).
  constexpr size_t kAlign = DirectAppender::kAlignment;
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECT | O_CLOEXEC));
  if (!fd.valid() && errno == EINVAL) fd = UniqueFd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ENOENT) return absl::DataLossError(absl::StrCat("spool file ", name, " is missing"));
    return Errno("open", path);
  }
  ::posix_fadvise(fd.get(), 0, 0, POSIX_FADV_SEQUENTIAL);  // for the page-cache path
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return Errno("stat", path);
  const uint64_t file_bytes = static_cast<uint64_t>(st.st_size);
  // Reads are whole aligned blocks of 4 MiB (or what is left of the file);
  // `fn` still gets at most block_bytes at a time. A direct read starts on
  // a block boundary; the bytes before `offset` are skipped.
  uint64_t position = offset / kAlign * kAlign;
  const size_t read_bytes = ReadBytes(block_bytes, file_bytes - std::min(file_bytes, position));
  AlignedBuffers& buffers = AlignedBuffers::ForDirectIo();
  AlignedBuffers::Buffer blocks[2] = {buffers.Take(read_bytes), nullptr};
  // Without page cache there is no kernel read-ahead: the next block is
  // read on a pool thread while `fn` sends this one, so the disk and the
  // network overlap. The first is read here: a file of one block needs no
  // other thread. The second buffer is one the pool can spare (it may be
  // at its limit with uploads); without it, each block is read here.
  auto read_at = [&](int i, uint64_t at) {
    auto done = std::make_shared<std::promise<BlockRead>>();
    std::future<BlockRead> result = done->get_future();
    read_ahead_->Run([done, fd = fd.get(), buffer = blocks[i].get(), read_bytes, at] {
      done->set_value(ReadBlock(fd, buffer, read_bytes, at));
    });
    return result;
  };
  // Declared after the blocks and the fd: on the way out, it waits for a
  // read still in flight before they go.
  struct InFlight {
    std::future<BlockRead> read;
    ~InFlight() {
      if (read.valid()) read.wait();
    }
  } ahead;
  BlockRead read = ReadBlock(fd.get(), blocks[0].get(), read_bytes, position);
  int current = 0;
  while (true) {
    if (read.bytes < 0) return FileError(read.error, absl::StrCat("read ", path));
    if (read.bytes == 0) return absl::OkStatus();
    size_t n = static_cast<size_t>(read.bytes);
    size_t skip = static_cast<size_t>(offset - position);
    position += n;
    // No read-ahead past the end (the file is complete when read): it
    // would only find the end again.
    bool last = position >= file_bytes;
    const int other = 1 - current;
    if (!last) {
      if (!blocks[other]) blocks[other] = buffers.TryTake(read_bytes);
      if (blocks[other]) ahead.read = read_at(other, position);
    }
    if (n > skip) {
      absl::string_view data(blocks[current].get() + skip, n - skip);
      while (!data.empty()) {
        absl::string_view piece = data.substr(0, block_bytes);
        if (!fn(offset, piece)) return absl::OkStatus();
        offset += piece.size();
        data.remove_prefix(piece.size());
      }
    }
    if (last) return absl::OkStatus();
    if (ahead.read.valid()) {
      read = ahead.read.get();
      current = other;
    } else {
      read = ReadBlock(fd.get(), blocks[current].get(), read_bytes, position);
    }
  }
}

absl::Status SpoolFiles::Remove(const std::string& name) const {
  std::string path = PathOf(name);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return Errno("remove", path);
  return absl::OkStatus();
}

absl::StatusOr<int> SpoolFiles::RemoveAllExcept(const absl::flat_hash_set<std::string>& keep) const {
  std::unique_ptr<DIR, int (*)(DIR*)> dir(::opendir(dir_.c_str()), &::closedir);
  if (!dir) return Errno("list", dir_);
  std::vector<std::string> doomed;
  while (dirent* entry = ::readdir(dir.get())) {
    std::string name = entry->d_name;
    if (name == "." || name == "..") continue;
    if (!keep.contains(name)) doomed.push_back(std::move(name));
  }
  for (const auto& name : doomed) {
    if (auto s = Remove(name); !s.ok()) return s;
  }
  return static_cast<int>(doomed.size());
}

}  // namespace spoolgate::spooler
