// The command-line interface: `coffer SUBCOMMAND ...`. Thin over app/.
#pragma once

#include <string>
#include <vector>

namespace coffer::cli {

/// Exit codes (documented in docs/CLI.md and `coffer --help`).
enum ExitCode : int {
    kExitOk = 0,
    kExitInternal = 1,
    kExitUsage = 2,
    kExitNoKey = 3,        // no key matched, or wrong passphrase
    kExitDamaged = 4,      // damaged, tampered, unsafe or over a limit
    kExitNotSupported = 5, // not a container, or an unsupported version
    kExitIo = 6,           // the system refused: disk full, permission, missing file
    kExitCancelled = 130,
};

/// True if `arg` names a subcommand (so main() runs the CLI, not the GUI).
bool isCliCommand(const std::string& arg);
int runCli(const std::vector<std::string>& args);

} // namespace coffer::cli
