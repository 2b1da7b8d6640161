// "Share…" (issue 23): attach to e-mail through the launcher seam, copy the
// file, copy as text; and the way back: "Open from clipboard", dropped text
// and a dropped text file decode the armor (FORMAT.md §14) into a private
// folder and open the container, while hostile armor is refused clearly and
// leaves nothing behind.
#include "ContainerTestSupport.h"

#include "AppController.h"
#include "ContainerWindow.h"
#include "DropZone.h"
#include "JobProgressWidget.h"
#include "JobRunner.h"
#include "MainWindow.h"
#include "MessageBox.h"
#include "OpenCopies.h"
#include "PathText.h"
#include "ShareButton.h"

#include <QAction>
#include <QClipboard>
#include <QDropEvent>
#include <QMenu>
#include <QMimeData>
#include <QUrl>

namespace coffer::test::ui {

namespace {

namespace fs = std::filesystem;
using coffer::ui::AppController;
using coffer::ui::ContainerWindow;
using coffer::ui::MessageBox;
using coffer::ui::ShareButton;
using coffer::ui::toQString;

class ShareTest : public UiTest {
protected:
    ShareTest()
    {
        m_savedLauncher = ShareButton::launcher();
        m_savedOpener = ShareButton::folderOpener();
    }
    ~ShareTest() override
    {
        ShareButton::launcher() = m_savedLauncher;
        ShareButton::folderOpener() = m_savedOpener;
    }

    fs::path makeContainer(AppContext& context)
    {
        writeFile(work() / "report" / "notes.txt", "the notes\n");
        writeFile(work() / "report" / "data.bin", std::string(2000, 'd'));
        const fs::path out = work() / "report.coffer";
        encryptToSelf(context, {work() / "report"}, out);
        return out;
    }

    // The private folders under Coffer's base for decoded text (open-*), with what is in them.
    std::vector<std::string> decodedFiles(AppContext& context)
    {
        const fs::path base = openCopiesBase(context.locations());
        return fs::exists(base) ? filesUnder(base) : std::vector<std::string>{};
    }

    ShareButton::Launcher m_savedLauncher;
    std::function<void(const QUrl&)> m_savedOpener;
};

ContainerWindow* waitLoaded(ContainerWindow* window)
{
    if (!window)
        return nullptr;
    if (!window->isLoaded()) {
        QSignalSpy loaded(window, &ContainerWindow::loadFinished);
        EXPECT_TRUE(waitFor(loaded));
    }
    EXPECT_TRUE(window->isLoaded()) << window->messageText().toStdString();
    return window;
}

} // namespace

TEST_F(ShareTest, AttachToEmailRunsXdgEmailWithTheContainersPath)
{
    auto context = makeUnlockedContext("Alice", "alice passphrase");
    const fs::path container = makeContainer(*context);
    std::unique_ptr<ContainerWindow> window(openLoaded(*context, container));
    QString program;
    QStringList arguments;
    ShareButton::launcher() = [&](const QString& p, const QStringList& a) {
        program = p;
        arguments = a;
        return true;
    };
    window->shareButton()->emailAction()->trigger();
    EXPECT_EQ(program, QStringLiteral("xdg-email"));
    EXPECT_EQ(arguments, QStringList({QStringLiteral("--attach"), toQString(fs::absolute(container))}));

    // No xdg-email: a plain message that says what to do instead.
    ShareButton::launcher() = [](const QString&, const QStringList&) { return false; };
    window->shareButton()->emailAction()->trigger();
    EXPECT_TRUE(MessageBox::lastText().contains(QStringLiteral("xdg-email"))) << MessageBox::lastText().toStdString();
    EXPECT_TRUE(MessageBox::lastText().contains(QStringLiteral("report.coffer")));
}

TEST_F(ShareTest, CopyFilePutsTheFileOnTheClipboardAsAFile)
{
    auto context = makeUnlockedContext("Alice", "alice passphrase");
    const fs::path container = makeContainer(*context);
    std::unique_ptr<ContainerWindow> window(openLoaded(*context, container));
    window->shareButton()->copyFileAction()->trigger();
    const QMimeData* mime = QGuiApplication::clipboard()->mimeData();
    ASSERT_NE(mime, nullptr);
    EXPECT_TRUE(mime->hasFormat(QStringLiteral("text/uri-list")));
    ASSERT_EQ(mime->urls().size(), 1);
    EXPECT_EQ(mime->urls().front().toLocalFile(), toQString(fs::absolute(container)));
    EXPECT_EQ(mime->data(QStringLiteral("x-special/gnome-copied-files")),
              "copy\n" + QUrl::fromLocalFile(toQString(fs::absolute(container))).toEncoded());
    EXPECT_TRUE(window->messageText().contains(QStringLiteral("Copied")));

    bool shown = false;
    ShareButton::folderOpener() = [&](const QUrl& url) { shown = url.toLocalFile() == toQString(work()); };
    window->shareButton()->showFolderAction()->trigger();
    EXPECT_TRUE(shown);
}

TEST_F(ShareTest, CopyAsTextThenOpenFromClipboardRoundTripsByteForByte)
{
    auto context = makeUnlockedContext("Alice", "alice passphrase");
    const fs::path container = makeContainer(*context);
    {
        std::unique_ptr<ContainerWindow> window(openLoaded(*context, container));
        ASSERT_TRUE(window->shareButton()->copyTextAction()->isEnabled());
        window->shareButton()->copyTextAction()->trigger();
    }
    const QString text = QGuiApplication::clipboard()->text();
    EXPECT_TRUE(text.startsWith(QStringLiteral("-----BEGIN COFFER ENCRYPTED FILE-----\n")));

    AppController controller(*context);
    controller.start();
    ContainerWindow* opened = waitLoaded(controller.openClipboard());
    ASSERT_NE(opened, nullptr) << MessageBox::lastText().toStdString();
    EXPECT_TRUE(shownPaths(*opened).contains(QStringLiteral("report/notes.txt")));
    EXPECT_TRUE(shownPaths(*opened).contains(QStringLiteral("report/data.bin")));

    // The decoded file is the container, byte for byte, in a private 0700 folder.
    const fs::path base = openCopiesBase(context->locations());
    std::vector<fs::path> decoded;
    for (const auto& e : fs::recursive_directory_iterator(base))
        if (e.is_regular_file() && e.path().extension() == ".coffer")
            decoded.push_back(e.path());
    ASSERT_EQ(decoded.size(), 1u);
    EXPECT_EQ(readFile(decoded.front()), readFile(container));
    EXPECT_EQ(modeOf(decoded.front().parent_path().parent_path()), 0700u);
    EXPECT_EQ(modeOf(decoded.front()), 0600u);

    // Closing the window removes it.
    QSignalSpy gone(opened, &QObject::destroyed);
    ASSERT_TRUE(opened->close());
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete); // its WA_DeleteOnClose
    ASSERT_EQ(gone.count(), 1);
    EXPECT_FALSE(fs::exists(decoded.front()));
    EXPECT_TRUE(decodedFiles(*context).empty());
}

