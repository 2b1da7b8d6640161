// One function per subcommand; each returns an exit code.
#pragma once

#include "Args.h"
#include "Result.h"

namespace coffer::cli {

int commandKeygen(const std::vector<std::string>& argv);
int commandEncrypt(const std::vector<std::string>& argv);
int commandDecrypt(const std::vector<std::string>& argv);
int commandList(const std::vector<std::string>& argv);
int commandInspect(const std::vector<std::string>& argv);

/// Prints "error: ..." and "hint: ..." and maps the error to an exit code.
int reportError(const Error& error);
int usageError(const std::string& message, const char* usage);

} // namespace coffer::cli
