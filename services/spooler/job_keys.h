// Key layout of every RocksDB column family the spooler uses. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace spoolgate::spooler {

// Column family names.
inline constexpr char kJobsFamily[] = "jobs";          // jobs not yet final
inline constexpr char kHistoryFamily[] = "history";    // final jobs
inline constexpr char kFinishedFamily[] = "finished";  // history by finish time
// Held a queue order written on every update and never read; dropped at open.
inline constexpr char kRetiredQueueIndexFamily[] = "queue_index";
inline constexpr char kQueuesFamily[] = "queues";
inline constexpr char kDataFamily[] = "job_data";

// Key in the default family holding the first job id not yet reserved.
inline constexpr char kIdReservationKey[] = "meta/next_unreserved_job_id";
// Key in the default family holding the layout version of the store. Version
// 2 keeps final jobs in their own family; a store without the key is
// converted at open.
inline constexpr char kLayoutKey[] = "meta/layout";
inline constexpr uint64_t kStoreLayout = 2;

// Keys in the default family of the stopped printers ("agent/printer" after
// the prefix) and of the accounting records (AccountingKey).
inline constexpr char kStoppedPrinterPrefix[] = "stopped-printer/";
inline constexpr char kAccountingPrefix[] = "accounting/";
// Sorted by finish time, then job id.
std::string AccountingKey(int64_t finished_unix_micros, uint64_t job_id);

std::string JobKey(uint64_t job_id);
std::optional<uint64_t> ParseJobKey(absl::string_view key);

// Sorted by finish time, then job id.
std::string FinishedKey(int64_t finished_unix_micros, uint64_t job_id);
struct FinishedKeyParts {
  int64_t finished_unix_micros;
  uint64_t job_id;
};
std::optional<FinishedKeyParts> ParseFinishedKey(absl::string_view key);

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