TEST_F(ShareTest, CopyAsTextIsOfferedOnlyUpTo64KiB)
{
    auto context = makeUnlockedContext("Alice", "alice passphrase");
    writeRandomFile(work() / "big.bin", 70 * 1024);
    encryptToSelf(*context, {work() / "big.bin"}, work() / "big.coffer");
    std::unique_ptr<ContainerWindow> window(openLoaded(*context, work() / "big.coffer"));
    EXPECT_FALSE(window->shareButton()->copyTextAction()->isEnabled());
    EXPECT_TRUE(window->shareButton()->copyTextAction()->toolTip().contains(QStringLiteral("64 KiB")));

    // Not a Coffer container (an age file, say): only as a file.
    writeFile(work() / "notes.txt.age", "age-encryption.org/v1\n");
    ShareButton other;
    other.setFile(workPath("notes.txt.age"));
    EXPECT_FALSE(other.copyTextAction()->isEnabled());
    EXPECT_TRUE(other.copyTextAction()->toolTip().contains(QStringLiteral("Only a Coffer container")));
}

TEST_F(ShareTest, HostileArmorIsRefusedClearlyAndLeavesNothing)
{
    auto context = makeUnlockedContext("Alice", "alice passphrase");
    const fs::path container = makeContainer(*context);
    std::unique_ptr<ContainerWindow> window(openLoaded(*context, container));
    window->shareButton()->copyTextAction()->trigger();
    const std::string good = QGuiApplication::clipboard()->text().toStdString();
    window.reset();
    AppController controller(*context);
    controller.start();

    const std::size_t body = good.find('\n') + 1;
    std::string badBase64 = good;
    badBase64[body + 2] = '%';
    std::string lineLength = good;
    lineLength.erase(body + 20, 1);
    struct Case {
        const char* name;
        std::string text;
        const char* says;
    };
    const Case cases[] = {
        {"not armor", "hello, here is the file", "not a container copied as text"},
        {"bad base64", badBase64, "base64"},
        {"wrong line length", lineLength, "malformed"},
        {"missing END", good.substr(0, good.find("-----END")), "END line"},
        {"trailing junk", good + "-- \nsent from my phone\n", "after the END line"},
        {"over the limit", "-----BEGIN COFFER ENCRYPTED FILE-----\n" + std::string(120 * 1024, 'A'), "64 KiB"},
    };
    for (const Case& c : cases) {
        QGuiApplication::clipboard()->setText(QString::fromStdString(c.text));
        EXPECT_EQ(controller.openClipboard(), nullptr) << c.name;
        EXPECT_TRUE(MessageBox::lastText().contains(QString::fromUtf8(c.says)))
            << c.name << ": " << MessageBox::lastText().toStdString();
        EXPECT_TRUE(decodedFiles(*context).empty()) << c.name;
    }
}

