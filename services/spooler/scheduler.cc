#include "services/spooler/scheduler.h"

#include <algorithm>
#include <map>

namespace spoolgate::spooler {

bool PrintsBefore(int priority_a, uint64_t id_a, int priority_b, uint64_t id_b) {
  if (priority_a != priority_b) return priority_a > priority_b;
  return id_a < id_b;
}

std::vector<Assignment> Schedule(std::vector<SchedulableJob> jobs,
                                 const std::vector<IdlePrinter>& printers,
                                 absl::Time now) {
  // queue -> its eligible jobs, best first
  std::map<std::string, std::vector<const SchedulableJob*>> ready;
  for (const auto& job : jobs) {
    if (job.state != v1::JOB_STATE_PENDING || job.not_before > now) continue;
    ready[job.queue].push_back(&job);
  }
  for (auto& [queue, list] : ready) {
    std::sort(list.begin(), list.end(), [](const SchedulableJob* a, const SchedulableJob* b) {
      return PrintsBefore(a->priority, a->id, b->priority, b->id);
    });
  }
  std::map<std::string, size_t> next;  // queue -> first job not yet handed out
  std::vector<Assignment> out;
  for (size_t p = 0; p < printers.size(); ++p) {
    auto it = ready.find(printers[p].queue);
    if (it == ready.end()) continue;
    auto& list = it->second;
    size_t& n = next[printers[p].queue];
    while (n < list.size() && list[n] == nullptr) ++n;
    // The best job this printer may take: pinned jobs wait for their printer.
    for (size_t i = n; i < list.size(); ++i) {
      if (list[i] == nullptr) continue;
      if (!list[i]->only_printer.empty() && list[i]->only_printer != printers[p].name) continue;
      out.push_back(Assignment{list[i]->id, p});
      list[i] = nullptr;
      break;
    }
  }
  return out;
}

}  // namespace spoolgate::spooler
