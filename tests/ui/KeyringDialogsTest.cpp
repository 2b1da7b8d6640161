// First run, unlock and auto-lock through their real dialogs.
#include "UiTestSupport.h"

#include "AppController.h"
#include "FirstRunDialog.h"
#include "IdleWatcher.h"
#include "ImportKeyPage.h"
#include "JobRunner.h"
#include "KeyringStore.h"
#include "PassphraseFields.h"
#include "PassphraseStrength.h"
#include "SecretInput.h"
#include "UnlockDialog.h"

#include <QDialog>
#include <QLayout>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScreen>
#include <QTabWidget>
#include <QTest>

#include <atomic>
#include <chrono>
#include <thread>

namespace coffer::test::ui {

namespace {

namespace fs = std::filesystem;
using coffer::ui::KeyringSession;
using coffer::ui::UnlockDialog;

class KeyringDialogsTest : public UiTest {};

TEST_F(KeyringDialogsTest, AWrongPassphraseShowsTheMessageInTheUnlockDialog)
{
    auto context = makeLockedContext("Alice", "the right passphrase");
    UnlockDialog dialog(*context);
    dialog.show();
    QSignalSpy finished(&context->keyring(), &KeyringSession::unlockFinished);

    QTest::keyClicks(dialog.passphraseField(), "a wrong passphrase");
    QTest::keyClick(dialog.passphraseField(), Qt::Key_Return);
    ASSERT_TRUE(waitFor(finished));

    EXPECT_FALSE(context->keyring().isUnlocked());
    EXPECT_TRUE(dialog.isVisible()) << "the dialog stays, so the user can try again";
    EXPECT_TRUE(dialog.messageText().contains("does not unlock your keyring")) << dialog.messageText().toStdString();
    EXPECT_TRUE(dialog.passphraseField()->text().isEmpty()) << "the typed passphrase does not linger in the field";
    EXPECT_TRUE(holdsNoSecret(dialog.passphraseField())) << "nor in its undo history";

    QSignalSpy second(&context->keyring(), &KeyringSession::unlockFinished);
    QTest::keyClicks(dialog.passphraseField(), "the right passphrase");
    QTest::keyClick(dialog.passphraseField(), Qt::Key_Return);
    ASSERT_TRUE(waitFor(second)) << "Enter must work for the second try too";
    EXPECT_TRUE(context->keyring().isUnlocked());
    EXPECT_EQ(dialog.result(), QDialog::Accepted);
}

TEST_F(KeyringDialogsTest, UndoIsOffInASecretField)
{
    auto context = makeLockedContext("Alice", "the right passphrase");
    UnlockDialog dialog(*context);
    dialog.show();
    QTest::keyClicks(dialog.passphraseField(), "typed so far");
    QTest::keyClick(dialog.passphraseField(), Qt::Key_Z, Qt::ControlModifier);
    EXPECT_EQ(dialog.passphraseField()->text(), "typed so far") << "Ctrl+Z does nothing in a secret field";
    dialog.passphraseField()->setEchoMode(QLineEdit::Normal);
    EXPECT_FALSE(dialog.passphraseField()->isUndoAvailable()) << "no history is kept while typing either";
}

TEST_F(KeyringDialogsTest, SelectingAllInASecretFieldThenTypingReplacesIt)
{
    auto context = makeLockedContext("Alice", "the right passphrase");
    UnlockDialog dialog(*context);
    dialog.show();
    QTest::keyClicks(dialog.passphraseField(), "a wrong start");
    QTest::keyClick(dialog.passphraseField(), Qt::Key_A, Qt::ControlModifier);
    QTest::keyClicks(dialog.passphraseField(), "new");
    EXPECT_EQ(dialog.passphraseField()->text(), "new") << "dropping the history must not drop the selection";
}

TEST_F(KeyringDialogsTest, KeysASecretFieldIgnoresStillReachItsDialog)
{
    QDialog dialog;
    auto* field = new QLineEdit(&dialog);
    coffer::ui::makeSecretField(field);
    dialog.show();
    field->setFocus();
    QTest::keyClicks(field, "abc");
    QTest::keyClick(field, Qt::Key_Escape);
    EXPECT_EQ(dialog.result(), QDialog::Rejected);
    EXPECT_FALSE(dialog.isVisible()) << "Escape still closes the dialog";
}

TEST_F(KeyringDialogsTest, ADamagedKeyringOpensItsBackupAndSaysSo)
{
    auto context = makeUnlockedContext("Alice", "the right passphrase");
    QSignalSpy updated(&context->keyring(), &KeyringSession::updateFinished);
    context->keyring().update(
        [bob = contactFor(crypto::SecretIdentity::generate("Bob"), "Bob")](Keyring& k) { return k.addContact(bob); });
    ASSERT_TRUE(waitFor(updated)); // the save keeps the previous version as the backup
    context->keyring().lock();
    const fs::path file = context->keyring().keyringPath();
    auto bytes = readBytes(file);
    bytes.resize(bytes.size() / 2);
    writeBytes(file, bytes);

    UnlockDialog dialog(*context);
    dialog.show();
    QSignalSpy finished(&context->keyring(), &KeyringSession::unlockFinished);
    QTest::keyClicks(dialog.passphraseField(), "the right passphrase");
    QTest::keyClick(dialog.passphraseField(), Qt::Key_Return);
    ASSERT_TRUE(waitFor(finished));

    EXPECT_TRUE(context->keyring().isUnlocked());
    EXPECT_TRUE(dialog.isVisible()) << "the user reads the note before going on";
    EXPECT_TRUE(dialog.messageText().contains("opened its backup")) << dialog.messageText().toStdString();
    QTest::mouseClick(dialog.unlockButton(), Qt::LeftButton);
    EXPECT_EQ(dialog.result(), QDialog::Accepted);
}

TEST_F(KeyringDialogsTest, FirstRunCreatesAnIdentityWithANameAndPassphrase)
{
    AppContext context;
    coffer::ui::FirstRunDialog dialog(context);
    dialog.show();
    QTest::keyClicks(dialog.nameField(), "Alice");
    QTest::keyClicks(dialog.passphraseFields()->firstField(), "short");
    EXPECT_TRUE(dialog.passphraseFields()->hintText().contains("Too short"));
    dialog.passphraseFields()->firstField()->clear();
    QTest::keyClicks(dialog.passphraseFields()->firstField(), "four random words here");
    QTest::keyClicks(dialog.passphraseFields()->secondField(), "four random words here");
    QSignalSpy created(&context.keyring(), &KeyringSession::createFinished);

    QTest::mouseClick(dialog.continueButton(), Qt::LeftButton);
    ASSERT_TRUE(waitFor(created));

    EXPECT_EQ(dialog.result(), QDialog::Accepted) << dialog.messageText().toStdString();
    ASSERT_TRUE(context.keyring().isUnlocked());
    EXPECT_EQ(identityOf(context).name(), "Alice");
    EXPECT_TRUE(holdsNoSecret(dialog.passphraseFields()->firstField()));
    EXPECT_TRUE(holdsNoSecret(dialog.passphraseFields()->secondField()));
    EXPECT_TRUE(fs::exists(home() / "data" / "keyring.coffer"));
    KeyringStore store(home() / "data");
    EXPECT_TRUE(store.load(crypto::SecureString("four random words here")).ok());
}

TEST_F(KeyringDialogsTest, ReturnInTheFirstRunDialogCreatesTheIdentity)
{
    AppContext context;
    coffer::ui::FirstRunDialog dialog(context);
    dialog.show();
    QTest::keyClicks(dialog.nameField(), "Alice");
    QTest::keyClicks(dialog.passphraseFields()->firstField(), "four random words here");
    QTest::keyClicks(dialog.passphraseFields()->secondField(), "four random words here");
    QSignalSpy created(&context.keyring(), &KeyringSession::createFinished);

    QTest::keyClick(dialog.passphraseFields()->secondField(), Qt::Key_Return);
    ASSERT_TRUE(waitFor(created, 20000)) << "Return must press the default button: "
                                         << dialog.messageText().toStdString();

    EXPECT_EQ(dialog.result(), QDialog::Accepted) << dialog.messageText().toStdString();
    EXPECT_TRUE(context.keyring().isUnlocked());
}

TEST_F(KeyringDialogsTest, FirstRunRefusesPassphrasesThatDiffer)
{
    AppContext context;
    coffer::ui::FirstRunDialog dialog(context);
    dialog.show();
    QTest::keyClicks(dialog.nameField(), "Alice");
    QTest::keyClicks(dialog.passphraseFields()->firstField(), "four random words here");
    QTest::keyClicks(dialog.passphraseFields()->secondField(), "four random words hero");
    QTest::mouseClick(dialog.continueButton(), Qt::LeftButton);
    EXPECT_TRUE(dialog.isVisible());
    EXPECT_FALSE(context.keyring().exists());
    EXPECT_TRUE(dialog.messageText().contains("the same twice")) << dialog.messageText().toStdString();
}

TEST_F(KeyringDialogsTest, FirstRunFitsTheTabInFrontWithoutBlankSpaceOrSqueezing)
{
    AppContext context;
    coffer::ui::FirstRunDialog dialog(context);
    dialog.show();
    QTest::qWait(0);
    const int createHeight = dialog.height();
    QWidget* createPage = dialog.tabs()->widget(0);
    EXPECT_LE(createPage->height(), createPage->heightForWidth(createPage->width()) + 40)
        << "the Create page is not stretched to the Import page's height";

    dialog.tabs()->setCurrentWidget(dialog.importPage());
    QTest::qWait(0);
    QWidget* import = dialog.importPage();
    EXPECT_GT(dialog.height(), createHeight) << "the dialog grows for the taller page";
    EXPECT_GE(import->height(), import->layout()->totalHeightForWidth(import->width()))
        << "nothing on the Import page is squeezed";

    dialog.tabs()->setCurrentIndex(0);
    QTest::qWait(0);
    EXPECT_EQ(dialog.height(), createHeight) << "and shrinks back";
}

TEST_F(KeyringDialogsTest, FirstRunImportsACofferSecretKey)
{
    const auto mine = crypto::SecretIdentity::generate("Imported Alice");
    AppContext context;
    coffer::ui::FirstRunDialog dialog(context);
    dialog.show();
    dialog.tabs()->setCurrentWidget(dialog.importPage());
    QTest::keyClicks(dialog.importPage()->nameField(), "Imported Alice");
    const crypto::SecureString secret = mine.encode();
    dialog.importPage()->keyField()->setPlainText(
        QString::fromUtf8(secret.data(), static_cast<qsizetype>(secret.size())));
    QTest::keyClicks(dialog.passphraseFields()->firstField(), "four random words here");
    QTest::keyClicks(dialog.passphraseFields()->secondField(), "four random words here");
    QSignalSpy created(&context.keyring(), &KeyringSession::createFinished);
    QTest::mouseClick(dialog.continueButton(), Qt::LeftButton);
    ASSERT_TRUE(waitFor(created));
    ASSERT_TRUE(context.keyring().isUnlocked()) << dialog.messageText().toStdString();
    EXPECT_EQ(identityOf(context).x25519Public(), mine.x25519Public());
    EXPECT_EQ(identityOf(context).name(), "Imported Alice") << "the name typed beside the key";
    EXPECT_TRUE(dialog.importPage()->keyField()->toPlainText().isEmpty()) << "the secret is cleared from the widget";
}

TEST_F(KeyringDialogsTest, TheUnlockDialogOpensCentredOnTheMainWindowInTheMiddleOfTheScreen)
{
    auto context = makeLockedContext("Alice", "the right passphrase");
    coffer::ui::AppController controller(*context);
    controller.start();
    QDialog* gate = controller.gateDialog();
    ASSERT_NE(qobject_cast<UnlockDialog*>(gate), nullptr);
    QWidget* main = gate->parentWidget();
    ASSERT_NE(main, nullptr);

    const QPoint screenCentre = main->screen()->availableGeometry().center();
    const QPoint mainCentre = main->frameGeometry().center();
    const QPoint gateCentre = gate->frameGeometry().center();
    const int slack = main->fontMetrics().height() * 2; // window frames the manager adds
    EXPECT_LE((mainCentre - screenCentre).manhattanLength(), slack)
        << "main window at " << mainCentre.x() << "," << mainCentre.y();
    EXPECT_LE((gateCentre - mainCentre).manhattanLength(), slack)
        << "dialog at " << gateCentre.x() << "," << gateCentre.y();
}

TEST_F(KeyringDialogsTest, AutoLockDropsTheKeyringAndAsksForThePassphraseAgain)
{
    auto context = makeUnlockedContext("Alice", "the right passphrase");
    coffer::ui::AppController controller(*context);
    controller.start();
    ASSERT_EQ(controller.gateDialog(), nullptr);
    QSignalSpy locked(&context->keyring(), &KeyringSession::locked);

    controller.idleWatcher()->setTimeoutMs(50);
    ASSERT_TRUE(waitFor(locked, 10000));

    EXPECT_EQ(context->keyring().keyring(), nullptr);
    EXPECT_NE(qobject_cast<UnlockDialog*>(controller.gateDialog()), nullptr);
}

/// A job window the controller knows nothing of: only that it runs a job.
class SomeFutureJobWindow : public QWidget {
public:
    SomeFutureJobWindow() : runner(new coffer::ui::JobRunner(this)) {}
    coffer::ui::JobRunner* runner;
};

TEST_F(KeyringDialogsTest, LockLeavesAWindowItDoesNotNameOpenWhileItsJobRuns)
{
    auto context = makeUnlockedContext("Alice", "the right passphrase");
    coffer::ui::AppController controller(*context);
    controller.start();
    auto* busy = new SomeFutureJobWindow;
    busy->setAttribute(Qt::WA_DeleteOnClose);
    bool deleted = false;
    QObject::connect(busy, &QObject::destroyed, [&deleted]() { deleted = true; });
    controller.track(busy);
    busy->show();
    auto release = std::make_shared<std::atomic<bool>>(false);
    QSignalSpy finished(busy->runner, &coffer::ui::JobRunner::finished);
    busy->runner->start([release](JobControl& job) {
        while (!*release && !job.isCancelled()) // deleting its window cancels it
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        return coffer::ui::JobOutcome{};
    });

    controller.lock();
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete); // a close deletes it later

