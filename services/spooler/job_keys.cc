// Key grammar (all integers big-endian so byte order equals numeric order):
//   jobs:         job_id:u64          -> Job (not yet final)
//   history:      job_id:u64          -> Job (COMPLETED, FAILED, CANCELLED)
//   finished:     finished_micros:u64 job_id:u64 -> "" (the purge order of history)
//   queues:       queue_name
//   job_data:     job_id:u64 document:u32 offset:u64   -> chunk bytes
//                 (offset is the document byte position of the chunk's first byte)
//   default:      "meta/next_unreserved_job_id" -> u64
//                 "meta/layout" -> u64 (kStoreLayout)
#include "services/spooler/job_keys.h"

#include "absl/strings/str_cat.h"

namespace spoolgate::spooler {
namespace {
void PutBigEndian(std::string* out, uint64_t value, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) {
    out->push_back(static_cast<char>((value >> (8 * i)) & 0xff));
  }
}
uint64_t GetBigEndian(absl::string_view in, int bytes) {
  uint64_t value = 0;
  for (int i = 0; i < bytes; ++i) {
    value = (value << 8) | static_cast<unsigned char>(in[i]);
  }
  return value;
}
}  // namespace

std::string EncodeFixed64(uint64_t value) {
  std::string out;
  PutBigEndian(&out, value, 8);
  return out;
}

std::optional<uint64_t> DecodeFixed64(absl::string_view bytes) {
  if (bytes.size() != 8) return std::nullopt;
  return GetBigEndian(bytes, 8);
}

std::string JobKey(uint64_t job_id) { return EncodeFixed64(job_id); }

std::string AccountingKey(int64_t finished_unix_micros, uint64_t job_id) {
  uint64_t micros = finished_unix_micros < 0 ? 0 : static_cast<uint64_t>(finished_unix_micros);
  return absl::StrCat(kAccountingPrefix, EncodeFixed64(micros), EncodeFixed64(job_id));
}

std::optional<uint64_t> ParseJobKey(absl::string_view key) { return DecodeFixed64(key); }

std::string FinishedKey(int64_t finished_unix_micros, uint64_t job_id) {
  uint64_t micros = finished_unix_micros < 0 ? 0 : static_cast<uint64_t>(finished_unix_micros);
  return absl::StrCat(EncodeFixed64(micros), EncodeFixed64(job_id));
}

std::optional<FinishedKeyParts> ParseFinishedKey(absl::string_view key) {
  if (key.size() != 16) return std::nullopt;
  return FinishedKeyParts{static_cast<int64_t>(GetBigEndian(key.substr(0, 8), 8)),
                          GetBigEndian(key.substr(8, 8), 8)};
}

std::string DataKey(uint64_t job_id, uint32_t document, uint64_t offset) {
  std::string out;
  PutBigEndian(&out, job_id, 8);
  PutBigEndian(&out, document, 4);
  PutBigEndian(&out, offset, 8);
  return out;
}

std::string DataJobBegin(uint64_t job_id) { return EncodeFixed64(job_id); }

std::string DataJobEnd(uint64_t job_id) {
  // job_id is never UINT64_MAX (ids start at 1 and are 63-bit in practice).
  return EncodeFixed64(job_id + 1);
}

std::optional<DataKeyParts> ParseDataKey(absl::string_view key) {
  if (key.size() != 20) return std::nullopt;
  return DataKeyParts{GetBigEndian(key.substr(0, 8), 8),
                      static_cast<uint32_t>(GetBigEndian(key.substr(8, 4), 4)),
                      GetBigEndian(key.substr(12, 8), 8)};
}

}  // namespace spoolgate::spooler
