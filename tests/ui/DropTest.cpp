// Files reach the flows the ways a user sends them: dropped on the main
// window's drop zone, passed on the command line, or chosen from the keyboard.
#include "UiTestSupport.h"

#include "AppController.h"
#include "ContainerWindow.h"
#include "DropZone.h"
#include "Encrypt.h"
#include "EncryptDialog.h"
#include "FileDialogs.h"
#include "FileListEditor.h"
#include "MainWindow.h"
#include "PathText.h"

#include <QDir>
#include <QDropEvent>
#include <QMimeData>
#include <QTest>
#include <QUrl>

namespace coffer::test::ui {

namespace {

using coffer::ui::AppController;
using coffer::ui::ContainerWindow;
using coffer::ui::EncryptDialog;
using coffer::ui::toQString;

/// Sends a drag-enter and a drop of these local files to `target`, as a file manager would.
bool dropFiles(QWidget* target, const QStringList& paths)
{
    QMimeData mime;
    QList<QUrl> urls;
    for (const QString& p : paths)
        urls << QUrl::fromLocalFile(p);
    mime.setUrls(urls);
    return dropMimeData(target, mime);
}

class DropTest : public UiTest {
protected:
    QString makeContainer(AppContext& context)
    {
        writeFile(work() / "inside.txt", "inside\n");
        EncryptRequest request;
        request.inputs = {work() / "inside.txt"};
        request.recipients.push_back(recipientOf(identityOf(context)));
        request.output = work() / "box.coffer";
        JobControl job;
        EXPECT_TRUE(encryptFiles(request, job).ok());
        return toQString(request.output);
    }
};

TEST_F(DropTest, DroppedFilesOpenTheEncryptDialogWithThoseFiles)
{
    auto context = makeUnlockedContext("Alice", "alice passphrase");
    AppController controller(*context);
    controller.start();
    writeFile(work() / "a.txt", "a\n");
    writeFile(work() / "folder" / "b.txt", "b\n");
    const QStringList dropped = {workPath("a.txt"), workPath("folder")};

    ASSERT_TRUE(dropFiles(controller.mainWindow()->dropZone(), dropped));

    auto* dialog = findTopLevel<EncryptDialog>();
    ASSERT_NE(dialog, nullptr) << "no encrypt dialog after the drop";
    EXPECT_EQ(dialog->fileList()->paths(), dropped);
}

TEST_F(DropTest, ADroppedContainerOpensAndShowsItsContents)
{
    auto context = makeUnlockedContext("Alice", "alice passphrase");
    AppController controller(*context);
    controller.start();
    const QString container = makeContainer(*context);

    ASSERT_TRUE(dropFiles(controller.mainWindow()->dropZone(), {container}));

    auto* window = findTopLevel<ContainerWindow>();
    ASSERT_NE(window, nullptr);
    QSignalSpy loaded(window, &ContainerWindow::loadFinished);
    ASSERT_TRUE(waitFor(loaded));
    EXPECT_TRUE(window->isLoaded()) << window->messageText().toStdString();
    EXPECT_EQ(findTopLevel<EncryptDialog>(), nullptr) << "a container must open, not be encrypted again";
}

TEST_F(DropTest, CommandLineFilesStartTheMatchingFlowAfterUnlock)
{
    auto context = makeUnlockedContext("Alice", "alice passphrase");
    const QString container = makeContainer(*context);
    writeFile(work() / "report.pdf", "%PDF\n");
    AppController controller(*context);

    controller.start({container, workPath("report.pdf")}); // as `coffer box.coffer report.pdf`

    auto* dialog = findTopLevel<EncryptDialog>();
    ASSERT_NE(dialog, nullptr);
    EXPECT_EQ(dialog->fileList()->paths(), QStringList{workPath("report.pdf")});
    EXPECT_NE(findTopLevel<ContainerWindow>(), nullptr);
}

TEST_F(DropTest, EnterOnTheDropZoneChoosesFilesWithoutAMouse)
{
    auto context = makeUnlockedContext("Alice", "alice passphrase");
    AppController controller(*context);
    controller.start();
    writeFile(work() / "a.txt", "a\n");
    coffer::ui::FileDialogs::setNextResults({workPath("a.txt")});

    auto* zone = controller.mainWindow()->dropZone();
    zone->setFocus();
    QTest::keyClick(zone, Qt::Key_Return);

    auto* dialog = findTopLevel<EncryptDialog>();
    ASSERT_NE(dialog, nullptr);
    EXPECT_EQ(dialog->fileList()->paths(), QStringList{workPath("a.txt")});
    EXPECT_EQ(coffer::ui::FileDialogs::pendingResults(), 0);
}

TEST(DropZoneRouting, ContainersOpenEverythingElseIsEncrypted)
{
    QStringList containers;
    QStringList others;
    coffer::ui::DropZone::routePaths({"/x/a.coffer", "/x/b.txt", "/x/C.COFFER", "/x/coffer"}, &containers, &others);
    EXPECT_EQ(containers, (QStringList{"/x/a.coffer", "/x/C.COFFER"}));
    EXPECT_EQ(others, (QStringList{"/x/b.txt", "/x/coffer"}));
}

} // namespace

} // namespace coffer::test::ui
