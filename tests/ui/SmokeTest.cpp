// The packaged executable starts its GUI, paints the main window and reports
// the start-up time (`coffer --smoke-test`, as the packaging tests run it).
#include "TestSupport.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <regex>

namespace coffer::test {

namespace {

struct Isolated {
    TempDir dir;
    std::string env() const
    {
        return "QT_QPA_PLATFORM=offscreen COFFER_HOME=" + shellQuote((dir.path() / "home").string()) + " ";
    }
};

TEST(GuiSmoke, TheMainWindowPaintsAndStartUpIsMeasured)
{
    Isolated home;
    std::string output;
    const int status = runCommand(home.env() + shellQuote(COFFER_BINARY) + " --smoke-test", &output);
    EXPECT_EQ(status, 0) << output;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(output, m, std::regex("startup: ([0-9]+) ms"))) << output;
    std::printf("%s\n", m[0].str().c_str());
    EXPECT_LT(std::stoi(m[1].str()), 2000) << "target: under 500 ms";
    EXPECT_NE(output.find("main window painted: yes"), std::string::npos) << output;
    EXPECT_FALSE(std::filesystem::exists(home.dir.path() / "home" / "data")) << "the smoke test writes nothing";
}

TEST(GuiSmoke, WithoutADisplayItPointsToTheCommandLine)
{
    Isolated home;
    std::string output;
    const int status = runCommand("env -u DISPLAY -u WAYLAND_DISPLAY -u QT_QPA_PLATFORM COFFER_HOME=" +
                                      shellQuote((home.dir.path() / "home").string()) + " " + shellQuote(COFFER_BINARY),
                                  &output);
    EXPECT_EQ(status, 2) << output;
    EXPECT_NE(output.find("coffer help"), std::string::npos) << output;
}

TEST(GuiSmoke, SubcommandsAndMistypedOnesStillRunTheCommandLine)
{
    Isolated home;
    std::string output;
    EXPECT_EQ(runCommand(home.env() + shellQuote(COFFER_BINARY) + " --version", &output), 0) << output;
    EXPECT_NE(output.find("coffer "), std::string::npos) << output;
    // Neither a subcommand nor a path: the CLI says so instead of opening a window.
    EXPECT_EQ(runCommand(home.env() + shellQuote(COFFER_BINARY) + " frobnicate", &output), 2) << output;
    EXPECT_NE(output.find("unknown command"), std::string::npos) << output;
}

} // namespace

} // namespace coffer::test
