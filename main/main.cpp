// `coffer`, the command users type: with a subcommand it is the CLI; without
// one (or with files and containers, as a file manager passes them) it hands
// over to the GUI, `coffer-gui` beside it. The CLI loads Qt Core, not Qt GUI
// or Widgets (36 shared libraries instead of 75): every scripted use and the
// benchmark pay the dynamic loader's time for each (docs/AGENT.md "Speed").
#include "Cli.h"
#include "Hardening.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace {

/// The GUI takes no arguments, its own flags, or paths that exist (what a file
/// manager passes). Anything else is a mistyped command: the CLI explains it
/// on the terminal instead of a window opening (or, offscreen, hanging).
bool wantsGui(int argc, char** argv)
{
    if (argc < 2)
        return true;
    const std::string first = argv[1];
    if (first == "--smoke-test" || first == "--")
        return true;
    if (coffer::cli::isCliCommand(first))
        return false;
    for (int i = 1; i < argc; ++i) {
        struct stat st;
        if (::stat(argv[i], &st) != 0)
            return false;
    }
    return true;
}

/// Replaces this process with `coffer-gui` from the same folder (same PID, same
/// arguments); returns only if that failed.
int runGui(char** argv)
{
    std::error_code ec;
    const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
    const std::filesystem::path gui =
        (ec ? std::filesystem::path(argv[0]).parent_path() : self.parent_path()) / "coffer-gui";
    std::string gui0 = gui.string();
    argv[0] = gui0.data();
    ::execv(gui0.c_str(), argv);
    std::fprintf(stderr,
                 "error: cannot start Coffer's window (%s: %s)\nhint: reinstall Coffer, or use a command: run \"coffer "
                 "--help\"\n",
                 gui0.c_str(), std::strerror(errno));
    return 1;
}

} // namespace

int main(int argc, char** argv)
{
    coffer::hardenProcess();
    if (wantsGui(argc, argv))
        return runGui(argv);
    std::vector<std::string> args(argv + 1, argv + argc);
    return coffer::cli::runCli(args);
}
