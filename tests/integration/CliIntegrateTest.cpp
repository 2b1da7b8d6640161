// `coffer integrate` end to end, with the real executable (COFFER_BINARY) in a
// throw-away home: install, status, uninstall without a trace, the usage
// errors, --print-reg, and a portable copy that is moved and re-integrated.
#include "IntegrationHarness.h"
#include "IntegrationText.h"
#include "IntegrationWindows.h"

#include <gtest/gtest.h>

namespace coffer::test {
namespace {

struct Outcome {
    int code = -1;
    std::string output; // stdout and stderr, merged
};

Outcome runExe(const fs::path& exe, const std::string& args)
{
    Outcome r;
    r.code = runCommand(shellQuote(exe.string()) + " " + args, &r.output);
    return r;
}

Outcome coffer(const std::string& args)
{
    return runExe(COFFER_BINARY, args);
}

TEST(CliIntegrate, InstallStatusUninstall)
{
    FakeHome home;
    const auto before = snapshot(home.root());

    auto r = coffer("integrate status");
    EXPECT_EQ(r.code, 0) << r.output;
    EXPECT_NE(r.output.find("integration: not installed"), std::string::npos) << r.output;

    r = coffer("integrate install");
    ASSERT_EQ(r.code, 0) << r.output;
    EXPECT_EQ(r.output.find("warning:"), std::string::npos) << r.output;
    const fs::path exe = fs::canonical(COFFER_BINARY);
    const std::string desktop = readFile(home.dataHome() / "applications/coffer.desktop");
    EXPECT_NE(desktop.find("\nExec=" + exe.string() + " %F\n"), std::string::npos) << desktop;
    EXPECT_TRUE(fs::exists(home.home() / "coffer-home/data/integration.manifest"));
    std::string handler;
    runCommand("xdg-mime query default application/x-coffer", &handler);
    EXPECT_EQ(trimmed(handler), "coffer.desktop");

    r = coffer("integrate status");
    EXPECT_EQ(r.code, 0) << r.output;
    EXPECT_NE(r.output.find("integration: installed for this user\n"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("executable: " + exe.string() + "\n"), std::string::npos) << r.output;
    EXPECT_EQ(r.output.find("moved"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("default for .coffer files: coffer.desktop"), std::string::npos) << r.output;

    r = coffer("integrate install"); // again: refreshes, same result
    ASSERT_EQ(r.code, 0) << r.output;

    r = coffer("integrate uninstall");
    ASSERT_EQ(r.code, 0) << r.output;
    EXPECT_NE(r.output.find("Coffer is no longer in the file manager."), std::string::npos) << r.output;
    EXPECT_EQ(diffSnapshots(before, snapshot(home.root())), "");

    r = coffer("integrate uninstall");
    ASSERT_EQ(r.code, 0) << r.output;
    EXPECT_NE(r.output.find("nothing to remove"), std::string::npos) << r.output;
}

TEST(CliIntegrate, InstallsShellCompletionAndUninstallRemovesIt)
{
    FakeHome home;
    const auto before = snapshot(home.root());
    auto r = coffer("integrate install");
    ASSERT_EQ(r.code, 0) << r.output;
    const fs::path bash = home.dataHome() / "bash-completion/completions/coffer";
    const fs::path zsh = home.dataHome() / "zsh/site-functions/_coffer";
    const fs::path fish = home.configHome() / "fish/completions/coffer.fish";
    for (const auto& path : {bash, zsh, fish}) {
        ASSERT_TRUE(fs::exists(path)) << path << "\n" << r.output;
        EXPECT_NE(readFile(path).find(std::string(integration::kMarker)), std::string::npos) << path;
    }
    EXPECT_EQ(readFile(zsh).rfind("#compdef coffer\n", 0), 0u) << "zsh reads the first line";
    std::string registered;
    EXPECT_EQ(runCommand("bash -c " + shellQuote("source " + shellQuote(bash.string()) + " && complete -p coffer"),
                         &registered),
              0);
    EXPECT_NE(registered.find("complete -F _coffer coffer"), std::string::npos) << registered;
    r = coffer("integrate status");
    EXPECT_NE(r.output.find(fish.string()), std::string::npos) << r.output;

    r = coffer("integrate uninstall");
    ASSERT_EQ(r.code, 0) << r.output;
    EXPECT_FALSE(fs::exists(bash));
    EXPECT_FALSE(fs::exists(zsh));
    EXPECT_FALSE(fs::exists(fish));
    EXPECT_EQ(diffSnapshots(before, snapshot(home.root())), "");
}

TEST(CliIntegrate, UsageErrors)
{
    FakeHome home;
    for (const char* args : {"integrate", "integrate bogus", "integrate install status", "integrate --frob",
                             "integrate install --executable /x", "integrate --print-reg --print-unreg"}) {
        const auto r = coffer(args);
        EXPECT_EQ(r.code, 2) << args << "\n" << r.output;
        EXPECT_NE(r.output.find("usage: coffer integrate"), std::string::npos) << args << "\n" << r.output;
    }
    const auto own = coffer("integrate --help");
    EXPECT_EQ(own.code, 0);
    EXPECT_NE(own.output.find("Usage: coffer integrate install|uninstall|status"), std::string::npos) << own.output;
    const auto help = coffer("--help");
    EXPECT_NE(help.output.find("coffer integrate install|uninstall|status"), std::string::npos);
}

TEST(CliIntegrate, PrintRegRendersTheTable)
{
    const std::string exe = "C:\\Program Files\\Coffer\\coffer.exe";
    auto r = coffer("integrate --print-reg --executable " + shellQuote(exe));
    EXPECT_EQ(r.code, 0);
    EXPECT_EQ(r.output, integration::renderRegFile(exe));
    r = coffer("integrate --print-unreg");
    EXPECT_EQ(r.code, 0);
    EXPECT_EQ(r.output, integration::renderUnregFile());
}

TEST(CliIntegrate, PortableCopyIsIntegratedOnRequestAndTellsWhenMoved)
{
    FakeHome home;
    ::unsetenv("COFFER_HOME"); // it would win over portable mode (restored by FakeHome)
    const fs::path first = home.root() / "USB stick" / "Coffer";
    fs::create_directories(first);
    fs::copy_file(COFFER_BINARY, first / "coffer");
    fs::permissions(first / "coffer", fs::perms::owner_all);
    writeFile(first / "portable", "");
    const auto homeBefore = snapshot(home.home());

    // Nothing happens by itself: status only offers it.
    auto r = runExe(first / "coffer", "integrate status");
    EXPECT_EQ(r.code, 0) << r.output;
    EXPECT_NE(r.output.find("portable copy"), std::string::npos) << r.output;
    EXPECT_FALSE(fs::exists(first / "data"));
    EXPECT_EQ(diffSnapshots(homeBefore, snapshot(home.home())), "");

    r = runExe(first / "coffer", "integrate install");
    ASSERT_EQ(r.code, 0) << r.output;
    EXPECT_NE(r.output.find("if you move it"), std::string::npos) << r.output;
    EXPECT_TRUE(fs::exists(first / "data" / "integration.manifest"));
    // A path with a space is quoted in the Exec line.
    const std::string desktop = readFile(home.dataHome() / "applications/coffer.desktop");
    EXPECT_NE(desktop.find("\nExec=\"" + (first / "coffer").string() + "\" %F\n"), std::string::npos) << desktop;

    // The stick is mounted elsewhere: status says so, install again fixes it.
    const fs::path moved = home.root() / "Other stick";
    fs::rename(home.root() / "USB stick", moved);
    r = runExe(moved / "Coffer" / "coffer", "integrate status");
    EXPECT_EQ(r.code, 0) << r.output;
    EXPECT_NE(r.output.find("warning: Coffer moved: run \"coffer integrate install\" again"), std::string::npos)
        << r.output;
    EXPECT_NE(r.output.find("(no longer there)"), std::string::npos) << r.output;

    r = runExe(moved / "Coffer" / "coffer", "integrate install");
    ASSERT_EQ(r.code, 0) << r.output;
    r = runExe(moved / "Coffer" / "coffer", "integrate status");
    EXPECT_EQ(r.output.find("moved"), std::string::npos) << r.output;
    EXPECT_NE(readFile(home.dataHome() / "applications/coffer.desktop").find((moved / "Coffer" / "coffer").string()),
              std::string::npos);

    // Uninstall takes every trace away, the portable data folder included.
    r = runExe(moved / "Coffer" / "coffer", "integrate uninstall");
    ASSERT_EQ(r.code, 0) << r.output;
    EXPECT_FALSE(fs::exists(moved / "Coffer" / "data"));
    EXPECT_EQ(diffSnapshots(homeBefore, snapshot(home.home())), "");
}

} // namespace
} // namespace coffer::test
