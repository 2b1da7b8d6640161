// The desktop knows *.age (issue 20): "coffer integrate install" registers
// Coffer's own MIME type for age files (freedesktop's shared-mime-info has
// none), by name and by content, binary and armored, and makes Coffer its
// default; uninstall gives back the default the user had. Checked with the
// real update-mime-database, xdg-mime and gio in a throw-away home, as
// LinuxInstallTest does for .coffer.
#include "IntegrationHarness.h"

#include <gtest/gtest.h>

namespace coffer::test {
namespace {

constexpr const char* kAgeType = "application/x-age-encrypted";

std::string run(const std::string& command)
{
    std::string out;
    runCommand(command, &out);
    return out;
}

fs::path recorderIn(const fs::path& dir)
{
    fs::create_directories(dir);
    writeRecorder(dir / "coffer", dir.parent_path() / "coffer.record");
    return dir / "coffer";
}

void expectNoWarnings(const Result<integration::Report>& report)
{
    ASSERT_TRUE(report.ok()) << report.error().message;
    for (const auto& w : report->warnings)
        ADD_FAILURE() << "unexpected warning: " << w;
}

std::string filetype(const fs::path& file)
{
    return trimmed(run("xdg-mime query filetype " + shellQuote(file.string())));
}

/// The content type GIO gives a file, as GNOME's file managers see it.
std::string gioType(const fs::path& file)
{
    return trimmed(run("gio info -a standard::content-type " + shellQuote(file.string()) +
                       " 2>/dev/null | sed -n 's/.*standard::content-type: //p'"));
}

} // namespace

TEST(LinuxAgeType, AgeFilesAreOursByNameAndByContent)
{
    FakeHome home;
    const auto env = home.environment(recorderIn(home.root() / "bin"));
    expectNoWarnings(integration::install(env));
    ASSERT_TRUE(fs::exists(env.dataHome / "mime/mime.cache")) << "update-mime-database did not run";

    const std::string binary = "age-encryption.org/v1\n-> X25519 abc\nxyz\n--- mac\n";
    const std::string armored = "-----BEGIN AGE ENCRYPTED FILE-----\nYWdlLWVuY3J5cHRpb24ub3JnL3YxCg==\n"
                                "-----END AGE ENCRYPTED FILE-----\n";
    writeFile(home.root() / "x.age", binary);
    writeFile(home.root() / "photos.tar.age", binary);
    writeFile(home.root() / "note.txt.age", armored);
    writeFile(home.root() / "binary-no-extension", binary);
    writeFile(home.root() / "armored-no-extension", armored);
    EXPECT_EQ(filetype(home.root() / "x.age"), kAgeType);
    EXPECT_EQ(filetype(home.root() / "photos.tar.age"), kAgeType);
    EXPECT_EQ(filetype(home.root() / "note.txt.age"), kAgeType);
    EXPECT_EQ(gioType(home.root() / "binary-no-extension"), kAgeType);
    EXPECT_EQ(gioType(home.root() / "armored-no-extension"), kAgeType);
    EXPECT_NE(gioType(home.root() / "x.age"), "application/x-coffer");

    EXPECT_EQ(trimmed(run(std::string("xdg-mime query default ") + kAgeType)), "coffer.desktop");
    const std::string gio = run(std::string("gio mime ") + kAgeType);
    EXPECT_NE(gio.find(std::string("Default application for “") + kAgeType + "”: coffer.desktop"), std::string::npos)
        << gio;
    // .coffer keeps its own type and default.
    EXPECT_EQ(trimmed(run("xdg-mime query default application/x-coffer")), "coffer.desktop");

    expectNoWarnings(integration::uninstall(env));
    EXPECT_EQ(trimmed(run(std::string("xdg-mime query default ") + kAgeType)), "");
    EXPECT_NE(filetype(home.root() / "x.age"), kAgeType);
}

TEST(LinuxAgeType, UninstallGivesBackTheUsersOwnDefaultForAgeFiles)
{
    FakeHome home;
    const auto env = home.environment(recorderIn(home.root() / "bin"));
    const std::string list = "[Default Applications]\napplication/x-age-encrypted=other.desktop;\n"
                             "text/plain=other.desktop;\n";
    writeFile(env.configHome / "mimeapps.list", list);
    writeFile(env.dataHome / "applications/other.desktop",
              "[Desktop Entry]\nType=Application\nName=Other\nExec=sh %F\nMimeType=application/x-age-encrypted;\n");
    const auto before = snapshot(home.root());

    expectNoWarnings(integration::install(env));
    EXPECT_EQ(trimmed(run(std::string("xdg-mime query default ") + kAgeType)), "coffer.desktop");
    EXPECT_EQ(trimmed(run("xdg-mime query default text/plain")), "other.desktop");

    expectNoWarnings(integration::uninstall(env));
    EXPECT_EQ(readFile(env.configHome / "mimeapps.list"), list);
    EXPECT_EQ(diffSnapshots(before, snapshot(home.root())), "");
    EXPECT_EQ(trimmed(run(std::string("xdg-mime query default ") + kAgeType)), "other.desktop");
}

} // namespace coffer::test
