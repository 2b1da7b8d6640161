// The one `coffer` executable: with a subcommand it is the CLI; without one
// (or with files and containers, as a file manager passes them) the GUI.
#include "Cli.h"
#include "GuiMain.h"
#include "Hardening.h"
#include "StartupClock.h"

#include <string>
#include <sys/stat.h>
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
    if (first == "--smoke-test" || first == "--screenshot-tour" || first == "--")
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

} // namespace

int main(int argc, char** argv)
{
    coffer::hardenProcess();
    coffer::ui::startupClock().start(); // start-to-shown-main-window, printed by --smoke-test
    if (!wantsGui(argc, argv)) {
        std::vector<std::string> args(argv + 1, argv + argc);
        return coffer::cli::runCli(args);
    }
    return coffer::ui::runGui(argc, argv);
}
