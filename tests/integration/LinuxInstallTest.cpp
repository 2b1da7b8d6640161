// Linux desktop integration against the real freedesktop tools, in a throw-away
// home: desktop-file-validate on every .desktop file, update-mime-database +
// xdg-mime/gio for the MIME type and the default handler, the Nautilus script
// run the way Nautilus runs it, the Thunar/Nemo/desktop commands expanded the
// way those programs expand them, Thunar's uca.xml merged and restored byte for
// byte, and uninstall leaving the home exactly as it was.
#include "IntegrationHarness.h"
#include "IntegrationText.h"

#include <QXmlStreamReader>

#include <gtest/gtest.h>

namespace coffer::test {
namespace {

using integration::Environment;

std::string run(const std::string& command, int* rc = nullptr)
{
    std::string out;
    const int status = runCommand(command, &out);
    if (rc)
        *rc = status;
    return out;
}

/// The recorder stands in for coffer: it writes its arguments, one "[arg]" per line.
struct Recorder {
    fs::path exe;
    fs::path record;
    std::string take()
    {
        std::string text = fs::exists(record) ? readFile(record) : std::string();
        fs::remove(record);
        return text;
    }
};

Recorder makeRecorder(const fs::path& dir)
{
    fs::create_directories(dir);
    Recorder r{dir / "coffer", dir.parent_path() / (dir.filename().string() + ".record")};
    writeRecorder(r.exe, r.record);
    return r;
}

void expectInstalled(const Environment& env)
{
    auto report = integration::install(env);
    ASSERT_TRUE(report.ok()) << report.error().message;
    for (const auto& w : report->warnings)
        ADD_FAILURE() << "unexpected warning: " << w;
}

void expectUninstalled(const Environment& env)
{
    auto report = integration::uninstall(env);
    ASSERT_TRUE(report.ok()) << report.error().message;
    for (const auto& w : report->warnings)
        ADD_FAILURE() << "unexpected warning: " << w;
}

fs::path itemPath(const Environment& env, const char* relPath)
{
    for (const auto& item : integration::linuxItems())
        if (std::string(item.relPath) == relPath)
            return (item.base == integration::Base::DataHome ? env.dataHome : env.configHome) / item.relPath;
    ADD_FAILURE() << "no item " << relPath;
    return {};
}

/// The text of Coffer's <command> in uca.xml, as Thunar reads it (entities decoded).
std::string thunarCommand(const std::string& uca)
{
    QXmlStreamReader xml(QByteArray::fromStdString(uca));
    bool ours = false;
    std::string command;
    while (!xml.atEnd()) {
        xml.readNext();
        if (xml.isStartElement() && xml.name() == QLatin1String("action")) {
            ours = false;
            command.clear();
        } else if (xml.isStartElement() && xml.name() == QLatin1String("unique-id")) {
            ours = xml.readElementText().startsWith(QLatin1String("coffer-integration-"));
        } else if (xml.isStartElement() && xml.name() == QLatin1String("command")) {
            command = xml.readElementText().toStdString();
        } else if (xml.isEndElement() && xml.name() == QLatin1String("action") && ours) {
            return command;
        }
    }
    return {};
}

/// A key's value from a key file, with GKeyFile's escapes (\\ \s \n \t) undone.
std::string keyFileValue(const std::string& text, const std::string& key)
{
    const auto pos = text.find("\n" + key + "=");
    if (pos == std::string::npos)
        return {};
    const auto start = pos + key.size() + 2;
    const std::string raw = text.substr(start, text.find('\n', start) - start);
    std::string out;
    for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] == '\\' && i + 1 < raw.size()) {
            const char c = raw[++i];
            out += c == 's' ? ' ' : c == 'n' ? '\n' : c == 't' ? '\t' : c;
        } else {
            out += raw[i];
        }
    }
    return out;
}

void replaceAll(std::string& s, const std::string& from, const std::string& to)
{
    for (auto pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size()))
        s.replace(pos, from.size(), to);
}

// ---------------------------------------------------------------------------------------------

