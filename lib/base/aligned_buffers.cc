#include "lib/base/aligned_buffers.h"

#include <sys/mman.h>

namespace spoolgate {
namespace {

// Buffers are mappings of their own, not heap memory: in the heap, buffers
// of a few MiB between smaller allocations (gRPC's message slices) left
// holes the heap could not give back, and its resident size grew with the
// number of uploads at once, beyond the buffers themselves.
char* Map(size_t bytes) {
  void* data = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  return data == MAP_FAILED ? nullptr : static_cast<char*>(data);
}

void Unmap(char* data, size_t bytes) { ::munmap(data, bytes); }

}  // namespace

// Only buffers the pool made have data, and those know their pool.
void AlignedBuffers::GiveBack::operator()(char* data) const { pool_->GiveBackBuffer(data, bytes_); }

AlignedBuffers::~AlignedBuffers() {
  for (auto& [bytes, data] : kept_) Unmap(data, bytes);
}

AlignedBuffers& AlignedBuffers::ForDirectIo() {
  static AlignedBuffers* pool = new AlignedBuffers(kDirectIoBytes);
  return *pool;
}

AlignedBuffers::Buffer AlignedBuffers::TakeKeptLocked(size_t bytes) {
  size_t best = kept_.size();
  for (size_t i = 0; i < kept_.size(); ++i) {
    if (kept_[i].first >= bytes && (best == kept_.size() || kept_[i].first < kept_[best].first)) {
      best = i;
    }
  }
  if (best == kept_.size()) return nullptr;
  auto [size, data] = kept_[best];
  kept_[best] = kept_.back();
  kept_.pop_back();
  kept_bytes_ -= size;
  in_use_bytes_ += size;
  return Buffer(data, GiveBack(this, size));
}

AlignedBuffers::Buffer AlignedBuffers::Allocate(size_t bytes) {
  char* data = Map(bytes);
  if (data == nullptr) {
    absl::MutexLock lock(&mu_);
    in_use_bytes_ -= bytes;
  }
  return Buffer(data, GiveBack(this, bytes));
}

AlignedBuffers::Buffer AlignedBuffers::Take(size_t bytes) {
  {
    absl::MutexLock lock(&mu_);
    if (Buffer kept = TakeKeptLocked(bytes)) return kept;
    in_use_bytes_ += bytes;
  }
  return Allocate(bytes);
}

AlignedBuffers::Buffer AlignedBuffers::TryTake(size_t bytes) {
  std::vector<std::pair<char*, size_t>> freed;
  {
    absl::MutexLock lock(&mu_);
    if (Buffer kept = TakeKeptLocked(bytes)) return kept;
    if (in_use_bytes_ + bytes > max_bytes_) return nullptr;
    // Kept buffers (all too small for this one) make room.
    while (in_use_bytes_ + kept_bytes_ + bytes > max_bytes_) {
      freed.emplace_back(kept_.back().second, kept_.back().first);
      kept_bytes_ -= kept_.back().first;
      kept_.pop_back();
    }
    in_use_bytes_ += bytes;
  }
  for (auto [data, size] : freed) Unmap(data, size);
  return Allocate(bytes);
}

void AlignedBuffers::GiveBackBuffer(char* data, size_t bytes) {
  {
    absl::MutexLock lock(&mu_);
    in_use_bytes_ -= bytes;
    if (in_use_bytes_ + kept_bytes_ + bytes <= max_bytes_) {
      kept_.emplace_back(bytes, data);
      kept_bytes_ += bytes;
      return;
    }
  }
  Unmap(data, bytes);
}

}  // namespace spoolgate
