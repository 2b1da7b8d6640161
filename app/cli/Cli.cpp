#include "Cli.h"

#include "CommandTable.h"
#include "Commands.h"
#include "DisplayText.h"
#include "Version.h"

#include <cstdio>

namespace coffer::cli {

namespace {

int unknownCommand(const std::string& name)
{
    std::fprintf(stderr, "error: unknown command \"%s\"\nhint: run \"coffer --help\" for the list of commands\n",
                 displayable(name).c_str());
    return kExitUsage;
}

/// "--help" or "-h" anywhere before "--": the command's help, whatever else was typed.
bool asksForHelp(const std::vector<std::string>& argv)
{
    for (const auto& a : argv) {
        if (a == "--")
            return false;
        if (a == "--help" || a == "-h")
            return true;
    }
    return false;
}

/// The flags that stand for a command of the table: `coffer --help` is `coffer
/// help`, `coffer --version` is `coffer version`. Null for anything else.
const CommandInfo* flagCommand(const std::string& arg)
{
    if (arg == "--help" || arg == "-h")
        return findCommand("help");
    if (arg == "--version")
        return findCommand("version");
    return nullptr;
}

} // namespace

bool isCliCommand(const std::string& arg)
{
    return findCommand(arg) || flagCommand(arg);
}

int runHelp(const std::vector<std::string>& argv)
{
    if (argv.empty()) {
        std::fputs(overviewHelp().c_str(), stdout);
        return kExitOk;
    }
    const CommandInfo* command = findCommand(argv[0]);
    if (!command)
        return unknownCommand(argv[0]);
    std::fputs(commandHelp(*command).c_str(), stdout);
    return kExitOk;
}

int runVersion(const std::vector<std::string>&)
{
    std::printf("coffer %s (container format %s; %s)\n", cofferVersion().c_str(), containerFormatVersion().c_str(),
                libraryVersions().c_str());
    return kExitOk;
}

int runCli(const std::vector<std::string>& args)
{
    if (args.empty()) {
        std::fputs(overviewHelp().c_str(), stdout);
        return kExitUsage;
    }
    if (const CommandInfo* flag = flagCommand(args[0]))
        return flag->run({});
    const CommandInfo* command = findCommand(args[0]);
    if (!command)
        return unknownCommand(args[0]);
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    if (command->run != runHelp && asksForHelp(rest))
        return runHelp({command->name});
    return command->run(rest);
}

} // namespace coffer::cli
