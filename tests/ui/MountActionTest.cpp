// "Browse in file manager" (issue 21): the container is mounted in a fresh
// folder under $XDG_RUNTIME_DIR/coffer/ (0700), opened through the folder
// seam (recorded, not a real file manager), serves the container's files,
// and is unmounted and removed when the window closes (as lock closes it).
// Needs /dev/fuse (skipped without it).
#include "UiTestSupport.h"

#include "ContainerWindow.h"
#include "Encrypt.h"
#include "MountAction.h"

#include <QPushButton>
#include <QTest>
#include <QUrl>

#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace coffer::test::ui {

namespace {

namespace fs = std::filesystem;
using coffer::ui::ContainerWindow;
using coffer::ui::MountAction;

bool isMountPoint(const fs::path& dir)
{
    std::ifstream info("/proc/self/mountinfo");
    for (std::string line; std::getline(info, line);) {
        std::istringstream fields(line);
        std::string id, parent, device, root, point;
        fields >> id >> parent >> device >> root >> point;
        if (point == dir.string())
            return true;
    }
    return false;
}

QPushButton* browseButton(ContainerWindow* window)
{
    for (auto* b : window->findChildren<QPushButton*>())
        if (b->text().contains(QStringLiteral("Browse")))
            return b;
    return nullptr;
}

TEST_F(UiTest, BrowseMountsInAPrivateFolderAndClosingUnmounts)
{
    if (::access("/dev/fuse", R_OK | W_OK) != 0)
        GTEST_SKIP() << "/dev/fuse is absent or not usable here: the mount needs FUSE";
    const fs::path runtime = m_dir.path() / "runtime";
    fs::create_directories(runtime);
    fs::permissions(runtime, fs::perms(0700));
    ::setenv("XDG_RUNTIME_DIR", runtime.c_str(), 1);
    auto context = makeUnlockedContext("Alice", "alice passphrase");
    fs::create_directories(work() / "in" / "docs");
    std::ofstream(work() / "in" / "docs" / "lease.txt") << "the lease\n";
    EncryptRequest request;
    request.inputs = {work() / "in"};
    request.recipients.push_back(recipientOf(identityOf(*context)));
    request.output = work() / "c.coffer";
    JobControl job;
    ASSERT_TRUE(encryptFiles(request, job).ok());

    QUrl opened;
    MountAction::folderOpener() = [&](const QUrl& url) { opened = url; };
    auto* window = new ContainerWindow(*context, workPath("c.coffer"));
    QSignalSpy loaded(window, &ContainerWindow::loadFinished);
    window->show();
    ASSERT_TRUE(waitFor(loaded));
    QPushButton* browse = browseButton(window);
    ASSERT_NE(browse, nullptr);
    QTest::mouseClick(browse, Qt::LeftButton);

    ASSERT_TRUE(opened.isLocalFile()) << "no folder was opened";
    const fs::path folder = opened.toLocalFile().toStdString();
    EXPECT_EQ(folder.parent_path(), runtime / "coffer");
    struct stat st;
    ASSERT_EQ(::stat((runtime / "coffer").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u);
    EXPECT_TRUE(isMountPoint(folder));
    std::ifstream in(folder / "in" / "docs" / "lease.txt");
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_EQ(text.str(), "the lease\n");

    QSignalSpy destroyed(window, &QObject::destroyed);
    window->close(); // what lock does to it (AppController::lock); quitting deletes it the same way
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete); // a close deletes it later
    ASSERT_EQ(destroyed.count(), 1);
    EXPECT_FALSE(isMountPoint(folder));
    EXPECT_FALSE(fs::exists(folder));
    MountAction::folderOpener() = [](const QUrl&) {};
}

} // namespace
} // namespace coffer::test::ui
