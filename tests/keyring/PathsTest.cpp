// Where Coffer keeps its data (app/Paths.h, DESIGN §3): COFFER_HOME wins over
// everything; otherwise a `portable` marker beside the executable puts all of
// it in data/ beside the executable; otherwise the XDG folders.
//
// The portable cases need the marker beside the *running* executable, so
// this test copies its own executable into a temporary folder, puts the
// marker beside the copy and runs only the probe test in it, which prints
// what resolveDataLocations() returned.
#include "Paths.h"
#include "TestSupport.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <optional>
#include <sstream>

using namespace coffer;
using namespace coffer::test;
namespace fs = std::filesystem;

namespace {

/// Sets (or, with nullopt, unsets) an environment variable for the scope.
class EnvVar {
public:
    EnvVar(const char* name, std::optional<std::string> value) : m_name(name)
    {
        if (const char* old = std::getenv(name))
            m_old = old;
        if (value)
            ::setenv(name, value->c_str(), 1);
        else
            ::unsetenv(name);
    }
    ~EnvVar()
    {
        if (m_old)
            ::setenv(m_name, m_old->c_str(), 1);
        else
            ::unsetenv(m_name);
    }
    EnvVar(const EnvVar&) = delete;
    EnvVar& operator=(const EnvVar&) = delete;

private:
    const char* m_name;
    std::optional<std::string> m_old;
};

constexpr const char* kProbeVariable = "COFFER_PATHS_PROBE";

/// Runs a copy of this executable from `dir` (with or without the marker)
/// and returns what its probe printed, key by key.
std::map<std::string, std::string> probeFrom(const fs::path& dir, bool marker, const std::string& env)
{
    fs::create_directories(dir);
    fs::copy_file("/proc/self/exe", dir / "paths-probe", fs::copy_options::overwrite_existing);
    if (marker)
        writeFile(dir / kPortableMarker, "");
    std::string out;
    const int code =
        runCommand("env " + env + " " + std::string(kProbeVariable) + "=1 " +
                       shellQuote((dir / "paths-probe").string()) + " --gtest_filter=PathsProbe.PrintLocations",
                   &out);
    EXPECT_EQ(code, 0) << out;
    std::map<std::string, std::string> values;
    std::istringstream lines(out);
    for (std::string line; std::getline(lines, line);)
        if (line.rfind("probe.", 0) == 0)
            if (const auto eq = line.find('='); eq != std::string::npos)
                values[line.substr(6, eq - 6)] = line.substr(eq + 1);
    EXPECT_FALSE(values.empty()) << out;
    return values;
}

} // namespace

// Only does something inside probeFrom(); skipped in a normal run.
TEST(PathsProbe, PrintLocations)
{
    if (!std::getenv(kProbeVariable))
        GTEST_SKIP() << "probe for the portable-mode tests; runs only under " << kProbeVariable;
    const DataLocations loc = resolveDataLocations();
    std::printf("probe.data=%s\nprobe.config=%s\nprobe.temp=%s\nprobe.portable=%d\nprobe.exe=%s\n", loc.dataDir.c_str(),
                loc.configDir.c_str(), loc.tempDir.c_str(), loc.portable ? 1 : 0, loc.executableDir.c_str());
}

TEST(Paths, CofferHomeOverridesEverything)
{
    const EnvVar home("COFFER_HOME", "/srv/coffer-test-home");
    const EnvVar xdg("XDG_DATA_HOME", "/srv/xdg-data");
    const DataLocations loc = resolveDataLocations();
    EXPECT_EQ(loc.dataDir, fs::path("/srv/coffer-test-home/data"));
    EXPECT_EQ(loc.configDir, fs::path("/srv/coffer-test-home/config"));
    EXPECT_EQ(loc.tempDir, fs::path("/srv/coffer-test-home/tmp"));
    EXPECT_FALSE(loc.portable);
}

TEST(Paths, EmptyCofferHomeIsIgnored)
{
    const EnvVar home("COFFER_HOME", "");
    const EnvVar xdg("XDG_DATA_HOME", "/srv/xdg-data");
    EXPECT_EQ(resolveDataLocations().dataDir, fs::path("/srv/xdg-data/coffer"));
}

TEST(Paths, XdgFoldersAreRespected)
{
    const EnvVar home("COFFER_HOME", std::nullopt);
    const EnvVar data("XDG_DATA_HOME", "/srv/xdg-data");
    const EnvVar config("XDG_CONFIG_HOME", "/srv/xdg-config");
    const EnvVar tmp("TMPDIR", "/srv/tmp");
    const DataLocations loc = resolveDataLocations();
    EXPECT_EQ(loc.dataDir, fs::path("/srv/xdg-data/coffer"));
    EXPECT_EQ(loc.configDir, fs::path("/srv/xdg-config/coffer"));
    EXPECT_EQ(loc.tempDir, fs::path("/srv/tmp"));
    EXPECT_FALSE(loc.portable);
}

TEST(Paths, WithoutXdgTheDefaultsAreUnderHome)
{
    const EnvVar coffer("COFFER_HOME", std::nullopt);
    const EnvVar home("HOME", "/home/someone");
    const EnvVar data("XDG_DATA_HOME", std::nullopt);
    const EnvVar config("XDG_CONFIG_HOME", "");
    const DataLocations loc = resolveDataLocations();
    EXPECT_EQ(loc.dataDir, fs::path("/home/someone/.local/share/coffer"));
    EXPECT_EQ(loc.configDir, fs::path("/home/someone/.config/coffer"));
}

TEST(Paths, ExecutableDirectoryIsTheRunningExecutablesFolder)
{
    EXPECT_EQ(executableDirectory(), fs::read_symlink("/proc/self/exe").parent_path());
    EXPECT_EQ(resolveDataLocations().executableDir, executableDirectory());
}

TEST(Paths, PortableMarkerPutsEverythingInDataBesideTheExecutable)
{
    TempDir root;
    const fs::path dir = fs::canonical(root.path()) / "Coffer Portable";
    auto loc = probeFrom(dir, true, "-u COFFER_HOME XDG_DATA_HOME=/srv/xdg-data TMPDIR=/srv/tmp");
    EXPECT_EQ(loc["portable"], "1");
    EXPECT_EQ(loc["exe"], dir.string());
    EXPECT_EQ(loc["data"], (dir / "data").string());
    EXPECT_EQ(loc["config"], (dir / "data" / "config").string());
    EXPECT_EQ(loc["temp"], (dir / "data" / "tmp").string());
}

TEST(Paths, NoMarkerNoPortableMode)
{
    TempDir root;
    const fs::path dir = fs::canonical(root.path()) / "plain";
    auto loc = probeFrom(dir, false, "-u COFFER_HOME XDG_DATA_HOME=/srv/xdg-data");
    EXPECT_EQ(loc["portable"], "0");
    EXPECT_EQ(loc["data"], "/srv/xdg-data/coffer");
}

TEST(Paths, CofferHomeWinsOverThePortableMarker)
{
    TempDir root;
    const fs::path dir = fs::canonical(root.path()) / "app";
    auto loc = probeFrom(dir, true, "COFFER_HOME=/srv/coffer-test-home");
    EXPECT_EQ(loc["portable"], "0");
    EXPECT_EQ(loc["data"], "/srv/coffer-test-home/data");
}
