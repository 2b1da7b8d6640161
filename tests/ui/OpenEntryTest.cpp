// Opening a container's file with another application (SECURITY.md "Opened
// copies"): the copy is extracted into a private 0700 folder, handed over
// through the launcher seam, and gone after close, lock and a crash followed
// by the startup sweep; a changed copy is offered to be saved elsewhere.
#include "ContainerTestSupport.h"

#include "AppController.h"
#include "ContainerModel.h"
#include "FileDialogs.h"
#include "MessageBox.h"
#include "OpenCopies.h"
#include "OpenEntry.h"
#include "PathText.h"

#include <QTest>
#include <QTreeView>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace coffer::test::ui {

namespace {

namespace fs = std::filesystem;
constexpr int kWait = 20000; // ms; a few here on a busy machine
using coffer::ui::ContainerWindow;
using coffer::ui::EntryOpener;

class OpenEntryTest : public UiTest {
protected:
    void SetUp() override
    {
        m_context = makeUnlockedContext("Alice", "alice passphrase");
        writeFile(work() / "in" / "a.txt", "alpha\n");
        writeFile(work() / "in" / "sub" / "b.txt", "bravo\n");
        encryptToSelf(*m_context, {work() / "in" / "a.txt", work() / "in" / "sub"}, work() / "box.coffer");
        EntryOpener::setLauncher([this](const QString& path) {
            m_launched << path;
            return true;
        });
    }
    void TearDown() override { EntryOpener::setLauncher(nullptr); }

    fs::path base() const { return openCopiesBase(m_context->locations()); }

    /// Double-clicks `path` in the window's tree; returns the copy handed to the launcher.
    fs::path doubleClick(ContainerWindow& window, const QString& path)
    {
        QSignalSpy opened(window.opener(), &EntryOpener::opened);
        const QModelIndex index = window.model()->indexOfPath(path);
        EXPECT_TRUE(index.isValid());
        window.view()->scrollTo(index);
        const QPoint at = window.view()->visualRect(index).center();
        // As a mouse sends it: a click, then the double click (QTest sends only the latter).
        QTest::mouseClick(window.view()->viewport(), Qt::LeftButton, {}, at);
        QTest::mouseDClick(window.view()->viewport(), Qt::LeftButton, {}, at);
        EXPECT_TRUE(waitFor(opened, kWait)) << window.messageText().toStdString();
        return m_launched.isEmpty() ? fs::path() : coffer::ui::toPath(m_launched.last());
    }

