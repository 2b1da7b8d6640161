// age files in the GUI (issue 20), through the real widgets: files made by
// the real `age` open in the container window with their contents and "age
// files are not signed", and extract; a passphrase file asks for it; the
// encrypt dialog's Format choice writes files that the real `age -d` opens,
// turns Sign off and refuses what age cannot do.
#include "UiTestSupport.h"

#include "../app/ToyRecipient.h"
#include "AgeFiles.h"
#include "AgeSupport.h"
#include "ContainerModel.h"
#include "ContainerWindow.h"
#include "DropZone.h"
#include "EncryptDialog.h"
#include "EncryptOptions.h"
#include "EntryTree.h"
#include "FileDialogs.h"
#include "FormatChooser.h"
#include "JobProgressWidget.h"
#include "JobRunner.h"
#include "PassphraseFields.h"
#include "PathText.h"
#include "RecipientPicker.h"
#include "SignatureBanner.h"

#include <QCheckBox>
#include <QComboBox>
#include <QLineEdit>
#include <QPushButton>
#include <QTest>
#include <QTreeView>

namespace coffer::test::ui {

namespace {

namespace fs = std::filesystem;
using coffer::ui::ContainerWindow;
using coffer::ui::EncryptDialog;
using coffer::ui::FileDialogs;
using coffer::ui::JobRunner;
using coffer::ui::toQString;

std::string sh(const std::string& command, int* rc = nullptr)
{
    std::string out;
    const int status = runCommand(command, &out);
    if (rc)
        *rc = status;
    return out;
}

std::string firstLine(const std::string& text)
{
    return text.substr(0, text.find('\n'));
}

std::string q(const fs::path& p)
{
    return shellQuote(p.string());
}

class AgeGuiTest : public UiTest {
protected:
    void SetUp() override
    {
        if (runCommand("command -v age >/dev/null && command -v age-keygen >/dev/null") != 0)
            GTEST_SKIP() << "age is not installed (Debian package \"age\")";
    }

    static std::string ageAddressOf(AppContext& context)
    {
        return crypto::encodeAgeRecipient(identityOf(context).x25519Public());
    }

    static ContainerWindow* openAndWait(AppContext& context, const fs::path& file)
    {
        auto* window = new ContainerWindow(context, toQString(file));
        QSignalSpy loaded(window, &ContainerWindow::loadFinished);
        window->show();
        EXPECT_TRUE(waitFor(loaded));
        return window;
    }

    /// Extract all into `dest`, as a user clicking the button.
    static bool extractAllInto(ContainerWindow& window, const fs::path& dest)
    {
        fs::create_directories(dest);
        FileDialogs::setNextResult(toQString(dest));
        QSignalSpy extracted(window.runner(), &JobRunner::finished);
        QTest::mouseClick(window.extractAllButton(), Qt::LeftButton);
        return waitFor(extracted) && window.runner()->outcome().ok();
    }

