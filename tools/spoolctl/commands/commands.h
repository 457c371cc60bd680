// spoolctl subcommands. Each returns a process exit code (client.h).
#pragma once

#include "tools/spoolctl/client.h"

namespace spoolgate::spoolctl {

int PrintCommand(const Context& ctx);   // print FILE... --queue=Q
int JobsCommand(const Context& ctx);    // jobs [--queue] [--all]
int CancelCommand(const Context& ctx);  // cancel ID...
int QueuesCommand(const Context& ctx);  // queues
int PrintersCommand(const Context& ctx);  // printers

}  // namespace spoolgate::spoolctl
