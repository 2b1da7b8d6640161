// Dragging entries out of a container window: the drag's text/uri-list names
// copies extracted only when a drop target asks for them, each authenticated
// whole first; a tampered container gives the target nothing to copy.
#include "ContainerTestSupport.h"

#include "ContainerModel.h"
#include "OpenEntry.h"
#include "PathText.h"

#include <QFile>
#include <QMimeData>
#include <QTreeView>
#include <QUrl>

#include <fstream>

namespace coffer::test::ui {

namespace {

namespace fs = std::filesystem;
constexpr int kWait = 20000; // ms; a few here on a busy machine
using coffer::ui::ContainerWindow;

class DragOutTest : public UiTest {
protected:
    void SetUp() override
    {
        m_context = makeUnlockedContext("Alice", "alice passphrase");
        writeFile(work() / "in" / "sub" / "b.txt", "bravo\n");
        writeFile(work() / "in" / "sub" / "c.txt", "charlie\n");
        writeRandomFile(work() / "in" / "big.bin", 6 * 1024 * 1024);
        encryptToSelf(*m_context, {work() / "in" / "sub", work() / "in" / "big.bin"}, work() / "box.coffer");
        fs::create_directories(work() / "target");
    }

    /// What a drag of these entries carries, as the view makes it.
    static std::unique_ptr<QMimeData> dragOf(ContainerWindow& window, const QStringList& paths)
    {
        QModelIndexList indexes;
        for (const QString& p : paths)
            indexes << window.model()->indexOfPath(p);
        return std::unique_ptr<QMimeData>(window.model()->mimeData(indexes));
    }

    /// A file manager's drop: copies each local file the list names into the target folder.
    void dropInto(const QList<QUrl>& urls)
    {
        for (const QUrl& url : urls)
            fs::copy(coffer::ui::toPath(url.toLocalFile()), work() / "target" / url.fileName().toStdString(),
                     fs::copy_options::recursive);
    }

    std::unique_ptr<AppContext> m_context;
};

TEST_F(DragOutTest, TheDraggedFileIsExtractedWhenTheTargetAsksForIt)
{
    ContainerWindow* window = openLoaded(*m_context, work() / "box.coffer");
    auto mime = dragOf(*window, {"sub/b.txt"});
    ASSERT_TRUE(mime);
    EXPECT_TRUE(mime->hasUrls());
    EXPECT_TRUE(window->opener()->folder().isEmpty()) << "nothing is extracted before a target asks";

    const QList<QUrl> urls = mime->urls();
    ASSERT_EQ(urls.size(), 1);
    EXPECT_EQ(urls[0].fileName(), "b.txt");
    const QByteArray list = mime->data("text/uri-list");
    EXPECT_EQ(list, urls[0].toEncoded() + "\r\n") << "the same copy, extracted once";
    dropInto(urls);
    EXPECT_EQ(readFile(work() / "target" / "b.txt"), "bravo\n");
    EXPECT_EQ(modeOf(coffer::ui::toPath(window->opener()->folder())), 0700u);
    delete window;
}

TEST_F(DragOutTest, AFolderAndAFileDragOutTogether)
{
    ContainerWindow* window = openLoaded(*m_context, work() / "box.coffer");
    auto mime = dragOf(*window, {"sub", "sub/c.txt", "big.bin"});
    ASSERT_TRUE(mime);
    const QList<QUrl> urls = mime->urls();
    ASSERT_EQ(urls.size(), 2) << "sub/c.txt comes with its folder";
    dropInto(urls);
    EXPECT_EQ(filesUnder(work() / "target"), (std::vector<std::string>{"big.bin", "sub/", "sub/b.txt", "sub/c.txt"}));
    EXPECT_EQ(readBytes(work() / "target" / "big.bin"), readBytes(work() / "in" / "big.bin"));
    delete window;
}

TEST_F(DragOutTest, ATamperedContainerGivesTheTargetNothing)
{
    ContainerWindow* window = openLoaded(*m_context, work() / "box.coffer");
    { // one byte of big.bin's chunks, after the listing was read
        std::fstream f(work() / "box.coffer", std::ios::in | std::ios::out | std::ios::binary);
        f.seekg(3 * 1024 * 1024);
        const char c = static_cast<char>(f.get());
        f.seekp(3 * 1024 * 1024);
        f.put(static_cast<char>(c ^ 0x01));
    }
    auto mime = dragOf(*window, {"big.bin"});
    ASSERT_TRUE(mime);
    EXPECT_TRUE(mime->urls().isEmpty());
    EXPECT_TRUE(mime->data("text/uri-list").isEmpty());
    dropInto(mime->urls());
    EXPECT_TRUE(filesUnder(work() / "target").empty());
    const fs::path folder = coffer::ui::toPath(window->opener()->folder());
    for (const std::string& f : filesUnder(folder))
        EXPECT_EQ(f.find("big.bin"), std::string::npos) << "unauthenticated bytes left at " << f;
    EXPECT_FALSE(window->messageText().isEmpty()) << "the window says why nothing came";
    delete window;
}

} // namespace

} // namespace coffer::test::ui
