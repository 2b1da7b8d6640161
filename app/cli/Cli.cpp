#include "Cli.h"

#include "Commands.h"
#include "DisplayText.h"
#include "Version.h"

#include <cstdio>

namespace coffer::cli {

int commandIntegrate(const std::vector<std::string>& argv); // IntegrateCommand.cpp

namespace {

constexpr const char* kHelp = R"(Coffer: encrypt files and folders for the people you choose.

Usage:
  coffer id create|show|export|import FILE|passwd [--name NAME]
  coffer contacts add CARD|FILE [--name NAME] | list | show NAME
  coffer contacts verify NAME --fingerprint DIGITS | rename NAME NEW | remove NAME
  coffer rekey (-r CARD|NAME)... [-p] [--add] -o OUT CONTAINER
  coffer keygen [-o FILE] [--name NAME]
  coffer encrypt (-r CARD | -R FILE | -p)... [-o OUT] [--compression auto|off|max] PATH...
  coffer decrypt [-i FILE]... [-p] [-o DIR|-] [--only PATH]... CONTAINER
  coffer list [-i FILE]... [-p] CONTAINER
  coffer inspect CONTAINER
  coffer integrate install|uninstall|status
  coffer --version

Recipients (-r) are contact names, Coffer cards (coffer1...) or age keys (age1...).
With an identity in the keyring, containers are signed (--no-sign to skip),
and decrypt and list use the keyring unless -i or -p is given. The keyring
passphrase is asked on the terminal; scripts use --keyring-passphrase-file.
-p asks for a passphrase on the terminal; scripts use --passphrase-file FILE.
"-" as encrypt's OUT means standard output, as decrypt's CONTAINER standard
input (list and inspect need a file: they read only its end), and as decrypt's
-o one file's content to standard output.

Exit codes: 0 done, 2 usage, 3 no key matched or wrong passphrase,
4 damaged or tampered, 5 not a container or unsupported version,
6 file system error (disk full, permission), 130 cancelled, 1 other.
)";

} // namespace

bool isCliCommand(const std::string& arg)
{
    return arg == "id" || arg == "contacts" || arg == "rekey" || arg == "keygen" || arg == "encrypt" ||
           arg == "decrypt" || arg == "list" || arg == "inspect" || arg == "help" || arg == "--help" || arg == "-h" ||
           arg == "--version" || arg == "version" || arg == "integrate";
}

int runCli(const std::vector<std::string>& args)
{
    if (args.empty() || args[0] == "help" || args[0] == "--help" || args[0] == "-h") {
        std::fputs(kHelp, stdout);
        return args.empty() ? kExitUsage : kExitOk;
    }
    if (args[0] == "--version" || args[0] == "version") {
        std::printf("coffer %s (container format %s; %s)\n", cofferVersion().c_str(), containerFormatVersion().c_str(),
                    libraryVersions().c_str());
        return kExitOk;
    }
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    if (args[0] == "keygen")
        return commandKeygen(rest);
    if (args[0] == "encrypt")
        return commandEncrypt(rest);
    if (args[0] == "decrypt")
        return commandDecrypt(rest);
    if (args[0] == "list")
        return commandList(rest);
    if (args[0] == "inspect")
        return commandInspect(rest);
    if (args[0] == "id")
        return commandId(rest);
    if (args[0] == "contacts")
        return commandContacts(rest);
    if (args[0] == "rekey")
        return commandRekey(rest);
    if (args[0] == "integrate")
        return commandIntegrate(rest);
    std::fprintf(stderr, "error: unknown command \"%s\"\nhint: run \"coffer --help\" for the list of commands\n",
                 displayable(args[0]).c_str());
    return kExitUsage;
}

} // namespace coffer::cli
