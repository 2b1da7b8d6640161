// Back up and restore an identity through the real dialogs, offscreen: My
// card → "Back up…" (a backup file and a paper page), the keyring lost, then
// the first-run "Import a key" page with the backup file or the pasted paper
// key; the same card comes back and a container sent before the loss opens.
#include "UiTestSupport.h"

#include "BackupDialog.h"
#include "Encrypt.h"
#include "Extract.h"
#include "FileDialogs.h"
#include "FirstRunDialog.h"
#include "ImportKeyPage.h"
#include "MessageBox.h"
#include "MyCardDialog.h"
#include "PaperBackup.h"
#include "PaperKey.h"
#include "PassphraseFields.h"
#include "QrCode.h"

#include <QCheckBox>
#include <QDir>
#include <QImage>
#include <QLineEdit>
#include <QPainter>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTabWidget>
#include <QTest>

#include <cstdlib>

namespace coffer::test::ui {

namespace {

namespace fs = std::filesystem;
using coffer::ui::BackupDialog;
using coffer::ui::FileDialogs;
using coffer::ui::FirstRunDialog;
using coffer::ui::KeyringSession;
using coffer::ui::MessageBox;
using coffer::ui::MyCardDialog;

const char* const kKeyringPass = "four random words here";
const char* const kBackupPass = "a backup only Ann knows";

/// With COFFER_BACKUP_SHOTS=DIR, the screens and the page are saved there to look at
/// (docs/images/paper-backup.png is made this way).
void shot(QWidget* widget, const char* name)
{
    if (const char* dir = std::getenv("COFFER_BACKUP_SHOTS"))
        widget->grab().save(QDir(QString::fromUtf8(dir)).filePath(QString::fromUtf8(name)));
}

class BackupGuiTest : public UiTest {
protected:
    /// A container sent to `identity` before anything is lost.
    fs::path sendTo(const crypto::SecretIdentity& identity)
    {
        writeFile(work() / "in" / "letter.txt", "Dear Ann, the files are attached.\n");
        EncryptRequest req;
        req.inputs = {work() / "in" / "letter.txt"};
        req.recipients.push_back(recipientOf(identity));
        req.output = work() / "letter.coffer";
        JobControl job;
        EXPECT_TRUE(encryptFiles(req, job).ok());
        return req.output;
    }
    /// The keyring is gone (a new laptop): the context is locked and its data folder deleted.
    void loseKeyring(AppContext& context)
    {
        context.keyring().lock();
        fs::remove_all(home() / "data");
        ASSERT_FALSE(context.keyring().exists());
    }
    static void typeTwice(coffer::ui::PassphraseFields* fields, const char* text)
    {
        fields->firstField()->clear();
        fields->secondField()->clear();
        QTest::keyClicks(fields->firstField(), text);
        QTest::keyClicks(fields->secondField(), text);
    }
    /// Submits the first-run dialog and waits until the keyring is saved or a problem is shown.
    static bool submitAndWait(FirstRunDialog& dialog, AppContext& context)
    {
        QSignalSpy created(&context.keyring(), &KeyringSession::createFinished);
        QTest::mouseClick(dialog.continueButton(), Qt::LeftButton);
        QElapsedTimer timer;
        timer.start();
        while (created.isEmpty() && timer.elapsed() < 60000) {
            const QString shown = dialog.messageText();
            if (!shown.isEmpty() && !shown.endsWith(QStringLiteral("…")))
                return false; // refused before saving
            QTest::qWait(20);
        }
        return !created.isEmpty() && created.first().at(0).toBool();
    }
    /// The restored keyring has `card` and opens the container sent before the loss.
    static void expectRestored(AppContext& context, const std::string& card, const fs::path& letter)
    {
        ASSERT_TRUE(context.keyring().isUnlocked());
        EXPECT_EQ(identityOf(context).card()->encode(), card);
        auto opened = listContainer(letter, keyringOf(context).decryptionIdentities());
        ASSERT_TRUE(opened.ok()) << opened.error().message;
        EXPECT_EQ(std::count_if(opened->index.entries.begin(), opened->index.entries.end(),
                                [](const IndexEntry& e) { return !e.isPack(); }),
                  1);
    }
};

TEST_F(BackupGuiTest, BackUpFromMyCardThenRestoreTheFileOnFirstRun)
{
    const auto bob = crypto::SecretIdentity::generate("Bob");
    auto context = makeUnlockedContext("Ann", kKeyringPass, {contactFor(bob, "Bob")});
    const std::string card = identityOf(*context).card()->encode();
    const fs::path letter = sendTo(identityOf(*context));

    MyCardDialog myCard(*context);
    myCard.show();
    EXPECT_TRUE(myCard.lastBackupText().startsWith("Never backed up")) << myCard.lastBackupText().toStdString();
    shot(&myCard, "my-card-never.png");
    QTest::mouseClick(myCard.backupButton(), Qt::LeftButton);
    BackupDialog* backup = findTopLevel<BackupDialog>();
    ASSERT_NE(backup, nullptr);
    EXPECT_TRUE(backup->withContactsBox()->isChecked());
    EXPECT_TRUE(backup->withContactsBox()->text().contains("1 contact)"))
        << backup->withContactsBox()->text().toStdString();

    // Passphrases that differ are refused before any file is chosen.
    QTest::keyClicks(backup->passphraseFields()->firstField(), kBackupPass);
    QTest::keyClicks(backup->passphraseFields()->secondField(), "something else");
    backup->saveBackup();
    EXPECT_TRUE(backup->messageText().contains("type it the same twice"));
    EXPECT_EQ(FileDialogs::pendingResults(), 0);

    typeTwice(backup->passphraseFields(), kBackupPass);
    shot(backup, "backup-dialog.png");
    FileDialogs::setNextResult(workPath("ann.coffer"));
    QSignalSpy finished(backup, &BackupDialog::finished);
    QSignalSpy saved(&context->keyring(), &KeyringSession::updateFinished);
    QTest::mouseClick(backup->saveButton(), Qt::LeftButton);
    ASSERT_TRUE(waitFor(finished));
    ASSERT_TRUE(finished.first().at(0).toBool()) << finished.first().at(1).toString().toStdString();
    EXPECT_TRUE(holdsNoSecret(backup->passphraseFields()->firstField()));
    ASSERT_TRUE(waitFor(saved));
    EXPECT_TRUE(myCard.lastBackupText().startsWith("Last backup: ")) << myCard.lastBackupText().toStdString();
    EXPECT_GT(keyringOf(*context).lastBackupAt(), 0);
    EXPECT_TRUE(fs::exists(work() / "ann.coffer"));
    shot(&myCard, "my-card.png");
    backup->close();
    myCard.close();

    loseKeyring(*context);
    FirstRunDialog first(*context);
    first.show();
    first.tabs()->setCurrentWidget(first.importPage());
    first.importPage()->loadFile(workPath("ann.coffer"));
    ASSERT_TRUE(first.importPage()->backupPassphraseField()->isVisible());
    shot(&first, "first-run-backup.png");
    typeTwice(first.passphraseFields(), kKeyringPass);

    // A wrong backup passphrase: said so, nothing saved.
    QTest::keyClicks(first.importPage()->backupPassphraseField(), "not the backup passphrase");
    EXPECT_FALSE(submitAndWait(first, *context));
    EXPECT_TRUE(first.messageText().contains("passphrase")) << first.messageText().toStdString();
    EXPECT_FALSE(context->keyring().exists());

    QTest::keyClicks(first.importPage()->backupPassphraseField(), kBackupPass);
    ASSERT_TRUE(submitAndWait(first, *context)) << first.messageText().toStdString();
    expectRestored(*context, card, letter);
    EXPECT_EQ(keyringOf(*context).contacts().size(), 1u);
    EXPECT_GT(keyringOf(*context).lastBackupAt(), 0);
    EXPECT_TRUE(holdsNoSecret(first.importPage()->backupPassphraseField()));
}

TEST_F(BackupGuiTest, PaperBackupPageThenThePastedPaperKeyRestores)
{
    auto context = makeUnlockedContext("Ann Example", kKeyringPass);
    const std::string card = identityOf(*context).card()->encode();
    const fs::path letter = sendTo(identityOf(*context));
    const crypto::SecureString paper = paperKeyText(identityOf(*context));
    const std::string text(paper.begin(), paper.end());

    MyCardDialog myCard(*context);
    BackupDialog* backup = myCard.showBackup();
    for (const char* name : {"paper.png", "paper.pdf"}) {
        FileDialogs::setNextResult(workPath(name));
        QSignalSpy finished(backup, &BackupDialog::finished);
        QSignalSpy recorded(&context->keyring(), &KeyringSession::updateFinished); // "Last backup"
        QTest::mouseClick(backup->paperButton(), Qt::LeftButton);
        ASSERT_TRUE(waitFor(finished));
        ASSERT_TRUE(finished.first().at(0).toBool()) << finished.first().at(1).toString().toStdString();
        ASSERT_TRUE(waitFor(recorded));
        EXPECT_EQ(fs::status(work() / name).permissions() & fs::perms::all,
                  fs::perms::owner_read | fs::perms::owner_write);
    }
    const QImage page(workPath("paper.png"));
    EXPECT_EQ(page.width(), 1240);
    EXPECT_EQ(page.height(), 1754);
    EXPECT_EQ(readFile(work() / "paper.pdf").substr(0, 5), "%PDF-");
    if (const char* dir = std::getenv("COFFER_BACKUP_SHOTS"))
        coffer::ui::paperBackupImage(identityOf(*context), QDate(2026, 12, 5), 620)
            .save(QDir(QString::fromUtf8(dir)).filePath("paper-backup.png"));
    backup->close();

    loseKeyring(*context);
    FirstRunDialog first(*context);
    first.show();
    first.tabs()->setCurrentWidget(first.importPage());
    typeTwice(first.passphraseFields(), kKeyringPass);

    // A typo on the second line is reported there; nothing is saved.
    std::string typo = text;
    const auto at = typo.find("\n2: ") + 4;
    typo[at] = typo[at] == 'A' ? 'B' : 'A';
    first.importPage()->keyField()->setPlainText(QString::fromStdString(typo));
    EXPECT_FALSE(submitAndWait(first, *context));
    EXPECT_TRUE(first.messageText().contains("Line 2 of the paper key")) << first.messageText().toStdString();
    EXPECT_FALSE(context->keyring().exists());

    first.importPage()->keyField()->setPlainText(QString::fromStdString(text));
    typeTwice(first.passphraseFields(), kKeyringPass);
    ASSERT_TRUE(submitAndWait(first, *context)) << first.messageText().toStdString();
    expectRestored(*context, card, letter);
    EXPECT_EQ(identityOf(*context).name(), "Ann Example");
}

TEST_F(BackupGuiTest, AfterCreatingAnIdentityCofferAsksOnceToBackItUp)
{
    for (const auto answer : {QMessageBox::No, QMessageBox::Yes}) {
        fs::remove_all(home() / "data");
        AppContext context;
        FirstRunDialog dialog(context);
        dialog.show();
        QTest::keyClicks(dialog.nameField(), "Ann");
        typeTwice(dialog.passphraseFields(), kKeyringPass);
        QSignalSpy requested(&dialog, &FirstRunDialog::backupRequested);
        MessageBox::setNextAnswer(answer);
        ASSERT_TRUE(submitAndWait(dialog, context)) << dialog.messageText().toStdString();
        EXPECT_TRUE(MessageBox::lastText().contains("Back it up now")) << MessageBox::lastText().toStdString();
        EXPECT_EQ(requested.size(), answer == QMessageBox::Yes ? 1 : 0);
    }
}

/// The paper page as a phone would see it: smaller, turned a little, on a grey desk, saved as JPEG.
QString photographed(const QImage& page, const QString& path)
{
    const QImage turned = page.scaledToWidth(page.width() * 4 / 5, Qt::SmoothTransformation)
                              .transformed(QTransform().rotate(4), Qt::SmoothTransformation);
    QImage photo(turned.width() + 80, turned.height() + 80, QImage::Format_RGB32);
    photo.fill(QColor(120, 118, 110));
    QPainter p(&photo);
    p.drawImage(40, 40, turned);
    p.end();
    EXPECT_TRUE(photo.save(path, "JPG", 85));
    return path;
}

TEST_F(BackupGuiTest, APhotoOfThePaperPagesQrCodeRestores)
{
    auto context = makeUnlockedContext("Ann Example", kKeyringPass);
    const std::string card = identityOf(*context).card()->encode();
    const fs::path letter = sendTo(identityOf(*context));
    const QImage page = coffer::ui::paperBackupImage(identityOf(*context), QDate(2026, 12, 5));
    const QString photo = photographed(page, workPath("IMG_0042.jpg"));

    // Pictures with no paper key's code in them are refused on the page; nothing is loaded.
    QImage cardQr(400, 400, QImage::Format_RGB32);
    {
        QPainter p(&cardQr);
        coffer::ui::paintQr(p, QRectF(0, 0, 400, 400), coffer::ui::encodeQr(card));
    }
    ASSERT_TRUE(cardQr.save(workPath("card.png"), "PNG"));
    QImage blank(300, 200, QImage::Format_RGB32);
    blank.fill(Qt::white);
    ASSERT_TRUE(blank.save(workPath("blank.png"), "PNG"));

    loseKeyring(*context);
    FirstRunDialog first(*context);
    first.show();
    first.tabs()->setCurrentWidget(first.importPage());
    for (const char* name : {"card.png", "blank.png"}) {
        first.importPage()->loadFile(workPath(name));
        EXPECT_FALSE(first.importPage()->hasInput()) << name;
        EXPECT_TRUE(first.importPage()->loadedText().contains("found no paper key's QR code"))
            << first.importPage()->loadedText().toStdString();
    }

    first.importPage()->loadFile(photo);
    EXPECT_TRUE(first.importPage()->hasInput());
    EXPECT_TRUE(first.importPage()->loadedText().contains("Paper key read from the QR code in IMG_0042.jpg"))
        << first.importPage()->loadedText().toStdString();
    shot(&first, "import-photo.png");
    typeTwice(first.passphraseFields(), kKeyringPass);
    ASSERT_TRUE(submitAndWait(first, *context)) << first.messageText().toStdString();
    expectRestored(*context, card, letter);
    EXPECT_EQ(identityOf(*context).name(), "Ann Example");
}

} // namespace

} // namespace coffer::test::ui
