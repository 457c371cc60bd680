#include "lib/base/ready_file.h"

#include <cstdio>
#include <fstream>

namespace spoolgate {

void WriteReadyFile(const std::string& path, const std::vector<int>& ports, int metrics_port) {
  if (path.empty()) return;
  {
    std::ofstream out(path + ".tmp");
    for (int port : ports) out << port << " ";
    out << "\n" << metrics_port << "\n";
  }
  std::rename((path + ".tmp").c_str(), path.c_str());
}

}  // namespace spoolgate