TEST(LinuxInstall, TheFreedesktopToolsArePresent)
{
    // Debian packages: desktop-file-utils, shared-mime-info, xdg-utils,
    // libfile-mimeinfo-perl (xdg-mime's "mimetype"), libglib2.0-bin (gio).
    for (const char* tool :
         {"desktop-file-validate", "update-desktop-database", "update-mime-database", "xdg-mime", "mimetype", "gio"})
        EXPECT_EQ(runCommand(std::string("command -v ") + tool + " >/dev/null"), 0) << tool << " is not installed";
}

TEST(LinuxInstall, EveryDesktopFilePassesDesktopFileValidate)
{
    FakeHome home;
    const auto rec = makeRecorder(home.root() / "bin");
    const auto env = home.environment(rec.exe);
    expectInstalled(env);
    int validated = 0;
    for (const auto& item : integration::linuxItems()) {
        const fs::path path = itemPath(env, item.relPath);
        ASSERT_TRUE(fs::exists(path)) << path;
        if (!item.desktopEntry)
            continue;
        int rc = -1;
        const std::string out = run("desktop-file-validate " + shellQuote(path.string()), &rc);
        EXPECT_EQ(rc, 0) << path << ":\n" << out;
        EXPECT_EQ(out.find("error"), std::string::npos) << path << ":\n" << out;
        ++validated;
    }
    EXPECT_EQ(validated, 2); // applications/coffer.desktop and the Dolphin service menu
    // The service menu and the Nautilus script must be executable (KIO and Nautilus require it).
    for (const char* rel : {"kio/servicemenus/coffer.desktop", "nautilus/scripts/Encrypt with Coffer"})
        EXPECT_NE(fs::status(itemPath(env, rel)).permissions() & fs::perms::owner_exec, fs::perms::none) << rel;
    expectUninstalled(env);
}

