// Process resource limits the services adjust at start.
#pragma once

#include <cstdint>
#include <string>

namespace spoolgate {

// Raises the soft limit on open files towards `wanted` (never above the hard
// limit, never lowering it) and returns the soft limit now in force. Most
// systems start processes at 1,024 open files: too few for thousands of
// connections.
uint64_t RaiseOpenFileLimit(uint64_t wanted);

// RaiseOpenFileLimit, and a warning in the log naming `need` (what the
// files are for, e.g. "--max_connections=4096 connections") when the hard
// limit keeps it lower.
void RaiseOpenFileLimitOrWarn(uint64_t wanted, const std::string& need);

}  // namespace spoolgate
