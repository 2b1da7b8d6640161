// The one `coffer` executable: with a subcommand it is the CLI; the GUI comes
// with the desktop-app issue.
#include "Cli.h"
#include "Hardening.h"

#include <string>
#include <vector>

int main(int argc, char** argv)
{
    coffer::hardenProcess();
    std::vector<std::string> args(argv + 1, argv + argc);
    return coffer::cli::runCli(args);
}
