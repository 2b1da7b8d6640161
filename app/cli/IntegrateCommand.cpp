// `coffer integrate install|uninstall|status`: "Open with Coffer" and
// "Encrypt with Coffer" in the user's file manager (app/integration/Integration.h), and
// `coffer integrate --print-reg` for the Windows registry entries as a .reg file.
#include "Cli.h"
#include "CliSupport.h"
#include "CommandTable.h"
#include "Integration.h"
#include "IntegrationWindows.h"

#include <cstdio>

namespace coffer::cli {

namespace {

const std::string kIntegrateUsage = usageOf("integrate");

void printReport(const integration::Report& report)
{
    for (const auto& line : report.done)
        std::fprintf(stderr, "%s\n", line.c_str());
    for (const auto& line : report.warnings)
        std::fprintf(stderr, "warning: %s\n", line.c_str());
}

} // namespace

int commandIntegrate(const std::vector<std::string>& argv)
{
    const Args args = parseArgs("integrate", argv);
    if (!args.ok())
        return usageError(args.error(), kIntegrateUsage);
    const auto& pos = args.positional();

    if (args.has("--print-reg") || args.has("--print-unreg")) {
        if (!pos.empty() || (args.has("--print-reg") && args.has("--print-unreg")))
            return usageError("--print-reg and --print-unreg take no other argument", kIntegrateUsage);
        if (args.has("--print-unreg")) {
            if (args.has("--executable"))
                return usageError("--executable goes with --print-reg", kIntegrateUsage);
            std::fputs(integration::renderUnregFile().c_str(), stdout);
            return kExitOk;
        }
        const std::string exe = args.one("--executable").value_or(integration::currentExecutable().string());
        std::fputs(integration::renderRegFile(exe).c_str(), stdout);
        return kExitOk;
    }
    if (args.has("--executable"))
        return usageError("--executable goes with --print-reg", kIntegrateUsage);
    if (pos.size() != 1)
        return usageError(pos.empty() ? "say install, uninstall or status" : "integrate takes one action",
                          kIntegrateUsage);

    const auto env = integration::Environment::fromSystem();
    const std::string& action = pos[0];
    if (action == "install") {
        auto report = integration::install(env);
        if (!report)
            return reportError(report.error());
        printReport(*report);
        std::fprintf(stderr,
                     "Coffer is in the file manager for this user: \"Encrypt with Coffer\" on files and folders, "
                     "and .coffer files open with it.\n"
                     "Thunar shows it after a restart (thunar -q). \"coffer integrate uninstall\" removes it all.\n");
        std::fprintf(stderr,
                     "Shell completion for coffer: bash and fish use it in a new shell; zsh once \"fpath=(%s "
                     "$fpath)\" comes before compinit in ~/.zshrc.\n",
                     (env.dataHome / "zsh/site-functions").c_str());
        if (env.portable)
            std::fprintf(stderr, "This is a portable copy: if you move it, run \"coffer integrate install\" again.\n");
        return kExitOk;
    }
    if (action == "uninstall") {
        auto report = integration::uninstall(env);
        if (!report)
            return reportError(report.error());
        printReport(*report);
        std::fprintf(stderr, report->done.empty() ? "Coffer was not in the file manager; nothing to remove.\n"
                                                  : "Coffer is no longer in the file manager.\n");
        return kExitOk;
    }
    if (action == "status") {
        auto st = integration::status(env);
        if (!st)
            return reportError(st.error());
        std::fputs(integration::formatStatus(*st).c_str(), stdout);
        return kExitOk;
    }
    return usageError("unknown action \"" + action + "\"", kIntegrateUsage);
}

} // namespace coffer::cli
