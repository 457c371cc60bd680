#include "lib/base/aligned_buffers.h"

#include <cstdlib>

namespace spoolgate {

void AlignedBuffers::GiveBack::operator()(char* data) const {
  if (pool_ != nullptr) {
    pool_->Keep(data, bytes_);
  } else {
    std::free(data);
  }
}

AlignedBuffers::~AlignedBuffers() {
  for (auto& [bytes, data] : kept_) std::free(data);
}

AlignedBuffers& AlignedBuffers::ForDirectIo() {
  static AlignedBuffers* pool = new AlignedBuffers(4096, 32 << 20);
  return *pool;
}

AlignedBuffers::Buffer AlignedBuffers::Take(size_t bytes) {
  {
    // The smallest kept buffer that is large enough.
    absl::MutexLock lock(&mu_);
    size_t best = kept_.size();
    for (size_t i = 0; i < kept_.size(); ++i) {
      if (kept_[i].first >= bytes && (best == kept_.size() || kept_[i].first < kept_[best].first)) {
        best = i;
      }
    }
    if (best != kept_.size()) {
      auto [size, data] = kept_[best];
      kept_[best] = kept_.back();
      kept_.pop_back();
      kept_bytes_ -= size;
      return Buffer(data, GiveBack(this, size));
    }
  }
  return Buffer(static_cast<char*>(std::aligned_alloc(alignment_, bytes)), GiveBack(this, bytes));
}

void AlignedBuffers::Keep(char* data, size_t bytes) {
  if (data == nullptr) return;
  {
    absl::MutexLock lock(&mu_);
    if (kept_bytes_ + bytes <= max_kept_bytes_) {
      kept_.emplace_back(bytes, data);
      kept_bytes_ += bytes;
      return;
    }
  }
  std::free(data);
}

}  // namespace spoolgate
