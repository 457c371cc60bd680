// One job being received over Intake: documents streamed chunk by chunk
// into the store, each one synced at its end, then the commit.
//
// Not thread safe: one Submission belongs to one Submit stream. Destroying
// it before Commit() succeeded discards the job and its data.
#pragma once

#include <cstdint>
#include <map>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/base/sha256.h"
#include "spoolgate/v1/intake.pb.h"
#include "spoolgate/v1/job.pb.h"

namespace spoolgate::spooler {

class Spooler;

class Submission {
 public:
  ~Submission();
  Submission(const Submission&) = delete;
  Submission& operator=(const Submission&) = delete;

  uint64_t job_id() const { return job_.id(); }

  absl::Status StartDocument(const v1::DocumentStart& start);
  // Refuses chunks over the chunk limit and jobs over the queue's size limit.
  absl::Status AppendChunk(absl::string_view data);
  // Returns only after the document's bytes are synced to disk.
  absl::StatusOr<v1::Document> EndDocument();
  // Applies attributes learned after the header (see JobUpdate).
  absl::Status Update(const v1::JobUpdate& update);
  // The idempotency key's parts (JobHeader.request_id); empty = none.
  void SetRequestId(std::string request_id, bool with_content) {
    request_id_ = std::move(request_id);
    request_id_with_content_ = with_content;
  }
  // Makes the job PENDING; returns only after its record is synced.
  absl::StatusOr<v1::SubmitResponse::Committed> Commit();

 private:
  friend class Spooler;
  Submission(Spooler* spooler, v1::Job job, uint64_t max_bytes, size_t max_chunk_bytes);

  Spooler* const spooler_;  // not owned; outlives this
  v1::Job job_;
  const uint64_t max_bytes_;  // 0 = no limit
  const size_t max_chunk_bytes_;
  uint64_t total_bytes_ = 0;
  bool document_open_ = false;
  uint64_t document_bytes_ = 0;
  Sha256 sha_;
  bool committed_ = false;
  bool failed_ = false;         // an error ended the stream; nothing more accepted
  uint32_t chunks_since_disk_check_ = 0;
  std::map<uint32_t, v1::DocumentStart> pending_documents_;  // updates for later documents
  std::string request_id_;  // idempotency (see JobHeader.request_id)
  bool request_id_with_content_ = false;
  bool duplicate_ = false;  // a retry of an earlier job: discarded as such
};

}  // namespace spoolgate::spooler
