// spoolctl subcommands. Each returns a process exit code (client.h).
#pragma once

#include <string>

#include "spoolgate/v1/job.pb.h"
#include "tools/spoolctl/client.h"

namespace spoolgate::spoolctl {

int PrintCommand(const Context& ctx);     // print FILE... --queue=Q
int JobsCommand(const Context& ctx);      // jobs [--queue] [--state] [--user] [--all]
int JobCommand(const Context& ctx);       // job ID
int JobActionCommand(const Context& ctx, const std::string& action);  // cancel|hold|release
int MoveCommand(const Context& ctx);      // move ID... QUEUE
int PriorityCommand(const Context& ctx);  // priority ID N
int QueuesCommand(const Context& ctx);    // queues
int QueueCommand(const Context& ctx);     // queue add|remove|accept|reject|enable|disable|set NAME
int PrintersCommand(const Context& ctx);  // printers
int PrinterCommand(const Context& ctx);   // printer stop|start NAME
int AccountingCommand(const Context& ctx);  // accounting [--since] [--until] [--csv]
int QuotaCommand(const Context& ctx);       // quota show USER
int WatchCommand(const Context& ctx);     // watch

// "pending", "printing", ...
std::string StateName(v1::JobState state);

}  // namespace spoolgate::spoolctl
