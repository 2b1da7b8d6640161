// Every command answers --help, -h and `coffer help COMMAND` with its usage,
// its options and an example (exit 0); a newcomer's mistakes get an error line
// and a hint naming the option that fixes that very case; counts read as
// English ("1 file", "2 files").
#include "CliHarness.h"

namespace coffer::test::cli {
namespace {

const char* const kCommands[] = {"keygen",   "encrypt", "decrypt",   "list",   "inspect", "id",
                                 "contacts", "rekey",   "integrate", "unlock", "lock"};

TEST(CliCommandHelp, EveryCommandAnswersHelp)
{
    for (const char* command : kCommands) {
        for (const std::string& form :
             {std::string(command) + " --help", std::string(command) + " -h", "help " + std::string(command)}) {
            const Streams r = cofferStreams(form);
            EXPECT_EQ(r.code, kExitOk) << form << "\n" << r.errors;
            EXPECT_EQ(r.output.rfind("Usage: coffer " + std::string(command), 0), 0u) << form << "\n" << r.output;
            EXPECT_NE(r.output.find("Example"), std::string::npos) << form << "\n" << r.output;
            EXPECT_EQ(r.errors, "") << form;
        }
    }
}

TEST(CliCommandHelp, HelpListsTheCommandsOptions)
{
    const Outcome r = coffer("help encrypt");
    EXPECT_EQ(r.code, kExitOk) << r.output;
    for (const char* option : {"--recipient", "--recipients-file", "--passphrase-file", "--output", "--compression",
                               "--no-sign", "--keyring-passphrase-file", "--follow-links"})
        EXPECT_NE(r.output.find(option), std::string::npos) << option << "\n" << r.output;
    // The same text, however it is asked for.
    EXPECT_EQ(coffer("encrypt --help").output, r.output);
    EXPECT_EQ(coffer("encrypt -r x -o y --help z").output, r.output);
}

TEST(CliCommandHelp, HelpOfAnUnknownCommandIsAUsageError)
{
    const Outcome r = coffer("help frobnicate");
    EXPECT_EQ(r.code, kExitUsage) << r.output;
    EXPECT_TRUE(hasLineStartingWith(r.output, "error: unknown command")) << r.output;
    EXPECT_TRUE(hasLineStartingWith(r.output, "hint: ")) << r.output;
}

TEST(CliCommandHelp, TheSummaryNamesEveryCommand)
{
    const Outcome r = coffer("--help");
    EXPECT_EQ(r.code, kExitOk);
    for (const char* command : kCommands)
        EXPECT_NE(r.output.find("coffer " + std::string(command)), std::string::npos) << command;
    EXPECT_NE(r.output.find("coffer help COMMAND"), std::string::npos) << r.output;
}

TEST(CliCommandHelp, TheInternalAgentIsNotInTheSummaryButAnswersHelp)
{
    EXPECT_EQ(coffer("--help").output.find("coffer agent"), std::string::npos);
    const Streams r = cofferStreams("agent --help");
    EXPECT_EQ(r.code, kExitOk) << r.errors;
    EXPECT_EQ(r.output.rfind("Usage: coffer agent", 0), 0u) << r.output;
    EXPECT_NE(r.output.find("coffer unlock"), std::string::npos) << r.output;
}

TEST(CliPlurals, OneFileIsOneFile)
{
    TempDir dir;
    const Key key = makeKey(dir / "k.key");
    writeFile(dir / "one.txt", "one\n");
    // `script` gives coffer a terminal, where it prints its closing line.
    const std::string encrypt =
        cofferCommand() + " encrypt -r " + key.card + " -o " + q(dir / "one.coffer") + " " + q(dir / "one.txt");
    const Outcome r = shell("script -qec " + shellQuote(encrypt) + " /dev/null");
    ASSERT_EQ(r.code, kExitOk) << r.output;
    EXPECT_NE(r.output.find("Encrypted 1 file ("), std::string::npos) << r.output;
    const std::string decrypt =
        cofferCommand() + " decrypt -i " + q(key.file) + " -o " + q(dir / "out") + " " + q(dir / "one.coffer");
    const Outcome d = shell("script -qec " + shellQuote(decrypt) + " /dev/null");
    ASSERT_EQ(d.code, kExitOk) << d.output;
    EXPECT_NE(d.output.find("Extracted 1 file ("), std::string::npos) << d.output;
    writeFile(dir / "two.txt", "two\n");
    const Outcome two = shell("script -qec " +
                              shellQuote(cofferCommand() + " encrypt -r " + key.card + " -o " + q(dir / "two.coffer") +
                                         " " + q(dir / "one.txt") + " " + q(dir / "two.txt")) +
                              " /dev/null");
    EXPECT_NE(two.output.find("Encrypted 2 files ("), std::string::npos) << two.output;
}

} // namespace
} // namespace coffer::test::cli
