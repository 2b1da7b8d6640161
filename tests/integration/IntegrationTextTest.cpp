// The pure text transforms behind desktop integration: quoting the executable
// for each consumer, filling templates, Thunar's uca.xml merge and removal, and
// the mimeapps.list default handler, each undone byte for byte.
#include "IntegrationText.h"
#include "Integration.h"

#include <gtest/gtest.h>

#include <regex>

namespace coffer::integration {
namespace {

TEST(IntegrationText, DesktopExecArgumentQuotesOnlyWhenNeeded)
{
    EXPECT_EQ(desktopExecArgument("/usr/bin/coffer"), "/usr/bin/coffer");
    EXPECT_EQ(desktopExecArgument("/opt/My Apps/coffer"), "\"/opt/My Apps/coffer\"");
    // Inside quotes: \" \` \$ \\ ; then the string escape doubles every backslash.
    EXPECT_EQ(desktopExecArgument("/a b/$x"), "\"/a b/\\\\$x\"");
    EXPECT_EQ(desktopExecArgument("/a\\b"), "\"/a\\\\\\\\b\"");
    EXPECT_EQ(desktopExecArgument("/a\"b"), "\"/a\\\\\"b\"");
    EXPECT_EQ(desktopExecArgument("/100%/coffer"), "/100%%/coffer");
}

TEST(IntegrationText, ShellAndXmlQuoting)
{
    EXPECT_EQ(shellQuote("/opt/it's/coffer"), "'/opt/it'\\''s/coffer'");
    EXPECT_EQ(xmlEscape("a&b<c>\"'"), "a&amp;b&lt;c&gt;&quot;&apos;");
    EXPECT_EQ(desktopStringEscape(" lead\\tab\t"), "\\slead\\\\tab\\t");
}

TEST(IntegrationText, FillTemplateReplacesEveryPlaceholder)
{
    const std::string t = "@MARKER@|@EXEC_DESKTOP@|@EXEC_PATH_DESKTOP@|@EXEC_SHELL@|@EXEC_NEMO@|@EXEC_THUNAR@";
    const std::string out = fillTemplate(t, "/a b/c&d%");
    EXPECT_EQ(out, std::string(kMarker) + "|\"/a b/c&d%%\"|/a b/c&d%|'/a b/c&d%'|'/a b/c&d%%'|'/a b/c&amp;d%%'");
}

TEST(IntegrationText, UsableExecutablePaths)
{
    EXPECT_TRUE(isUsableExecutablePath("/usr/bin/coffer"));
    EXPECT_FALSE(isUsableExecutablePath("coffer"));
    EXPECT_FALSE(isUsableExecutablePath(""));
    EXPECT_FALSE(isUsableExecutablePath("/a\nb"));
}

TEST(IntegrationText, EveryTemplateRendersWithTheMarkerAndNoPlaceholderLeft)
{
    std::vector<const char*> resources{kThunarResource};
    for (const auto& item : linuxItems())
        resources.push_back(item.resource);
    for (const char* r : resources) {
        auto text = renderResource(r, "/usr/bin/coffer");
        ASSERT_TRUE(text.ok()) << r << ": " << text.error().message;
        EXPECT_FALSE(std::regex_search(*text, std::regex("@[A-Z_]+@"))) << r;
        if (std::string(r) != kThunarResource) { // Thunar drops comments; its actions carry a unique-id instead
            EXPECT_NE(text->find(kMarker), std::string::npos) << r;
        }
    }
}

const std::string kBlock = "<action>\n\t<name>Encrypt</name>\n\t<unique-id>coffer-integration-encrypt</unique-id>\n"
                           "\t<command>'/usr/bin/coffer' %F</command>\n</action>\n";

TEST(IntegrationText, UcaMergeAndRemovalRestoreEveryByte)
{
    const std::vector<std::string> files = {
        emptyUcaFile(),
        "<?xml version=\"1.0\" "
        "encoding=\"UTF-8\"?>\n<actions>\n<action>\n\t<name>Mine</name>\n\t<unique-id>1-1</unique-id>"
        "\n</action>\n</actions>\n",
        "<actions><action><unique-id>1-1</unique-id></action></actions>", // one line, no newline at the end
        "<?xml version=\"1.0\"?>\n<actions>\n  <action>\n    <unique-id>2</unique-id>\n  </action>\n  </actions>\n",
        "<?xml version=\"1.0\"?>\r\n<actions>\r\n</actions>\r\n",
        "<?xml version=\"1.0\"?>\n<!DOCTYPE actions [\n  <!ELEMENT actions (action)+>\n]>\n<!-- a comment with "
        "<action> in it -->\n<actions>\n</actions>\n",
    };
    for (const auto& original : files) {
        const auto merged = mergeUcaActions(original, kBlock);
        ASSERT_TRUE(merged.has_value()) << original;
        EXPECT_TRUE(isWellFormedUca(*merged)) << *merged;
        EXPECT_EQ(coffersUcaActionIds(*merged), std::vector<std::string>{"coffer-integration-encrypt"});
        int removed = 0;
        EXPECT_EQ(removeUcaActions(*merged, &removed), original);
        EXPECT_EQ(removed, 1);
    }
}

TEST(IntegrationText, UcaRemovalFindsActionsThunarRewrote)
{
    // Thunar rewrites the whole file when the user edits an action: other
    // indentation, other element order, our unique-id kept.
    const std::string rewritten = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<actions>\n<action>\n\t<icon>x</icon>\n"
                                  "\t<name>Mine</name>\n\t<unique-id>1-1</unique-id>\n</action>\n"
                                  "<action>\n\t<icon>coffer</icon>\n\t<name>Encrypt with Coffer…</name>\n"
                                  "\t<unique-id>coffer-integration-encrypt</unique-id>\n\t<command>x</command>\n"
                                  "</action>\n</actions>\n";
    int removed = 0;
    const std::string out = removeUcaActions(rewritten, &removed);
    EXPECT_EQ(removed, 1);
    EXPECT_EQ(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<actions>\n<action>\n\t<icon>x</icon>\n"
                   "\t<name>Mine</name>\n\t<unique-id>1-1</unique-id>\n</action>\n</actions>\n");
}

TEST(IntegrationText, UcaMergeRefusesWhatItCannotRead)
{
    EXPECT_FALSE(mergeUcaActions("", kBlock));
    EXPECT_FALSE(mergeUcaActions("<actions/>", kBlock));
    EXPECT_FALSE(mergeUcaActions("<actions><action></actions>", kBlock));
    EXPECT_FALSE(mergeUcaActions("<other></other>", kBlock));
}

TEST(IntegrationText, MimeAppsDefaultIsSetAndRestoredByteForByte)
{
    const std::vector<std::string> files = {
        "",
        "[Added Associations]\ntext/plain=gedit.desktop;\n",
        "[Added Associations]\ntext/plain=gedit.desktop;", // no newline at the end
        "[Default Applications]\ntext/plain=gedit.desktop;\n",
        "[Default Applications]\napplication/x-coffer=other.desktop\ntext/plain=gedit.desktop;\n",
        "[Default Applications]\napplication/x-coffer = other.desktop;\n[Added Associations]\n"
        "application/x-coffer=coffer.desktop;\n",
        "[Default Applications]", // a header without a line break
        "# comment\n[Default Applications]\r\ntext/html=firefox.desktop\r\n",
    };
    for (const auto& original : files) {
        std::string text = original;
        const auto change = setDefaultHandler(text, "application/x-coffer", "coffer.desktop");
        EXPECT_EQ(defaultHandler(text, "application/x-coffer").value_or(""), "coffer.desktop") << text;
        EXPECT_EQ(defaultHandler(text, "text/plain"), defaultHandler(original, "text/plain"));
        EXPECT_TRUE(restoreDefaultHandler(text, change)) << original;
        EXPECT_EQ(text, original);
    }
}

TEST(IntegrationText, MimeAppsKeepsAChoiceMadeAfterInstall)
{
    std::string text = "[Default Applications]\ntext/plain=gedit.desktop;\n";
    const auto change = setDefaultHandler(text, "application/x-coffer", "coffer.desktop");
    std::string changed = "[Default Applications]\napplication/x-coffer=other.desktop;\ntext/plain=gedit.desktop;\n";
    EXPECT_FALSE(restoreDefaultHandler(changed, change));
    EXPECT_EQ(changed, "[Default Applications]\napplication/x-coffer=other.desktop;\ntext/plain=gedit.desktop;\n");
}

TEST(IntegrationText, DefaultHandlerReadsTheFirstEntryOfTheDefaultGroupOnly)
{
    const std::string text = "[Added Associations]\napplication/x-coffer=a.desktop;\n"
                             "[Default Applications]\napplication/x-coffer= ;b.desktop;c.desktop\n";
    EXPECT_EQ(defaultHandler(text, "application/x-coffer").value_or(""), "b.desktop");
    EXPECT_FALSE(defaultHandler(text, "text/plain"));
}

} // namespace
} // namespace coffer::integration
