// RETURN_IF_ERROR / ASSIGN_OR_RETURN, which Debian's Abseil (20220623) lacks.
#pragma once

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define SPOOLGATE_STATUS_CONCAT_INNER_(a, b) a##b
#define SPOOLGATE_STATUS_CONCAT_(a, b) SPOOLGATE_STATUS_CONCAT_INNER_(a, b)

// Returns from the current function if `expr` is not OK.
#define SPOOLGATE_RETURN_IF_ERROR(expr)                 \
  do {                                                  \
    ::absl::Status spoolgate_status_ = (expr);          \
    if (!spoolgate_status_.ok()) return spoolgate_status_; \
  } while (0)

// `lhs = value of expr`, or returns its status if not OK.
#define SPOOLGATE_ASSIGN_OR_RETURN(lhs, expr)                                 \
  SPOOLGATE_ASSIGN_OR_RETURN_IMPL_(                                          \
      SPOOLGATE_STATUS_CONCAT_(spoolgate_statusor_, __LINE__), lhs, expr)
#define SPOOLGATE_ASSIGN_OR_RETURN_IMPL_(var, lhs, expr) \
  auto var = (expr);                                     \
  if (!var.ok()) return std::move(var).status();         \
  lhs = *std::move(var)
