// "I am serving" for scripts and tests: once listening, a service writes its
// bound ports (line 1, space separated) and its metrics port (line 2) to the
// --ready_file path, atomically (write, then rename).
#pragma once

#include <string>
#include <vector>

namespace spoolgate {

void WriteReadyFile(const std::string& path, const std::vector<int>& ports, int metrics_port);

}  // namespace spoolgate