    std::unique_ptr<AppContext> m_context;
    QStringList m_launched;
};

TEST_F(OpenEntryTest, DoubleClickOpensAnAuthenticatedCopyInAPrivateFolder)
{
    ContainerWindow* window = openLoaded(*m_context, work() / "box.coffer");
    const fs::path copy = doubleClick(*window, "sub/b.txt");
    ASSERT_EQ(m_launched.size(), 1);
    EXPECT_EQ(readFile(copy), "bravo\n");
    const fs::path folder = coffer::ui::toPath(window->opener()->folder());
    EXPECT_EQ(folder.parent_path(), base());
    EXPECT_TRUE(isOpenCopiesName(folder.filename().string())) << folder;
    EXPECT_EQ(copy.string().rfind(folder.string() + "/", 0), 0u) << copy << " is not inside " << folder;
    EXPECT_EQ(modeOf(folder), 0700u);
    EXPECT_EQ(modeOf(base()), 0700u);

    window->close();
    QApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    EXPECT_FALSE(fs::exists(copy));
    EXPECT_FALSE(fs::exists(folder));
}

TEST_F(OpenEntryTest, EnterOpensTheCurrentFileAndAFolderOnlyUnfolds)
{
    ContainerWindow* window = openLoaded(*m_context, work() / "box.coffer");
    window->view()->setCurrentIndex(window->model()->indexOfPath("sub"));
    QTest::keyClick(window->view(), Qt::Key_Return);
    EXPECT_TRUE(m_launched.isEmpty()) << "a folder is not handed to another program";

    QSignalSpy opened(window->opener(), &EntryOpener::opened);
    window->view()->setCurrentIndex(window->model()->indexOfPath("a.txt"));
    QTest::keyClick(window->view(), Qt::Key_Return);
    ASSERT_TRUE(waitFor(opened, kWait)) << window->messageText().toStdString();
    EXPECT_EQ(readFile(coffer::ui::toPath(m_launched.value(0))), "alpha\n");
    delete window;
}

TEST_F(OpenEntryTest, LockingRemovesTheCopiesWithoutAsking)
{
    coffer::ui::AppController controller(*m_context);
    ContainerWindow* window = controller.openContainer(workPath("box.coffer"));
    QSignalSpy loaded(window, &ContainerWindow::loadFinished);
    ASSERT_TRUE(waitFor(loaded, kWait));
    const fs::path copy = doubleClick(*window, "a.txt");
    ASSERT_TRUE(fs::exists(copy));
    writeFile(copy, "changed, and still removed: a lock does not wait for an answer\n");

    controller.lock();
    EXPECT_FALSE(coffer::ui::MessageBox::lastText().contains("Changes are not saved"))
        << "asked: " << coffer::ui::MessageBox::lastText().toStdString();
    EXPECT_FALSE(fs::exists(copy));
    EXPECT_TRUE(filesUnder(base()).empty()) << "left: " << filesUnder(base()).front();
}

TEST_F(OpenEntryTest, AChangedCopyIsOfferedToBeSavedElsewhereOnClose)
{
    ContainerWindow* window = openLoaded(*m_context, work() / "box.coffer");
    const fs::path copy = doubleClick(*window, "a.txt");
    writeFile(copy, "alpha, edited\n");
    coffer::ui::MessageBox::setNextAnswer(QMessageBox::Save);
    coffer::ui::FileDialogs::setNextResult(workPath("saved.txt"));

    window->close();
    QApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    EXPECT_TRUE(coffer::ui::MessageBox::lastText().contains("Changes are not saved into the container"))
        << coffer::ui::MessageBox::lastText().toStdString();
    EXPECT_EQ(readFile(work() / "saved.txt"), "alpha, edited\n");
    EXPECT_FALSE(fs::exists(copy));
}

TEST_F(OpenEntryTest, AnUnchangedCopyClosesWithoutAQuestion)
{
    ContainerWindow* window = openLoaded(*m_context, work() / "box.coffer");
    const fs::path copy = doubleClick(*window, "a.txt");
    coffer::ui::MessageBox::setNextAnswer(QMessageBox::Cancel); // would keep the window open if asked
    EXPECT_TRUE(window->close());
    QApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    EXPECT_FALSE(fs::exists(copy));
}

// A crash leaves the folder; the sweep at the next start removes it, but not
// a running Coffer's folder, nor anything a link points at.
TEST_F(OpenEntryTest, TheStartupSweepRemovesWhatACrashLeft)
{
    auto live = OpenCopies::create(base());
    ASSERT_TRUE(live.ok()) << live.error().message;
    writeFile(live->folder() / "1" / "kept.txt", "a running window's copy\n");

    int pipeFds[2];
    ASSERT_EQ(::pipe(pipeFds), 0);
    const pid_t child = ::fork();
    if (child == 0) { // crashes with a copy open: no destructor runs
        auto copies = OpenCopies::create(base());
        if (!copies.ok())
            ::_exit(1);
        const std::string folder = copies->folder().string();
        writeFile(copies->folder() / "1" / "secret.txt", "plaintext\n");
        (void)!::write(pipeFds[1], folder.data(), folder.size());
        ::_exit(0);
    }
    ::close(pipeFds[1]);
    char buffer[4096];
    const ssize_t n = ::read(pipeFds[0], buffer, sizeof buffer);
    ::close(pipeFds[0]);
    int status = 0;
    ::waitpid(child, &status, 0);
    ASSERT_GT(n, 0);
    const fs::path crashed(std::string(buffer, static_cast<std::size_t>(n)));
    ASSERT_TRUE(fs::exists(crashed / "1" / "secret.txt"));

    // A look-alike link to someone else's folder, and a name that is not ours.
    writeFile(work() / "elsewhere" / "theirs.txt", "not ours\n");
    fs::create_directory_symlink(work() / "elsewhere", base() / "open-0123456789ab");
    fs::create_directories(base() / "open-notours");

    EXPECT_EQ(sweepStaleOpenCopies(base()), 1);
    EXPECT_FALSE(fs::exists(crashed));
    EXPECT_TRUE(fs::exists(live->folder() / "1" / "kept.txt"));
    EXPECT_TRUE(fs::exists(work() / "elsewhere" / "theirs.txt"));
    EXPECT_TRUE(fs::is_symlink(base() / "open-0123456789ab"));
    EXPECT_TRUE(fs::exists(base() / "open-notours"));
}

TEST_F(OpenEntryTest, APrivateFolderIsNeverMadeThroughALink)
{
    const fs::path root = work() / "runtime";
    fs::create_directories(work() / "shared");
    fs::create_directories(root);
    fs::create_directory_symlink(work() / "shared", root / "coffer");
    auto copies = OpenCopies::create(root / "coffer");
    EXPECT_FALSE(copies.ok());
    EXPECT_TRUE(filesUnder(work() / "shared").empty());
}

TEST_F(OpenEntryTest, CopiesGoUnderTheRuntimeFolderOrThePortableTemporaryFolder)
{
    DataLocations locations;
    locations.tempDir = work() / "tmp";
    const char* was = std::getenv("XDG_RUNTIME_DIR");
    const std::string runtime = was ? was : "";
    ::unsetenv("COFFER_HOME");
    ::setenv("XDG_RUNTIME_DIR", "/run/user/4242", 1);
    EXPECT_EQ(openCopiesBase(locations), fs::path("/run/user/4242/coffer"));
    locations.portable = true;
    EXPECT_EQ(openCopiesBase(locations), work() / "tmp" / "coffer");
    ::setenv("COFFER_HOME", home().c_str(), 1);
    if (was)
        ::setenv("XDG_RUNTIME_DIR", runtime.c_str(), 1);
    else
        ::unsetenv("XDG_RUNTIME_DIR");
}

} // namespace

} // namespace coffer::test::ui
