// Key layout of every RocksDB column family the spooler uses. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace spoolgate::spooler {

// Column family names.
inline constexpr char kJobsFamily[] = "jobs";
inline constexpr char kQueueIndexFamily[] = "queue_index";
inline constexpr char kQueuesFamily[] = "queues";
inline constexpr char kDataFamily[] = "job_data";

// Key in the default family holding the first job id not yet reserved.
inline constexpr char kIdReservationKey[] = "meta/next_unreserved_job_id";

// Keys in the default family of the stopped printers ("agent/printer" after
// the prefix) and of the accounting records (AccountingKey).
inline constexpr char kStoppedPrinterPrefix[] = "stopped-printer/";
inline constexpr char kAccountingPrefix[] = "accounting/";
// Sorted by finish time, then job id.
std::string AccountingKey(int64_t finished_unix_micros, uint64_t job_id);

std::string JobKey(uint64_t job_id);
std::optional<uint64_t> ParseJobKey(absl::string_view key);

// Sorted by queue, then priority (highest first), then id (oldest first).
std::string QueueIndexKey(absl::string_view queue, int priority, uint64_t job_id);
// Every index key of `queue` starts with this.
std::string QueueIndexPrefix(absl::string_view queue);
std::optional<uint64_t> JobIdFromQueueIndexKey(absl::string_view key);

std::string DataKey(uint64_t job_id, uint32_t document, uint64_t offset);
// First key of a job's data, and the first key after it (for DeleteRange).
std::string DataJobBegin(uint64_t job_id);
std::string DataJobEnd(uint64_t job_id);
struct DataKeyParts {
  uint64_t job_id;
  uint32_t document;
  uint64_t offset;
};
std::optional<DataKeyParts> ParseDataKey(absl::string_view key);

std::string EncodeFixed64(uint64_t value);
std::optional<uint64_t> DecodeFixed64(absl::string_view bytes);

}  // namespace spoolgate::spooler