TEST_F(ShareTest, DroppedTextAndADroppedTextFileOpen)
{
    auto context = makeUnlockedContext("Alice", "alice passphrase");
    const fs::path container = makeContainer(*context);
    {
        std::unique_ptr<ContainerWindow> window(openLoaded(*context, container));
        window->shareButton()->copyTextAction()->trigger();
    }
    const QString text = QGuiApplication::clipboard()->text();
    AppController controller(*context);
    controller.start();

    QMimeData asText;
    asText.setText(text);
    ASSERT_TRUE(dropMimeData(controller.mainWindow()->dropZone(), asText));
    auto* fromText = waitLoaded(findTopLevel<ContainerWindow>());
    ASSERT_NE(fromText, nullptr) << MessageBox::lastText().toStdString();
    EXPECT_TRUE(shownPaths(*fromText).contains(QStringLiteral("report/notes.txt")));
    delete fromText;

    writeFile(work() / "from-mail.txt", text.toStdString());
    QMimeData asFile;
    asFile.setUrls({QUrl::fromLocalFile(workPath("from-mail.txt"))});
    ASSERT_TRUE(dropMimeData(controller.mainWindow()->dropZone(), asFile));
    auto* fromFile = waitLoaded(findTopLevel<ContainerWindow>());
    ASSERT_NE(fromFile, nullptr) << MessageBox::lastText().toStdString();
    EXPECT_TRUE(shownPaths(*fromFile).contains(QStringLiteral("report/data.bin")));
    delete fromFile;
    EXPECT_TRUE(decodedFiles(*context).empty());
}

TEST_F(ShareTest, TheFinishedViewOffersShareForTheContainerItMade)
{
    auto context = makeUnlockedContext("Alice", "alice passphrase");
    const fs::path container = makeContainer(*context);
    coffer::ui::JobProgressWidget view;
    view.show();
    view.begin(QStringLiteral("Encrypting"));
    EXPECT_FALSE(view.shareButton()->isVisible());
    coffer::ui::JobOutcome outcome;
    outcome.output = container;
    view.finish(outcome, QStringLiteral("Encrypted 2 files"), toQString(work()), toQString(container),
                toQString(container));
    EXPECT_TRUE(view.shareButton()->isVisible());
    EXPECT_EQ(view.shareButton()->file(), toQString(container));
    QString attached;
    ShareButton::launcher() = [&](const QString&, const QStringList& a) {
        attached = a.value(1);
        return true;
    };
    view.shareButton()->emailAction()->trigger();
    EXPECT_EQ(attached, toQString(fs::absolute(container)));
}

} // namespace coffer::test::ui

namespace coffer::test::ui {

// Renders the window with its Share menu open and the finished view, to look
// at: into $COFFER_SCREENSHOT_DIR when it is set.
TEST_F(ShareTest, RendersTheShareMenu)
{
    auto context = makeUnlockedContext("Alice", "alice passphrase");
    const fs::path container = makeContainer(*context);
    std::unique_ptr<ContainerWindow> window(openLoaded(*context, container));
    window->shareButton()->copyTextAction()->trigger(); // a notice to see too
    QMenu* menu = window->shareButton()->menu();
    ASSERT_NE(menu, nullptr);
    EXPECT_EQ(menu->actions().size(), 4);
    menu->popup(window->shareButton()->mapToGlobal(QPoint(0, window->shareButton()->height())));
    const QImage windowShot = window->grab().toImage();
    const QImage menuShot = menu->grab().toImage();
    EXPECT_FALSE(windowShot.isNull());
    EXPECT_FALSE(menuShot.isNull());
    menu->hide();

    coffer::ui::JobProgressWidget view;
    view.resize(640, 200);
    view.show();
    view.begin(QStringLiteral("Encrypting"));
    view.finish(coffer::ui::JobOutcome{}, QStringLiteral("Encrypted 2 files (2.0 KiB) into report.coffer."),
                toQString(work()), toQString(container), toQString(container));
    const QImage viewShot = view.grab().toImage();
    EXPECT_FALSE(viewShot.isNull());
    coffer::ui::MainWindow main(*context);
    main.show();
    EXPECT_EQ(main.pasteAction()->shortcut(), QKeySequence(QStringLiteral("Ctrl+Shift+V")));
    const QImage mainShot = main.grab().toImage();
    if (const QByteArray dir = qgetenv("COFFER_SCREENSHOT_DIR"); !dir.isEmpty()) {
        windowShot.save(QString::fromLocal8Bit(dir) + QStringLiteral("/share-window.png"));
        menuShot.save(QString::fromLocal8Bit(dir) + QStringLiteral("/share-menu.png"));
        viewShot.save(QString::fromLocal8Bit(dir) + QStringLiteral("/share-finished.png"));
        mainShot.save(QString::fromLocal8Bit(dir) + QStringLiteral("/share-main.png"));
    }
}

} // namespace coffer::test::ui
