// The Windows registry table, on any OS: rendered to a .reg file it must match
// the reviewed tests/integration/expected/coffer.reg, and written through
// QSettings (an INI file here, the registry on Windows) it must be removable
// without touching anyone else's keys.
#include "IntegrationWindows.h"
#include "TestSupport.h"

#include <QSettings>

#include <algorithm>

#include <gtest/gtest.h>

namespace coffer::integration {
namespace {

const std::string kExe = "C:\\Users\\Ann Example\\AppData\\Local\\Coffer\\coffer.exe";

std::string expectedFile(const char* name)
{
    return test::readFile(std::filesystem::path(COFFER_INTEGRATION_EXPECTED_DIR) / name);
}

std::string lfOnly(const std::string& crlf)
{
    std::string out;
    for (std::size_t i = 0; i < crlf.size(); ++i) {
        if (crlf[i] == '\r' && i + 1 < crlf.size() && crlf[i + 1] == '\n')
            continue;
        out += crlf[i];
    }
    return out;
}

void expectCrlfOnly(const std::string& text)
{
    for (std::size_t i = 0; i < text.size(); ++i)
        if (text[i] == '\n') {
            ASSERT_TRUE(i > 0 && text[i - 1] == '\r') << "a bare LF at byte " << i;
        }
}

TEST(WindowsRegistry, RegFileMatchesTheReviewedOne)
{
    std::string expected = expectedFile("coffer.reg");
    const std::string escapedExe = "C:\\\\Users\\\\Ann Example\\\\AppData\\\\Local\\\\Coffer\\\\coffer.exe";
    for (auto pos = expected.find("@COFFER_EXE@"); pos != std::string::npos; pos = expected.find("@COFFER_EXE@"))
        expected.replace(pos, 12, escapedExe);
    const std::string rendered = renderRegFile(kExe);
    expectCrlfOnly(rendered);
    EXPECT_EQ(lfOnly(rendered), expected);
}

TEST(WindowsRegistry, UnregFileMatchesTheReviewedOne)
{
    const std::string rendered = renderUnregFile();
    expectCrlfOnly(rendered);
    EXPECT_EQ(lfOnly(rendered), expectedFile("coffer-unreg.reg"));
}

TEST(WindowsRegistry, EveryTableKeyIsUnderAKeyUninstallRemoves)
{
    const auto owned = registryOwnedKeys();
    for (const auto& v : registryTable(kExe)) {
        const bool covered = std::any_of(owned.begin(), owned.end(), [&](const std::string& k) {
            return v.key == k || v.key.starts_with(k + "\\");
        });
        EXPECT_TRUE(covered) << v.key;
    }
}

TEST(WindowsRegistry, WrittenThroughQSettingsAndRemovedWithoutTouchingOthers)
{
    test::TempDir dir;
    const QString ini = QString::fromStdString((dir / "classes.ini").string());
    {
        QSettings classes(ini, QSettings::IniFormat);
        // Someone else's verb on every file, present before Coffer.
        classes.setValue(QStringLiteral("*/shell/Other/command/."), QStringLiteral("other.exe \"%1\""));
        classes.sync();
    }
    QSettings classes(ini, QSettings::IniFormat);
    const auto parents = missingParentKeys(classes);
    EXPECT_EQ(parents, (std::vector<std::string>{"Directory", "Directory\\shell"}));
    writeRegistry(classes, kExe);
    EXPECT_EQ(classes.value(QStringLiteral(".coffer/.")).toString(), QStringLiteral("Coffer.Container"));
    EXPECT_EQ(classes.value(QStringLiteral("Coffer.Container/shell/open/command/.")).toString().toStdString(),
              "\"" + kExe + "\" \"%1\"");
    EXPECT_EQ(classes.value(QStringLiteral("Directory/shell/Coffer.Encrypt/MultiSelectModel")).toString(),
              QStringLiteral("Player"));
    EXPECT_EQ(registeredExecutable(classes), kExe);

    removeRegistry(classes, parents);
    EXPECT_EQ(registeredExecutable(classes), "");
    EXPECT_EQ(classes.allKeys(), QStringList{QStringLiteral("*/shell/Other/command/.")});
}

TEST(WindowsRegistry, AnExtensionAnotherProgramTookIsLeftToIt)
{
    test::TempDir dir;
    QSettings classes(QString::fromStdString((dir / "classes.ini").string()), QSettings::IniFormat);
    const auto parents = missingParentKeys(classes);
    writeRegistry(classes, kExe);
    classes.setValue(QStringLiteral(".coffer/."), QStringLiteral("Other.Container"));
    removeRegistry(classes, parents);
    EXPECT_EQ(classes.value(QStringLiteral(".coffer/.")).toString(), QStringLiteral("Other.Container"));
    EXPECT_FALSE(classes.contains(QStringLiteral(".coffer/OpenWithProgids/Coffer.Container")));
    EXPECT_FALSE(classes.contains(QStringLiteral("Coffer.Container/shell/open/command/.")));
}

TEST(WindowsRegistry, AgeFilesOpenWithCofferUnlessAnotherProgramHasThem)
{
    test::TempDir dir;
    QSettings classes(QString::fromStdString((dir / "classes.ini").string()), QSettings::IniFormat);
    // Nobody has .age: Coffer opens it.
    writeRegistry(classes, kExe);
    EXPECT_EQ(classes.value(QStringLiteral(".age/.")).toString(), QStringLiteral("Coffer.AgeFile"));
    EXPECT_EQ(classes.value(QStringLiteral("Coffer.AgeFile/shell/open/command/.")).toString().toStdString(),
              "\"" + kExe + "\" \"%1\"");
    removeRegistry(classes);
    EXPECT_FALSE(classes.contains(QStringLiteral(".age/.")));
    EXPECT_FALSE(classes.contains(QStringLiteral("Coffer.AgeFile/shell/open/command/.")));

    // Another program has .age: it keeps it, before and after; Coffer is only offered.
    classes.setValue(QStringLiteral(".age/."), QStringLiteral("Other.Age"));
    classes.setValue(QStringLiteral(".age/Content Type"), QStringLiteral("application/x-other"));
    writeRegistry(classes, kExe);
    EXPECT_EQ(classes.value(QStringLiteral(".age/.")).toString(), QStringLiteral("Other.Age"));
    EXPECT_EQ(classes.value(QStringLiteral(".age/Content Type")).toString(), QStringLiteral("application/x-other"));
    EXPECT_TRUE(classes.contains(QStringLiteral(".age/OpenWithProgids/Coffer.AgeFile")));
    removeRegistry(classes);
    EXPECT_EQ(classes.value(QStringLiteral(".age/.")).toString(), QStringLiteral("Other.Age"));
    EXPECT_FALSE(classes.contains(QStringLiteral(".age/OpenWithProgids/Coffer.AgeFile")));
    EXPECT_FALSE(classes.contains(QStringLiteral("Coffer.AgeFile/.")));
}

} // namespace
} // namespace coffer::integration
