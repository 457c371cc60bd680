#include "services/spooler/submission.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "lib/base/checksum.h"
#include "services/spooler/chunk_wire.h"
#include "services/spooler/duplicate_index.h"
#include "services/spooler/intake.h"

namespace spoolgate::spooler {
namespace {
// Check free disk space every this many chunks (about 16 MiB at 1 MiB).
constexpr uint32_t kDiskCheckEveryChunks = 16;

// Also fills the older `sha256` field when that is the algorithm, for
// readers that know only it.
void SetChecksum(ChecksumAlgorithm algorithm, std::string checksum, v1::Document* doc) {
  if (algorithm == ChecksumAlgorithm::kSha256) {
    doc->set_sha256(std::string(absl::StripPrefix(checksum, "sha256:")));
  }
  doc->set_checksum(std::move(checksum));
}

void ApplyDocument(const v1::DocumentStart& from, v1::Document* to) {
  if (!from.name().empty()) to->set_name(from.name());
  if (!from.format().empty()) to->set_format(from.format());
  if (from.copies() != 0) to->set_copies(from.copies());
}
}  // namespace

Submission::Submission(Intake* intake, v1::Job job, uint64_t max_bytes,
                       size_t max_chunk_bytes, size_t inline_limit, ChecksumAlgorithm checksum)
    : intake_(intake), job_(std::move(job)), max_bytes_(max_bytes),
      max_chunk_bytes_(max_chunk_bytes), inline_limit_(inline_limit), checksum_(checksum) {}

Submission::~Submission() {
  if (committed_) return;
  file_.reset();
  intake_->AbandonJob(job_, spool_files_, duplicate_ ? "duplicate" : "abandoned");
}

absl::Status Submission::StartDocument(const v1::DocumentStart& start) {
  if (failed_) return absl::FailedPreconditionError("submission already failed");
  if (document_open_) {
    return absl::InvalidArgumentError("document_start while a document is open");
  }
  if (job_.documents_size() >= 1000) {
    return absl::ResourceExhaustedError("too many documents in one job (limit 1000)");
  }
  v1::Document* doc = job_.add_documents();
  doc->set_index(static_cast<uint32_t>(job_.documents_size() - 1));
  doc->set_name(start.name());
  doc->set_format(start.format().empty() ? "raw" : start.format());
  doc->set_copies(start.copies() == 0 ? 1 : start.copies());
  if (auto it = pending_documents_.find(doc->index()); it != pending_documents_.end()) {
    ApplyDocument(it->second, doc);
    pending_documents_.erase(it);
  }
  document_open_ = true;
  document_bytes_ = 0;
  return absl::OkStatus();
}

absl::Status Submission::SpillToFile() {
  uint32_t index = static_cast<uint32_t>(job_.documents_size() - 1);
  auto file = intake_->spool_files().Create(job_.id(), index, checksum_);
  if (!file.ok()) return file.status();
  file_ = *std::move(file);
  spool_files_.push_back(file_->name());
  absl::Status s = file_->Append(buffer_);
  inline_bytes_ -= buffer_.size();
  std::string().swap(buffer_);
  return s;
}

absl::Status Submission::AppendChunk(absl::Span<const absl::string_view> pieces) {
  if (failed_) return absl::FailedPreconditionError("submission already failed");
  if (!document_open_) return absl::InvalidArgumentError("chunk outside a document");
  size_t size = TotalSize(pieces);
  if (size > max_chunk_bytes_) {
    failed_ = true;
    return absl::InvalidArgumentError(
        absl::StrCat("chunk of ", size, " bytes exceeds the limit of ", max_chunk_bytes_));
  }
  if (max_bytes_ != 0 && total_bytes_ + size > max_bytes_) {
    failed_ = true;
    return absl::ResourceExhaustedError(absl::StrCat(
        "job larger than the queue's limit of ", max_bytes_, " bytes"));
  }
  if (++chunks_since_disk_check_ >= kDiskCheckEveryChunks) {
    chunks_since_disk_check_ = 0;
    if (auto s = intake_->CheckDiskSpace(); !s.ok()) {
      failed_ = true;
      return s;
    }
  }
  if (size == 0) return absl::OkStatus();
  absl::Status s;
  if (!WritesToFile(size)) {
    for (absl::string_view piece : pieces) buffer_.append(piece.data(), piece.size());
    inline_bytes_ += size;
  } else {
    if (!file_) s = SpillToFile();
    for (size_t i = 0; s.ok() && i < pieces.size(); ++i) s = file_->Append(pieces[i]);
  }
  if (!s.ok()) {
    failed_ = true;
    return s;
  }
  document_bytes_ += size;
  total_bytes_ += size;
  return absl::OkStatus();
}

absl::StatusOr<v1::Document> Submission::EndDocument() {
  if (failed_) return absl::FailedPreconditionError("submission already failed");
  if (!document_open_) return absl::InvalidArgumentError("document_end without document_start");
  document_open_ = false;
  v1::Document* doc = job_.mutable_documents(job_.documents_size() - 1);
  if (file_) {
    // Synced before the commit names it: the commit is the only promise.
    if (auto s = file_->Sync(); !s.ok()) {
      failed_ = true;
      return s;
    }
    doc->set_storage(v1::DOCUMENT_STORAGE_SPOOL_FILE);
    doc->set_spool_file(file_->name());
    SetChecksum(checksum_, file_->FinishChecksum(), doc);
    file_.reset();
  } else {
    // Written with the commit, in its synced batch: one fsync per small job.
    doc->set_storage(v1::DOCUMENT_STORAGE_INLINE);
    SetChecksum(checksum_, Checksum::Of(checksum_, buffer_), doc);
    inline_documents_.push_back({doc->index(), std::move(buffer_)});
    buffer_.clear();
  }
  doc->set_size_bytes(document_bytes_);
  return *doc;
}

absl::Status Submission::Update(const v1::JobUpdate& update) {
  if (failed_) return absl::FailedPreconditionError("submission already failed");
  const v1::JobHeader& h = update.header();
  if (!h.queue().empty() && h.queue() != job_.queue()) {
    return absl::InvalidArgumentError("an update cannot move the job to another queue");
  }
  if (h.priority() < 0 || h.priority() > 25) return absl::InvalidArgumentError("priority must be 0..25");
  if (!h.user().empty()) job_.set_user(h.user());
  if (!h.host().empty()) job_.set_host(h.host());
  if (!h.title().empty()) job_.set_title(h.title());
  if (h.priority() != 0) job_.set_priority(h.priority());
  if (!h.origin().client_job_id().empty()) job_.mutable_origin()->set_client_job_id(h.origin().client_job_id());
  if (!h.request_id().empty()) SetRequestId(h.request_id(), h.request_id_with_content());
  if (!h.origin().client_job_name().empty()) job_.mutable_origin()->set_client_job_name(h.origin().client_job_name());
  if (h.has_control()) *job_.mutable_control() = h.control();
  for (const auto& [index, doc] : update.documents()) {
    if (index > 1000) return absl::InvalidArgumentError("document index out of range");
    if (index < static_cast<uint32_t>(job_.documents_size())) {
      ApplyDocument(doc, job_.mutable_documents(static_cast<int>(index)));
    } else {
      pending_documents_[index] = doc;
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::SubmitResponse::Committed> Submission::Commit() {
  if (failed_) return absl::FailedPreconditionError("submission already failed");
  if (document_open_) return absl::InvalidArgumentError("commit while a document is open");
  if (job_.documents_size() == 0) return absl::InvalidArgumentError("commit of a job without documents");
  job_.set_total_bytes(total_bytes_);
  std::vector<std::string> hashes;
  for (const auto& doc : job_.documents()) hashes.push_back(doc.checksum());
  job_.set_idempotency_key(IdempotencyKey(request_id_, request_id_with_content_, hashes));
  auto result = intake_->CommitJob(job_, total_bytes_, inline_documents_);
  if (!result.ok()) {
    failed_ = true;
    return result.status();
  }
  v1::SubmitResponse::Committed committed;
  if (result->duplicate_of != 0) {
    // A retry: this copy is discarded (when the submission ends) and the
    // client is told the job it already delivered.
    failed_ = true;
    duplicate_ = true;
    committed.set_job_id(result->duplicate_of);
    committed.set_duplicate(true);
    return committed;
  }
  committed_ = true;
  committed.set_job_id(job_.id());
  committed.set_position(result->position);
  return committed;
}

}  // namespace spoolgate::spooler