    EXPECT_FALSE(context->keyring().isUnlocked());
    const bool open = !deleted && busy->isVisible();
    *release = true;
    EXPECT_TRUE(open) << "the window was closed mid-job";
    if (!deleted) {
        EXPECT_TRUE(waitFor(finished));
        delete busy;
    }
}

TEST_F(KeyringDialogsTest, LockClosesAWindowItDoesNotNameOnceItsJobEnded)
{
    auto context = makeUnlockedContext("Alice", "the right passphrase");
    coffer::ui::AppController controller(*context);
    controller.start();
    SomeFutureJobWindow idle;
    controller.track(&idle);
    idle.show();
    QSignalSpy finished(idle.runner, &coffer::ui::JobRunner::finished);
    idle.runner->start([](JobControl&) { return coffer::ui::JobOutcome{}; });
    ASSERT_TRUE(waitFor(finished));

    controller.lock();

    EXPECT_FALSE(idle.isVisible()) << "an idle window that shows the keyring's data stays open";
}

TEST(PassphraseStrength, SaysHowStrongInPlainWords)
{
    using coffer::ui::PassphraseStrength;
    using coffer::ui::Strength;
    EXPECT_EQ(PassphraseStrength::assess(u"abc").strength, Strength::TooShort);
    EXPECT_EQ(PassphraseStrength::assess(u"password").strength, Strength::Weak);
    EXPECT_GE(static_cast<int>(PassphraseStrength::assess(u"correct horse battery staple").strength),
              static_cast<int>(Strength::Good));
    EXPECT_FALSE(PassphraseStrength::assess(u"password").hint.isEmpty());
}

} // namespace

} // namespace coffer::test::ui
