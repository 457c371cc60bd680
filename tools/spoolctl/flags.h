// spoolctl's flags, shared by every subcommand.
#pragma once

#include <string>

#include "absl/flags/declare.h"

ABSL_DECLARE_FLAG(std::string, spooler);
ABSL_DECLARE_FLAG(bool, json);
ABSL_DECLARE_FLAG(std::string, queue);
ABSL_DECLARE_FLAG(std::string, title);
ABSL_DECLARE_FLAG(std::string, user);
ABSL_DECLARE_FLAG(int32_t, priority);
ABSL_DECLARE_FLAG(std::string, format);
ABSL_DECLARE_FLAG(bool, all);
