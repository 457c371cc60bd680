// One job being received over Intake, then its commit.
//
// A document's bytes are held in memory while the job's documents together
// stay within the inline limit; they are written with the commit, in its one
// synced batch (group commit shares that fsync between concurrent jobs). A
// document that grows past the limit moves to a spool file of its own,
// synced at the document's end. So every byte is written once, and a job is
// visible only once its commit is durable.
//
// Not thread safe: one Submission belongs to one Submit stream. Destroying
// it before Commit() succeeded discards the job and its data.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "services/spooler/job_store.h"
#include "services/spooler/spool_files.h"
#include "spoolgate/v1/intake.pb.h"
#include "spoolgate/v1/job.pb.h"

namespace spoolgate::spooler {

class Intake;

class Submission {
 public:
  // Made by Intake::BeginJob: `job` admitted, with its id.
  Submission(Intake* intake, v1::Job job, uint64_t max_bytes, size_t max_chunk_bytes,
             size_t inline_limit, ChecksumAlgorithm checksum);
  ~Submission();
  Submission(const Submission&) = delete;
  Submission& operator=(const Submission&) = delete;

  uint64_t job_id() const { return job_.id(); }
  // Whether `more_bytes` of the open document go to a spool file (writes
  // that may wait for the disk) rather than to memory. With 0: whether
  // ending the document syncs a file.
  bool WritesToFile(size_t more_bytes) const {
    return file_ != nullptr || (document_open_ && inline_bytes_ + more_bytes > inline_limit_);
  }
  // Whether AppendChunk(`bytes` bytes) may wait for the disk: it creates
  // the document's spool file, or the file's writer is behind.
  bool ChunkMayWait(size_t bytes) const {
    if (!WritesToFile(bytes)) return false;
    return file_ == nullptr || file_->AppendMayWait(bytes);
  }

  absl::Status StartDocument(const v1::DocumentStart& start);
  // Refuses chunks over the chunk limit and jobs over the queue's size limit.
  absl::Status AppendChunk(absl::string_view data) {
    return AppendChunk(absl::MakeConstSpan(&data, 1));
  }
  // A chunk in pieces, as it came off the wire (see ChunkDataOf).
  absl::Status AppendChunk(absl::Span<const absl::string_view> pieces);
  // Ends the document; a spool file is synced before this returns, an
  // inline document is made durable by the commit.
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
  // Moves the open document from memory to a spool file.
  absl::Status SpillToFile();

  Intake* const intake_;  // not owned; outlives this
  v1::Job job_;
  const uint64_t max_bytes_;  // 0 = no limit
  const size_t max_chunk_bytes_;
  const size_t inline_limit_;  // bytes of all inline documents of the job
  const ChecksumAlgorithm checksum_;  // kept with each document
  size_t inline_bytes_ = 0;    // held by inline_documents_ and buffer_
  std::string buffer_;         // the open document, while it is inline
  std::unique_ptr<SpoolFiles::Writer> file_;  // the open document, once spilled
  std::vector<JobStore::InlineDocument> inline_documents_;
  std::vector<std::string> spool_files_;  // created for this job; removed unless committed
  uint64_t total_bytes_ = 0;
  bool document_open_ = false;
  uint64_t document_bytes_ = 0;
  bool committed_ = false;
  bool failed_ = false;         // an error ended the stream; nothing more accepted
  uint32_t chunks_since_disk_check_ = 0;
  std::map<uint32_t, v1::DocumentStart> pending_documents_;  // updates for later documents
  std::string request_id_;  // idempotency (see JobHeader.request_id)
  bool request_id_with_content_ = false;
  bool duplicate_ = false;  // a retry of an earlier job: discarded as such
};

}  // namespace spoolgate::spooler
