// The one table of the CLI's commands: name, what runs it, its usage forms,
// options and an example. `coffer --help`, `coffer COMMAND --help`, `coffer
// help COMMAND`, the usage line of a usage error and each command's option
// parser are all made from it; docs/CLI.md, packaging/coffer.1 and the shell
// completions in resources/completion are checked against it by the tests.
#pragma once

#include "Args.h"

#include <string>
#include <string_view>
#include <vector>

namespace coffer::cli {

struct OptionInfo {
    const char* name;  // "--recipient"
    const char* alias; // "-r", or nullptr
    const char* value; // what follows it ("CARD|NAME"), or nullptr for a flag
    const char* text;  // one line: what it does
};

struct CommandInfo {
    const char* name;
    int (*run)(const std::vector<std::string>& argv);
    const char* forms;   // what follows "coffer NAME", one usage form per line
    const char* summary; // one line
    std::vector<OptionInfo> options;
    const char* details; // a paragraph or two, may be empty
    const char* example; // one or more command lines
};

const std::vector<CommandInfo>& commandTable();
/// Nullptr if `name` is not a command.
const CommandInfo* findCommand(std::string_view name);

/// "coffer NAME FORM1\n       coffer NAME FORM2", for usage errors.
std::string usageOf(std::string_view name);
/// The full help of a command: usage, summary, options, details, example.
std::string commandHelp(const CommandInfo& command);
/// `coffer --help`: every command's usage, the conventions and the exit codes.
std::string overviewHelp();

/// The command's options parsed from `argv` (flags, options with a value, aliases from its table).
Args parseArgs(std::string_view name, const std::vector<std::string>& argv);

} // namespace coffer::cli