    static fs::path encryptInDialog(EncryptDialog& dialog, const fs::path& output)
    {
        dialog.options()->setOutputPath(toQString(output));
        QSignalSpy finished(dialog.runner(), &JobRunner::finished);
        QTest::mouseClick(dialog.encryptButton(), Qt::LeftButton);
        EXPECT_TRUE(waitFor(finished));
        EXPECT_TRUE(dialog.runner()->outcome().ok()) << dialog.progressView()->resultText().toStdString();
        return dialog.runner()->outcome().output;
    }
};

TEST_F(AgeGuiTest, AFileFromTheRealAgeOpensWithOneEntryNotSignedAndExtracts)
{
    auto context = makeUnlockedContext("Alice", "alice passphrase");
    writeFile(work() / "report.pdf", "quarterly numbers\n");
    int rc = -1;
    const std::string out = sh("age -r " + shellQuote(ageAddressOf(*context)) + " -o " + q(work() / "report.pdf.age") +
                                   " " + q(work() / "report.pdf"),
                               &rc);
    ASSERT_EQ(rc, 0) << out;

    ContainerWindow* window = openAndWait(*context, work() / "report.pdf.age");
    EXPECT_TRUE(window->isAgeFile());
    ASSERT_TRUE(window->isLoaded()) << window->messageText().toStdString();
    ASSERT_EQ(window->model()->rowCount(), 1);
    EXPECT_TRUE(window->model()->indexOfPath("report.pdf").isValid());
    EXPECT_TRUE(window->banner()->isVisible());
    EXPECT_TRUE(window->banner()->text().contains("age files are not signed"))
        << window->banner()->text().toStdString();
    EXPECT_EQ(window->banner()->kind(), coffer::ui::NoticePanel::Kind::Info);

    ASSERT_TRUE(extractAllInto(*window, work() / "dest")) << window->progressView()->resultText().toStdString();
    EXPECT_EQ(filesUnder(work() / "dest"), std::vector<std::string>{"report.pdf"});
    EXPECT_EQ(readFile(work() / "dest" / "report.pdf"), "quarterly numbers\n");
    delete window;
}

TEST_F(AgeGuiTest, ATarballMadeByTarAndAgeListsItsTreeAndExtractsTheSelection)
{
    auto context = makeUnlockedContext("Alice", "alice passphrase");
    writeFile(work() / "in" / "a.txt", "alpha\n");
    writeFile(work() / "in" / "sub" / "b.txt", "bravo\n");
    int rc = -1;
    const std::string out = sh("tar -C " + q(work()) + " -cf - in | age -r " + shellQuote(ageAddressOf(*context)) +
                                   " > " + q(work() / "tree.tar.age"),
                               &rc);
    ASSERT_EQ(rc, 0) << out;

    ContainerWindow* window = openAndWait(*context, work() / "tree.tar.age");
    ASSERT_TRUE(window->isLoaded()) << window->messageText().toStdString();
    EXPECT_TRUE(window->model()->indexOfPath("in/a.txt").isValid());
    const QModelIndex sub = window->model()->indexOfPath("in/sub");
    ASSERT_TRUE(sub.isValid());
    EXPECT_TRUE(window->banner()->text().contains("age files are not signed"));

    window->view()->selectionModel()->select(sub, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    ASSERT_TRUE(window->extractSelectedButton()->isEnabled());
    fs::create_directories(work() / "dest");
    FileDialogs::setNextResult(workPath("dest"));
    QSignalSpy extracted(window->runner(), &JobRunner::finished);
    QTest::mouseClick(window->extractSelectedButton(), Qt::LeftButton);
    ASSERT_TRUE(waitFor(extracted));
    EXPECT_TRUE(window->runner()->outcome().ok()) << window->progressView()->resultText().toStdString();
    EXPECT_EQ(filesUnder(work() / "dest"), (std::vector<std::string>{"in/", "in/sub/", "in/sub/b.txt"}));
    EXPECT_EQ(readFile(work() / "dest" / "in" / "sub" / "b.txt"), "bravo\n");
    delete window;
}

TEST_F(AgeGuiTest, ATarballWhoseTreeWouldPassItsBudgetIsRefusedAndWithinItOpens)
{
    // The tar's entries go straight into the window's budgeted tree, as a
    // container's do (no list of them beside it): past the budget, the
    // window says so, shows nothing and points to the commands.
    auto context = makeUnlockedContext("Alice", "alice passphrase");
    for (int i = 0; i < 300; ++i)
        writeFile(work() / "in" / ("file-" + std::to_string(i) + std::string(200, 'z')), "x");
    int rc = -1;
    const std::string out = sh("tar -C " + q(work()) + " -cf - in | age -r " + shellQuote(ageAddressOf(*context)) +
                                   " > " + q(work() / "many.tar.age"),
                               &rc);
    ASSERT_EQ(rc, 0) << out;
    struct BudgetBack {
        ~BudgetBack() { ContainerWindow::setTreeBudget(coffer::ui::EntryTree::kBudget); }
    } budgetBack;
    ContainerWindow::setTreeBudget(32 * 1024); // 300 names of 200 characters take about 140 KB
    ContainerWindow* window = openAndWait(*context, work() / "many.tar.age");
    EXPECT_FALSE(window->isLoaded());
    EXPECT_EQ(window->model()->rowCount(), 0);
    EXPECT_TRUE(window->messageText().contains("coffer list")) << window->messageText().toStdString();
    delete window;

    ContainerWindow::setTreeBudget(coffer::ui::EntryTree::kBudget);
    window = openAndWait(*context, work() / "many.tar.age");
    ASSERT_TRUE(window->isLoaded()) << window->messageText().toStdString();
    EXPECT_EQ(window->model()->fileCount(), 300);
    delete window;
}

TEST_F(AgeGuiTest, AnArmoredFileIsKnownByItsContentAndDroppingItOpensIt)
{
    auto context = makeUnlockedContext("Alice", "alice passphrase");
    writeFile(work() / "note.txt", "see you at noon\n");
    int rc = -1;
    const std::string out = sh("age -a -r " + shellQuote(ageAddressOf(*context)) + " -o " + q(work() / "note.asc") +
                                   " " + q(work() / "note.txt"),
                               &rc);
    ASSERT_EQ(rc, 0) << out;
    writeFile(work() / "x.age", "anything\n");

    QStringList open;
    QStringList encrypt;
    coffer::ui::DropZone::routePaths({workPath("note.asc"), workPath("x.age"), workPath("note.txt")}, &open, &encrypt);
    EXPECT_EQ(open, (QStringList{workPath("note.asc"), workPath("x.age")}));
    EXPECT_EQ(encrypt, QStringList{workPath("note.txt")});

    ContainerWindow* window = openAndWait(*context, work() / "note.asc");
    ASSERT_TRUE(window->isLoaded()) << window->messageText().toStdString();
    ASSERT_EQ(window->model()->rowCount(), 1);
    ASSERT_TRUE(extractAllInto(*window, work() / "dest"));
    EXPECT_EQ(readFile(work() / "dest" / "note.asc.decrypted"), "see you at noon\n");
    delete window;
}

TEST_F(AgeGuiTest, AnAgeFileForSomeoneElseSaysSoPlainly)
{
    auto context = makeUnlockedContext("Alice", "alice passphrase");
    const fs::path key = work() / "other.key";
    fs::create_directories(work());
    sh("age-keygen -o " + q(key));
    const std::string other = firstLine(sh("age-keygen -y " + q(key)));
    writeFile(work() / "a.txt", "not for Alice\n");
    int rc = -1;
    sh("age -r " + shellQuote(other) + " -o " + q(work() / "a.txt.age") + " " + q(work() / "a.txt"), &rc);
    ASSERT_EQ(rc, 0);

    ContainerWindow* window = openAndWait(*context, work() / "a.txt.age");
    EXPECT_FALSE(window->isLoaded());
    EXPECT_FALSE(window->isAskingForPassphrase());
    EXPECT_TRUE(window->messageText().contains("None of your keys opens this age file"))
        << window->messageText().toStdString();
    delete window;
}

// age authenticates chunk by chunk: a file cut short shows nothing it held, only that it is damaged.
TEST_F(AgeGuiTest, AnAgeFileCutShortListsNothingAndSaysItIsDamaged)
{
    auto context = makeUnlockedContext("Alice", "alice passphrase");
    writeFile(work() / "in" / "first.txt", std::string(100 * 1024, 'a'));
    writeFile(work() / "in" / "second.txt", std::string(100 * 1024, 'b'));
    int rc = -1;
    const std::string out = sh("tar -C " + q(work()) + " -cf - in | age -r " + shellQuote(ageAddressOf(*context)) +
                                   " > " + q(work() / "cut.tar.age"),
                               &rc);
    ASSERT_EQ(rc, 0) << out;
    fs::resize_file(work() / "cut.tar.age", fs::file_size(work() / "cut.tar.age") - 20 * 1024);

    ContainerWindow* window = openAndWait(*context, work() / "cut.tar.age");
    EXPECT_FALSE(window->isLoaded());
    EXPECT_EQ(window->model()->rowCount(), 0);
    EXPECT_FALSE(window->banner()->isVisible());
    EXPECT_FALSE(window->extractAllButton()->isEnabled());
    EXPECT_TRUE(window->messageText().contains("damaged")) << window->messageText().toStdString();
    delete window;
}

TEST_F(AgeGuiTest, APassphraseAgeFileAsksForThePassphraseInTheWindow)
{
    auto context = makeUnlockedContext("Alice", "alice passphrase");
    writeFile(work() / "in.txt", "behind a passphrase\n");
    AgeEncryptRequest request;
    request.inputs = {work() / "in.txt"};
    request.passphrase = crypto::SecureString("open sesame please");
    request.workFactor = 10;
    request.output = work() / "in.txt.age";
    JobControl job;
    auto written = encryptAge(request, job);
    ASSERT_TRUE(written.ok()) << written.error().message;

    ContainerWindow* window = openAndWait(*context, work() / "in.txt.age");
    EXPECT_FALSE(window->isLoaded());
    ASSERT_TRUE(window->isAskingForPassphrase()) << window->messageText().toStdString();

    QSignalSpy again(window, &ContainerWindow::loadFinished);
    QTest::keyClicks(window->passphraseField(), "wrong guess");
    QTest::keyClick(window->passphraseField(), Qt::Key_Return);
    ASSERT_TRUE(waitFor(again));
    EXPECT_FALSE(window->isLoaded());
    EXPECT_TRUE(window->messageText().contains("does not open it")) << window->messageText().toStdString();

    QSignalSpy third(window, &ContainerWindow::loadFinished);
    QTest::keyClicks(window->passphraseField(), "open sesame please");
    QTest::keyClick(window->passphraseField(), Qt::Key_Return);
    ASSERT_TRUE(waitFor(third));
    EXPECT_TRUE(window->isLoaded()) << window->messageText().toStdString();
    ASSERT_TRUE(extractAllInto(*window, work() / "dest"));
    EXPECT_EQ(readFile(work() / "dest" / "in.txt"), "behind a passphrase\n");
    delete window;
}

TEST_F(AgeGuiTest, TheAgeFormatTurnsSignAndCompressionOffAndTheRealAgeOpensTheResult)
{
    auto context = makeUnlockedContext("Alice", "alice passphrase");
    writeFile(work() / "in" / "a.txt", "alpha\n");
    writeFile(work() / "in" / "sub" / "b.txt", "bravo\n");
    const fs::path key = work() / "bob.key";
    sh("age-keygen -o " + q(key));
    const std::string bobAddress = firstLine(sh("age-keygen -y " + q(key)));
    ASSERT_EQ(bobAddress.rfind("age1", 0), 0u) << bobAddress;

    EncryptDialog dialog(*context, {workPath("in")});
    dialog.show();
    EXPECT_TRUE(dialog.options()->sign());
    EXPECT_TRUE(dialog.options()->outputPath().endsWith("in.coffer")) << dialog.options()->outputPath().toStdString();
    dialog.format()->box()->setCurrentIndex(1);
    EXPECT_TRUE(dialog.format()->isAge());
    EXPECT_TRUE(dialog.format()->noteText().contains("not signed")) << dialog.format()->noteText().toStdString();
    EXPECT_FALSE(dialog.options()->sign());
    EXPECT_FALSE(dialog.options()->signBox()->isEnabled());
    EXPECT_FALSE(dialog.options()->compressionBox()->isEnabled());
    EXPECT_TRUE(dialog.options()->outputPath().endsWith("in.tar.age")) << dialog.options()->outputPath().toStdString();
    ASSERT_TRUE(dialog.recipients()->addPastedKey(QString::fromStdString(bobAddress)));
    const fs::path written = encryptInDialog(dialog, work() / "in.tar.age");
    ASSERT_TRUE(fs::exists(written));

    // Bob opens it with the real age and tar; I open it in Coffer with my keyring ("Me" stayed checked).
    fs::create_directories(work() / "bob");
    int rc = -1;
    const std::string out = sh("age -d -i " + q(key) + " " + q(written) + " | tar -x -C " + q(work() / "bob"), &rc);
    ASSERT_EQ(rc, 0) << out;
    EXPECT_EQ(readFile(work() / "bob" / "in" / "sub" / "b.txt"), "bravo\n");
    ContainerWindow* window = openAndWait(*context, written);
    EXPECT_TRUE(window->isLoaded()) << window->messageText().toStdString();
    delete window;

    // Back to Coffer: Sign comes back as it was.
    EncryptDialog again(*context, {workPath("in/a.txt")});
    again.format()->setAge(true);
    EXPECT_TRUE(again.options()->outputPath().endsWith("a.txt.age")) << again.options()->outputPath().toStdString();
    again.format()->setAge(false);
    EXPECT_TRUE(again.options()->sign());
    EXPECT_TRUE(again.options()->signBox()->isEnabled());
    EXPECT_TRUE(again.options()->outputPath().endsWith("a.txt.coffer"));
}

TEST_F(AgeGuiTest, RecipientsAgeCannotTakeAreRefusedBeforeAnythingIsWritten)
{
    registerToyRecipientKind();
    auto context = makeUnlockedContext("Alice", "alice passphrase");
    writeFile(work() / "a.txt", "alpha\n");
    EncryptDialog dialog(*context, {workPath("a.txt")});
    dialog.show();
    dialog.format()->setAge(true);
    dialog.options()->setOutputPath(workPath("a.txt.age"));
    ASSERT_TRUE(dialog.recipients()->addPastedKey(QString::fromStdString(newToyKeyText())));
    QTest::mouseClick(dialog.encryptButton(), Qt::LeftButton);
    EXPECT_FALSE(dialog.isRunning());
    EXPECT_TRUE(dialog.validationMessage().contains("age cannot encrypt to"))
        << dialog.validationMessage().toStdString();
    EXPECT_TRUE(dialog.validationMessage().contains("toy key")) << dialog.validationMessage().toStdString();
    EXPECT_FALSE(fs::exists(work() / "a.txt.age"));

    // A passphrase and people together: age allows a passphrase only alone.
    dialog.recipients()->setChecked(dialog.recipients()->checkedNames().last(), false);
    dialog.options()->setUsePassphrase(true);
    QTest::keyClicks(dialog.options()->passphraseFields()->firstField(), "open sesame please");
    QTest::keyClicks(dialog.options()->passphraseFields()->secondField(), "open sesame please");
    QTest::mouseClick(dialog.encryptButton(), Qt::LeftButton);
    EXPECT_FALSE(dialog.isRunning());
    EXPECT_TRUE(dialog.validationMessage().contains("not both")) << dialog.validationMessage().toStdString();
    EXPECT_FALSE(fs::exists(work() / "a.txt.age"));
}

} // namespace

} // namespace coffer::test::ui