TEST(LinuxInstall, AwkwardExecutablePathsStayValidAndRunTheRightProgram)
{
    FakeHome home;
    // Spaces, quotes, a dollar, a backtick and a backslash in the folder name. (Not
    // '%': the spec's "%%" is right, but GLib checks the program with a shell-style
    // parse that keeps it doubled, so GLib-based desktops refuse such a launcher;
    // install warns about it, see PercentInThePathIsWarnedAbout.)
    const auto rec = makeRecorder(home.root() / "My Apps" / "it's $HOME `x` \\ \"q\"");
    const auto env = home.environment(rec.exe);
    expectInstalled(env);

    const fs::path a = home.root() / "docs" / "report one.pdf";
    const fs::path b = home.root() / "docs" / "b's $x.txt";
    writeFile(a, "a");
    writeFile(b, "b");
    const std::string expected = "[" + a.string() + "]\n[" + b.string() + "]\n";

    // The desktop entry and the Dolphin service menu: desktop-file-validate, then
    // GLib's own Exec parser (gio launch), which follows the same spec as KIO's.
    for (const char* rel : {"applications/coffer.desktop", "kio/servicemenus/coffer.desktop"}) {
        const fs::path path = itemPath(env, rel);
        int rc = -1;
        const std::string out = run("desktop-file-validate " + shellQuote(path.string()), &rc);
        EXPECT_EQ(rc, 0) << rel << ":\n" << out;
        EXPECT_EQ(out.find("error"), std::string::npos) << rel << ":\n" << out;
        run("gio launch " + shellQuote(path.string()) + " " + shellQuote(a.string()) + " " + shellQuote(b.string()),
            &rc);
        for (int i = 0; i < 100 && !fs::exists(rec.record); ++i) // gio launch does not wait for the child
            ::usleep(50'000);
        ::usleep(100'000);
        auto r = rec;
        EXPECT_EQ(r.take(), expected) << rel;
    }

    // Thunar: %F becomes the paths, each g_shell_quote'd; the line is then split like sh would.
    {
        std::string command = thunarCommand(readFile(env.configHome / "Thunar/uca.xml"));
        ASSERT_FALSE(command.empty());
        replaceAll(command, "%F", shellQuote(a.string()) + " " + shellQuote(b.string()));
        replaceAll(command, "%%", "%");
        run("/bin/sh -c " + shellQuote(command));
        auto r = rec;
        EXPECT_EQ(r.take(), expected) << "Thunar: " << command;
    }
    // Nemo with Quote=double: each path in double quotes with " \ $ ` escaped.
    {
        const std::string action = readFile(itemPath(env, "nemo/actions/coffer-encrypt.nemo_action"));
        EXPECT_NE(action.find("\nQuote=double\n"), std::string::npos);
        std::string command = keyFileValue(action, "Exec");
        auto dq = [](const std::string& s) {
            std::string out = "\"";
            for (const char c : s) {
                if (c == '"' || c == '\\' || c == '$' || c == '`')
                    out += '\\';
                out += c;
            }
            return out + "\"";
        };
        replaceAll(command, "%F", dq(a.string()) + " " + dq(b.string()));
        replaceAll(command, "%%", "%");
        run("/bin/sh -c " + shellQuote(command));
        auto r = rec;
        EXPECT_EQ(r.take(), expected) << "Nemo: " << command;
    }
    expectUninstalled(env);
}

TEST(LinuxInstall, PercentInThePathIsWarnedAbout)
{
    FakeHome home;
    const auto rec = makeRecorder(home.root() / "100% Coffer");
    const auto env = home.environment(rec.exe);
    auto report = integration::install(env);
    ASSERT_TRUE(report.ok()) << report.error().message;
    ASSERT_EQ(report->warnings.size(), 1u);
    EXPECT_NE(report->warnings[0].find("'%'"), std::string::npos);
    // Spec-correct all the same: desktop-file-validate accepts it, and Thunar/Nemo get "%%".
    int rc = -1;
    const std::string out =
        run("desktop-file-validate " + shellQuote(itemPath(env, "applications/coffer.desktop").string()), &rc);
    EXPECT_EQ(rc, 0) << out;
    EXPECT_NE(readFile(env.configHome / "Thunar/uca.xml").find("100%% Coffer"), std::string::npos);
    expectUninstalled(env);
}

TEST(LinuxInstall, XdgMimeKnowsTheTypeAndTheDefaultHandler)
{
    FakeHome home;
    const auto rec = makeRecorder(home.root() / "bin");
    const auto env = home.environment(rec.exe);
    expectInstalled(env);
    ASSERT_TRUE(fs::exists(env.dataHome / "mime/mime.cache")) << "update-mime-database did not run";

    const fs::path named = home.root() / "x.coffer";
    const fs::path unnamed = home.root() / "no-extension";
    writeFile(named, "coffer/v1\n-> X25519 abc\n--- mac\n");
    writeFile(unnamed, "coffer/v1\n-> X25519 abc\n--- mac\n");
    EXPECT_EQ(trimmed(run("xdg-mime query filetype " + shellQuote(named.string()))), "application/x-coffer");
    // By content alone (the magic "coffer/v1\n" at offset 0), through GIO as GNOME's file managers see it.
    EXPECT_EQ(trimmed(run("gio info -a standard::content-type " + shellQuote(unnamed.string()) +
                          " 2>/dev/null | sed -n 's/.*standard::content-type: //p'")),
              "application/x-coffer");
    // What Coffer writes now (format v2) is known by its content too.
    const fs::path unnamedV2 = home.root() / "no-extension-v2";
    writeFile(unnamedV2, "coffer/v2\n-> X25519 abc\n--- mac\n");
    EXPECT_EQ(trimmed(run("gio info -a standard::content-type " + shellQuote(unnamedV2.string()) +
                          " 2>/dev/null | sed -n 's/.*standard::content-type: //p'")),
              "application/x-coffer");
    EXPECT_EQ(trimmed(run("xdg-mime query default application/x-coffer")), "coffer.desktop");
    const std::string gioMime = run("gio mime application/x-coffer");
    EXPECT_NE(gioMime.find("Default application for “application/x-coffer”: coffer.desktop"), std::string::npos)
        << gioMime;
    expectUninstalled(env);
    EXPECT_EQ(trimmed(run("xdg-mime query default application/x-coffer")), "");
}

TEST(LinuxInstall, NautilusScriptRunsCofferWithTheSelectedPaths)
{
    FakeHome home;
    auto rec = makeRecorder(home.root() / "bin");
    const auto env = home.environment(rec.exe);
    expectInstalled(env);
    const fs::path dir = home.root() / "Pictures";
    const fs::path a = dir / "holiday photo.jpg";
    const fs::path b = dir / "notes.txt";
    writeFile(a, "a");
    writeFile(b, "b");
    const fs::path script = itemPath(env, "nautilus/scripts/Encrypt with Coffer");

    // As Nautilus runs it: working directory = the folder, the names as
    // arguments, and each full path followed by a newline in the variable.
    {
        ScopedEnv selection("NAUTILUS_SCRIPT_SELECTED_FILE_PATHS", a.string() + "\n" + b.string() + "\n");
        int rc = -1;
        const std::string out = run("cd " + shellQuote(dir.string()) + " && " + shellQuote(script.string()) +
                                        " 'holiday photo.jpg' notes.txt",
                                    &rc);
        EXPECT_EQ(rc, 0) << out;
    }
    EXPECT_EQ(rec.take(), "[" + a.string() + "]\n[" + b.string() + "]\n");
    expectUninstalled(env);
}

TEST(LinuxInstall, ThunarKeepsTheUsersOwnActionsByteForByte)
{
    FakeHome home;
    const auto rec = makeRecorder(home.root() / "bin");
    const auto env = home.environment(rec.exe);
    const fs::path uca = env.configHome / "Thunar/uca.xml";
    // The way Thunar itself writes the file.
    const std::string users = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                              "<actions>\n"
                              "<action>\n"
                              "\t<icon>utilities-terminal</icon>\n"
                              "\t<name>Open Terminal Here</name>\n"
                              "\t<submenu></submenu>\n"
                              "\t<unique-id>1700000000000000-1</unique-id>\n"
                              "\t<command>exo-open --working-directory %f --launch TerminalEmulator</command>\n"
                              "\t<description>Example for a custom action</description>\n"
                              "\t<range></range>\n"
                              "\t<patterns>*</patterns>\n"
                              "\t<startup-notify/>\n"
                              "\t<directories/>\n"
                              "</action>\n"
                              "</actions>\n";
    writeFile(uca, users);
    expectInstalled(env);
    const std::string merged = readFile(uca);
    EXPECT_TRUE(integration::isWellFormedUca(merged));
    EXPECT_NE(merged.find("<unique-id>1700000000000000-1</unique-id>"), std::string::npos);
    EXPECT_NE(merged.find("<unique-id>coffer-integration-encrypt</unique-id>"), std::string::npos);
    EXPECT_TRUE(merged.starts_with(users.substr(0, users.rfind("</actions>"))));
    expectUninstalled(env);
    EXPECT_EQ(readFile(uca), users);
}

TEST(LinuxInstall, ThunarStartsFromTheSystemFileAndRemovesWhatItCreated)
{
    FakeHome home;
    const auto rec = makeRecorder(home.root() / "bin");
    const auto env = home.environment(rec.exe);
    // The distribution's file, with a DTD, which Thunar reads while the user has none.
    const std::string system = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                               "<!DOCTYPE actions [\n  <!ELEMENT actions (action)+>\n]>\n"
                               "<!-- Default thunar-uca configuration file -->\n"
                               "<actions>\n\n  <action>\n    <icon>utilities-terminal</icon>\n"
                               "    <patterns>*</patterns>\n    <name>Open Terminal Here</name>\n"
                               "    <command>exo-open --launch TerminalEmulator</command>\n"
                               "    <description>Example for a custom action</description>\n"
                               "    <startup-notify/>\n    <directories/>\n  </action>\n\n</actions>\n";
    writeFile(home.systemConfig() / "Thunar/uca.xml", system);
    const auto before = snapshot(home.root());
    expectInstalled(env);
    const std::string user = readFile(env.configHome / "Thunar/uca.xml");
    EXPECT_NE(user.find("Open Terminal Here"), std::string::npos); // the system action is kept
    EXPECT_NE(user.find("coffer-integration-encrypt"), std::string::npos);
    EXPECT_TRUE(integration::isWellFormedUca(user));
    expectUninstalled(env);
    EXPECT_EQ(diffSnapshots(before, snapshot(home.root())), "");
}

TEST(LinuxInstall, ThunarRewritingTheFileItCreatedDoesNotKeepItAlive)
{
    FakeHome home;
    const auto rec = makeRecorder(home.root() / "bin");
    const auto env = home.environment(rec.exe);
    writeFile(home.systemConfig() / "Thunar/uca.xml",
              "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<actions>\n  <action>\n    <icon>utilities-terminal</icon>\n"
              "    <patterns>*</patterns>\n    <name>Open Terminal Here</name>\n"
              "    <command>exo-open --working-directory %f --launch TerminalEmulator</command>\n"
              "    <description>Example for a custom action</description>\n    <startup-notify/>\n"
              "    <directories/>\n  </action>\n</actions>\n");
    const auto before = snapshot(home.root());
    expectInstalled(env);
    // What Thunar 4.18 writes back on its first start: every action gets a
    // unique-id, a submenu and a range, tabs instead of spaces, mode 0600.
    const fs::path user = env.configHome / "Thunar/uca.xml";
    writeFile(user,
              "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<actions>\n<action>\n\t<icon>utilities-terminal</icon>\n"
              "\t<name>Open Terminal Here</name>\n\t<submenu></submenu>\n\t<unique-id>1795702143321933-1</unique-id>\n"
              "\t<command>exo-open --working-directory %f --launch TerminalEmulator</command>\n"
              "\t<description>Example for a custom action</description>\n\t<range></range>\n"
              "\t<patterns>*</patterns>\n\t<startup-notify/>\n\t<directories/>\n</action>\n<action>\n"
              "\t<icon>coffer</icon>\n\t<name>Encrypt with Coffer…</name>\n\t<submenu></submenu>\n"
              "\t<unique-id>coffer-integration-encrypt</unique-id>\n\t<command>x %F</command>\n"
              "\t<description></description>\n\t<range>*</range>\n\t<patterns>*</patterns>\n"
              "\t<directories/>\n\t<other-files/>\n</action>\n</actions>\n");
    fs::permissions(user, fs::perms::owner_read | fs::perms::owner_write);
    expectUninstalled(env);
    EXPECT_EQ(diffSnapshots(before, snapshot(home.root())), "");
}

TEST(LinuxInstall, ThunarActionsTheUserAddedToTheFileCofferCreatedAreKept)
{
    FakeHome home;
    const auto rec = makeRecorder(home.root() / "bin");
    const auto env = home.environment(rec.exe);
    expectInstalled(env);
    const fs::path user = env.configHome / "Thunar/uca.xml";
    std::string text = readFile(user);
    text.insert(text.rfind("</actions>"), "<action>\n\t<name>Mine</name>\n\t<unique-id>5-1</unique-id>\n"
                                          "\t<command>true %f</command>\n</action>\n");
    writeFile(user, text);
    expectUninstalled(env);
    ASSERT_TRUE(fs::exists(user));
    EXPECT_EQ(integration::ucaActionSignatures(readFile(user)), std::vector<std::string>{"Mine\ntrue %f"});
    EXPECT_TRUE(integration::coffersUcaActionIds(readFile(user)).empty());
}

TEST(LinuxInstall, UninstallLeavesAnEmptyHomeExactlyAsItWas)
{
    FakeHome home;
    const auto rec = makeRecorder(home.root() / "bin");
    const auto env = home.environment(rec.exe);
    const auto before = snapshot(home.root());
    expectInstalled(env);
    EXPECT_NE(diffSnapshots(before, snapshot(home.root())), "");
    expectUninstalled(env);
    EXPECT_EQ(diffSnapshots(before, snapshot(home.root())), "");
}

TEST(LinuxInstall, UninstallLeavesALivedInHomeExactlyAsItWas)
{
    FakeHome home;
    const auto rec = makeRecorder(home.root() / "bin");
    const auto env = home.environment(rec.exe);
    // Someone else's application, handler and MIME type, with the caches built.
    writeFile(env.dataHome / "applications/other.desktop",
              "[Desktop Entry]\nType=Application\nName=Other\nExec=sh %F\nMimeType=application/x-coffer;text/plain;\n");
    writeFile(env.dataHome / "mime/packages/other.xml",
              "<?xml version=\"1.0\"?>\n<mime-info xmlns=\"http://www.freedesktop.org/standards/shared-mime-info\">\n"
              "  <mime-type type=\"application/x-other\"><comment>Other</comment><glob pattern=\"*.other\"/>"
              "</mime-type>\n</mime-info>\n");
    int rc = -1;
    run("update-mime-database " + shellQuote((env.dataHome / "mime").string()), &rc);
    ASSERT_EQ(rc, 0);
    run("update-desktop-database " + shellQuote((env.dataHome / "applications").string()), &rc);
    ASSERT_EQ(rc, 0);
    ASSERT_TRUE(fs::exists(env.dataHome / "applications/mimeinfo.cache"));
    writeFile(env.configHome / "mimeapps.list", "[Added Associations]\ntext/plain=other.desktop;\n\n"
                                                "[Default Applications]\ntext/plain=other.desktop;\n"
                                                "application/x-coffer=other.desktop\n");
    writeFile(env.configHome / "Thunar/uca.xml",
              "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<actions>\n<action>\n\t<name>Mine</name>\n"
              "\t<unique-id>1-1</unique-id>\n\t<command>true %f</command>\n</action>\n</actions>");
    writeFile(env.dataHome / "icons/hicolor/scalable/apps/other.svg", "<svg/>");
    writeFile(env.dataHome / "nautilus/scripts/Mine", "#!/bin/sh\n");
    writeFile(env.dataHome / "kio/servicemenus/mine.desktop", "[Desktop Entry]\n");
    writeFile(env.manifest.parent_path() / "keyring.coffer", "not really a keyring");
    EXPECT_EQ(trimmed(run("xdg-mime query default application/x-coffer")), "other.desktop");

    const auto before = snapshot(home.root());
    expectInstalled(env);
    EXPECT_EQ(trimmed(run("xdg-mime query default application/x-coffer")), "coffer.desktop");
    EXPECT_EQ(trimmed(run("xdg-mime query default text/plain")), "other.desktop");
    const fs::path named = home.root() / "y.coffer";
    writeFile(named, "coffer/v1\n");
    EXPECT_EQ(trimmed(run("xdg-mime query filetype " + shellQuote(named.string()))), "application/x-coffer");
    fs::remove(named);
    expectUninstalled(env);
    EXPECT_EQ(diffSnapshots(before, snapshot(home.root())), "");
    EXPECT_EQ(trimmed(run("xdg-mime query default application/x-coffer")), "other.desktop");
}

TEST(LinuxInstall, InstallingTwiceIsInstallingOnce)
{
    FakeHome home;
    const auto rec = makeRecorder(home.root() / "bin");
    const auto env = home.environment(rec.exe);
    writeFile(env.configHome / "mimeapps.list", "[Default Applications]\napplication/x-coffer=other.desktop;\n");
    const auto before = snapshot(home.root());
    expectInstalled(env);
    const auto once = snapshot(home.root());
    expectInstalled(env);
    EXPECT_EQ(diffSnapshots(once, snapshot(home.root())), "");
    expectUninstalled(env);
    EXPECT_EQ(diffSnapshots(before, snapshot(home.root())), "");
    // A second uninstall has nothing left to do.
    auto again = integration::uninstall(env);
    ASSERT_TRUE(again.ok());
    EXPECT_TRUE(again->done.empty());
}

TEST(LinuxInstall, AFileCofferDidNotMakeIsLeftAlone)
{
    FakeHome home;
    const auto rec = makeRecorder(home.root() / "bin");
    const auto env = home.environment(rec.exe);
    const fs::path mine = env.dataHome / "applications/coffer.desktop";
    writeFile(mine, "[Desktop Entry]\nType=Application\nName=My own Coffer launcher\nExec=/somewhere/coffer\n");
    const auto before = snapshot(home.root());
    auto report = integration::install(env);
    ASSERT_TRUE(report.ok()) << report.error().message;
    ASSERT_EQ(report->warnings.size(), 1u);
    EXPECT_NE(report->warnings[0].find(mine.string()), std::string::npos);
    EXPECT_NE(readFile(mine).find("My own Coffer launcher"), std::string::npos);
    expectUninstalled(env);
    EXPECT_EQ(diffSnapshots(before, snapshot(home.root())), "");
}

TEST(LinuxInstall, ADefaultTheUserChangedSinceIsKept)
{
    FakeHome home;
    const auto rec = makeRecorder(home.root() / "bin");
    const auto env = home.environment(rec.exe);
    expectInstalled(env);
    const fs::path list = env.configHome / "mimeapps.list";
    std::string text = readFile(list);
    replaceAll(text, "application/x-coffer=coffer.desktop;", "application/x-coffer=other.desktop;");
    writeFile(list, text);
    auto report = integration::uninstall(env);
    ASSERT_TRUE(report.ok());
    ASSERT_EQ(report->warnings.size(), 1u);
    EXPECT_NE(readFile(list).find("application/x-coffer=other.desktop;"), std::string::npos);
}

TEST(LinuxInstall, StatusTellsWhenCofferMoved)
{
    FakeHome home;
    const auto first = makeRecorder(home.root() / "first");
    const auto second = makeRecorder(home.root() / "second");
    const auto before = snapshot(home.root() / "home");

    auto st = integration::status(home.environment(first.exe));
    ASSERT_TRUE(st.ok());
    EXPECT_FALSE(st->installed);
    EXPECT_NE(integration::formatStatus(*st).find("not installed"), std::string::npos);

    expectInstalled(home.environment(first.exe));
    st = integration::status(home.environment(first.exe));
    ASSERT_TRUE(st.ok());
    EXPECT_TRUE(st->installed);
    EXPECT_FALSE(st->moved);
    for (const auto& item : st->items)
        EXPECT_EQ(item.state, "ok") << item.path;
    EXPECT_EQ(st->defaultHandler.value_or(""), "coffer.desktop");
    EXPECT_EQ(st->thunarActions, 1);

    // The same files seen from another copy of Coffer.
    st = integration::status(home.environment(second.exe));
    ASSERT_TRUE(st.ok());
    EXPECT_TRUE(st->moved);
    EXPECT_FALSE(st->recordedMissing);
    EXPECT_NE(integration::formatStatus(*st).find("Coffer moved: run \"coffer integrate install\" again"),
              std::string::npos);
    fs::remove_all(home.root() / "first");
    st = integration::status(home.environment(second.exe));
    ASSERT_TRUE(st.ok());
    EXPECT_TRUE(st->recordedMissing);

    // Installing again from the new place points everything there.
    expectInstalled(home.environment(second.exe));
    st = integration::status(home.environment(second.exe));
    ASSERT_TRUE(st.ok());
    EXPECT_FALSE(st->moved);
    const std::string desktop = readFile(home.dataHome() / "applications/coffer.desktop");
    EXPECT_NE(desktop.find("Exec=" + second.exe.string() + " %F"), std::string::npos) << desktop;
    EXPECT_EQ(desktop.find(first.exe.string()), std::string::npos);
    expectUninstalled(home.environment(second.exe));
    EXPECT_EQ(diffSnapshots(before, snapshot(home.root() / "home")), "");
}

TEST(LinuxInstall, AFailedInstallUndoesWhatItDid)
{
    FakeHome home;
    const auto rec = makeRecorder(home.root() / "bin");
    const auto env = home.environment(rec.exe);
    // A file where Thunar's folder should be: the Thunar step fails after the files went in.
    writeFile(env.configHome / "Thunar", "not a folder");
    const auto before = snapshot(home.root());
    auto report = integration::install(env);
    ASSERT_FALSE(report.ok());
    EXPECT_EQ(report.error().code, ErrorCode::Io);
    EXPECT_EQ(diffSnapshots(before, snapshot(home.root())), "");
}

TEST(LinuxInstall, PortableDataFolderIsRemovedWithTheRecord)
{
    FakeHome home;
    const auto rec = makeRecorder(home.root() / "Portable Coffer");
    auto env = home.environment(rec.exe);
    env.portable = true;
    env.manifest = home.root() / "Portable Coffer" / "data" / integration::kManifestName;
    const auto before = snapshot(home.root());
    expectInstalled(env);
    EXPECT_TRUE(fs::exists(env.manifest));
    EXPECT_EQ(fs::status(env.manifest.parent_path()).permissions() & fs::perms::all, fs::perms::owner_all);
    auto st = integration::status(env);
    ASSERT_TRUE(st.ok());
    EXPECT_TRUE(st->portable);
    EXPECT_NE(integration::formatStatus(*st).find("(portable copy)"), std::string::npos);
    expectUninstalled(env);
    EXPECT_FALSE(fs::exists(home.root() / "Portable Coffer" / "data"));
    EXPECT_EQ(diffSnapshots(before, snapshot(home.root())), "");
}

} // namespace
} // namespace coffer::test
