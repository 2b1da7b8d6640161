// A container given to `coffer decrypt`, `list` or `inspect` as armored text
// (FORMAT.md §14): decoded, with the strict armor checks, to a private file
// (0600 in a 0700 folder under $XDG_RUNTIME_DIR/coffer, as opened copies
// are) that lives as long as the command and is then removed.
#pragma once

#include "Args.h"
#include "OpenCopies.h"

#include <optional>

namespace coffer::cli {

/// If the first positional argument is an armored container file, decodes it
/// into `holder` and points the argument at the decoded container. Does
/// nothing for any other input (including "-").
Status dearmorArgument(Args& args, std::optional<OpenCopies>& holder);

} // namespace coffer::cli
