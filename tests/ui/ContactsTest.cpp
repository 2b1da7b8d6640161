// Contacts, My card, Settings and About through their real dialogs; questions
// and prompts are answered through the MessageBox seam. Every window's
// controls have names a screen reader can say, in a sensible tab order.
#include "UiTestSupport.h"

#include "AboutDialog.h"
#include "AddContactDialog.h"
#include "AppController.h"
#include "ContactsDialog.h"
#include "ContactsModel.h"
#include "ContainerWindow.h"
#include "Encrypt.h"
#include "EncryptDialog.h"
#include "FileDialogs.h"
#include "FirstRunDialog.h"
#include "MainWindow.h"
#include "MessageBox.h"
#include "MyCardDialog.h"
#include "PathText.h"
#include "QrCodeWidget.h"
#include "SettingsDialog.h"
#include "Texts.h"
#include "UnlockDialog.h"
#include "VerifyContactDialog.h"
#include "Version.h"

#include <QAccessible>
#include <QCheckBox>
#include <QClipboard>
#include <QGuiApplication>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QTest>

namespace coffer::test::ui {

namespace {

using coffer::ui::ContactsDialog;
using coffer::ui::KeyringSession;
using coffer::ui::MessageBox;

class ContactsTest : public UiTest {
protected:
    /// Waits for the keyring save a dialog started.
    static bool saved(QSignalSpy& spy) { return waitFor(spy) && spy.takeFirst().at(0).toBool(); }
};

TEST_F(ContactsTest, AddVerifyRenameAndRemoveAContact)
{
    auto context = makeUnlockedContext("Alice", "alice passphrase");
    const auto bob = crypto::SecretIdentity::generate("Bob");
    ContactsDialog dialog(*context);
    dialog.show();
    QSignalSpy updates(&context->keyring(), &KeyringSession::updateFinished);

    dialog.addContact();
    auto* add = dialog.findChild<coffer::ui::AddContactDialog*>();
    ASSERT_NE(add, nullptr);
    add->keyField()->setPlainText(QString::fromStdString(bob.publicText()));
    EXPECT_EQ(add->nameField()->text(), "Bob") << "the card's own name is suggested";
    QTest::mouseClick(add->addButton(), Qt::LeftButton);
    ASSERT_TRUE(saved(updates)) << dialog.messageText().toStdString();
    ASSERT_EQ(dialog.model()->rowCount(), 1);
    EXPECT_EQ(dialog.model()->rowAt(0)->fingerprint.toStdString(), fingerprintOf(bob));
    EXPECT_FALSE(dialog.model()->rowAt(0)->verified);

    ASSERT_TRUE(dialog.selectContact("Bob"));
    dialog.verifySelected();
    auto* verify = dialog.findChild<coffer::ui::VerifyContactDialog*>();
    ASSERT_NE(verify, nullptr);
    EXPECT_FALSE(verify->verifyButton()->isEnabled()) << "only after they read the same digits";
    QTest::keyClicks(verify->heardField(), QString::fromStdString(fingerprintOf(bob)));
    EXPECT_TRUE(verify->comparisonText().contains("Same digits")) << verify->comparisonText().toStdString();
    verify->sameDigitsBox()->setFocus();
    QTest::keyClick(verify->sameDigitsBox(), Qt::Key_Space);
    QTest::mouseClick(verify->verifyButton(), Qt::LeftButton);
    ASSERT_TRUE(saved(updates));
    const Contact* verified = keyringOf(*context).findContact("Bob");
    ASSERT_NE(verified, nullptr);
    EXPECT_TRUE(verified->verified);

    MessageBox::setNextText(QStringLiteral("Robert"));
    dialog.renameSelected();
    ASSERT_TRUE(saved(updates));
    EXPECT_NE(keyringOf(*context).findContact("Robert"), nullptr);

    ASSERT_TRUE(dialog.selectContact("Robert"));
    MessageBox::setNextAnswer(QMessageBox::No);
    dialog.removeSelected();
    EXPECT_EQ(dialog.model()->rowCount(), 1) << "No keeps the contact";
    MessageBox::setNextAnswer(QMessageBox::Yes);
    dialog.removeSelected();
    ASSERT_TRUE(saved(updates));
    EXPECT_EQ(dialog.model()->rowCount(), 0);
    EXPECT_TRUE(keyringOf(*context).contacts().empty());
}

TEST_F(ContactsTest, AMistypedCardIsRefusedWithAHint)
{
    auto context = makeUnlockedContext("Alice", "alice passphrase");
    coffer::ui::AddContactDialog add;
    add.show();
    add.keyField()->setPlainText("coffer1qqqqqq");
    QTest::mouseClick(add.addButton(), Qt::LeftButton);
    EXPECT_TRUE(add.isVisible());
    EXPECT_TRUE(add.problemText().contains("coffer1")) << add.problemText().toStdString();
    EXPECT_FALSE(add.contact().has_value());
}

TEST_F(ContactsTest, MyCardShowsTheCardItsQrCodeAndTheFingerprint)
{
    auto context = makeUnlockedContext("Alice", "alice passphrase");
    const crypto::SecretIdentity& me = identityOf(*context);
    coffer::ui::MyCardDialog dialog(*context);
    dialog.show();
    EXPECT_EQ(dialog.cardText().toStdString(), me.publicText());
    EXPECT_EQ(dialog.fingerprint().toStdString(), fingerprintOf(me));
    EXPECT_GE(dialog.qrCode()->moduleCount(), 21);

    coffer::ui::FileDialogs::setNextResult(workPath("alice-card.txt"));
    QTest::mouseClick(dialog.saveButton(), Qt::LeftButton);
    EXPECT_EQ(readFile(work() / "alice-card.txt"), me.publicText() + "\n");
}

TEST_F(ContactsTest, MyCardShowsTheAgeAddressAndCopiesIt)
{
    auto context = makeUnlockedContext("Alice", "alice passphrase");
    const crypto::SecretIdentity& me = identityOf(*context);
    coffer::ui::MyCardDialog dialog(*context);
    dialog.show();
    const std::string address = crypto::encodeAgeRecipient(me.x25519Public());
    EXPECT_EQ(dialog.ageAddress().toStdString(), address);
    ASSERT_NE(dialog.ageAddressField(), nullptr);
    EXPECT_EQ(dialog.ageAddressField()->toPlainText().toStdString(), address);
    EXPECT_TRUE(dialog.ageAddressField()->isReadOnly());
    EXPECT_TRUE(dialog.ageAddressField()->isVisible());
    QTest::mouseClick(dialog.copyAgeAddressButton(), Qt::LeftButton);
    EXPECT_EQ(QGuiApplication::clipboard()->text().toStdString(), address);
    EXPECT_NE(dialog.cardText().toStdString(), address) << "the card is still the card";
}

TEST_F(ContactsTest, SettingsAreKeptInTheConfigFolder)
{
    AppContext context;
    coffer::ui::SettingsDialog dialog(context);
    dialog.show();
    EXPECT_EQ(dialog.autoLockBox()->value(), 15) << "fifteen minutes by default";
    EXPECT_TRUE(dialog.signBox()->isChecked()) << "signing is on by default";
    dialog.autoLockBox()->setValue(5);
    dialog.signBox()->setChecked(false);
    dialog.accept();

    QSettings file(QString::fromStdString((home() / "config" / "coffer.ini").string()), QSettings::IniFormat);
    EXPECT_EQ(file.value("security/autoLockMinutes").toInt(), 5);
    EXPECT_FALSE(file.value("encrypt/sign").toBool());
    AppContext again;
    EXPECT_EQ(again.settings().autoLockMinutes(), 5);
}

TEST_F(ContactsTest, AboutShowsTheVersionTheCommandLinePrintsAndTheLicence)
{
    AppContext context; // no keyring: About works while locked too
    coffer::ui::AppController controller(context);
    QAction* action = controller.mainWindow()->aboutAction();
    EXPECT_EQ(action->shortcut(), QKeySequence(QKeySequence::HelpContents)) << "F1 reaches it without a mouse";
    action->trigger();
    auto* about = findTopLevel<coffer::ui::AboutDialog>();
    ASSERT_NE(about, nullptr) << "the toolbar's About opens the About dialog";
    EXPECT_EQ(about, controller.showAbout()) << "one About window";

    const QString version = QString::fromStdString(cofferVersion());
    EXPECT_FALSE(version.isEmpty());
    EXPECT_TRUE(about->versionText().contains(version)) << about->versionText().toStdString();
    EXPECT_TRUE(about->librariesText().contains("Botan")) << about->librariesText().toStdString();
    EXPECT_TRUE(about->librariesText().contains("zstd")) << about->librariesText().toStdString();
    EXPECT_TRUE(about->librariesText().contains(QStringLiteral("Qt ") + qVersion()))
        << about->librariesText().toStdString();
    EXPECT_TRUE(about->licenceText().contains("GPL-3.0-or-later")) << about->licenceText().toStdString();

    QTest::mouseClick(about->copyButton(), Qt::LeftButton);
    EXPECT_TRUE(QGuiApplication::clipboard()->text().startsWith(QStringLiteral("Coffer ") + version))
        << QGuiApplication::clipboard()->text().toStdString();
}

TEST(TextsTest, CountsReadRightInEnglishWithoutATranslation)
{
    ensureApplication();
    EXPECT_EQ(coffer::ui::Texts::files(1).toStdString(), "1 file");
    EXPECT_EQ(coffer::ui::Texts::files(5).toStdString(), "5 files");
    EXPECT_EQ(coffer::ui::Texts::files(0).toStdString(), "0 files");
    EXPECT_EQ(coffer::ui::Texts::timeLeft(0.4).toStdString(), "about 1 second left");
    EXPECT_EQ(coffer::ui::Texts::timeLeft(12).toStdString(), "about 12 seconds left");
    EXPECT_EQ(coffer::ui::Texts::timeLeft(70).toStdString(), "about 1 minute left");
    EXPECT_EQ(coffer::ui::Texts::timeLeft(600).toStdString(), "about 10 minutes left");
}

/// The controls Tab reaches in `window`, in order, each with what a screen reader would say.
std::vector<std::pair<QWidget*, QString>> tabChain(QWidget* window)
{
    std::vector<std::pair<QWidget*, QString>> chain;
    QWidget* w = window;
    for (int guard = 0; guard < 500; ++guard) {
        w = w->nextInFocusChain();
        if (w == window)
            break;
        if (w->window() != window || !w->isVisibleTo(window) || !w->isEnabled() || !(w->focusPolicy() & Qt::TabFocus) ||
            w->focusProxy())
            continue; // a spin box's line edit passes its focus to the spin box
        // The name set for the widget, else what Qt derives (a button's text, a buddy label's).
        QString name = w->accessibleName();
        if (QAccessibleInterface* a = QAccessible::queryAccessibleInterface(w); a && name.isEmpty())
            name = a->text(QAccessible::Name);
        chain.emplace_back(w, name.trimmed());
    }
    return chain;
}

void expectNamedControls(QWidget* window)
{
    window->show();
    QTest::qWait(0);
    const auto chain = tabChain(window);
    EXPECT_GE(chain.size(), 1u) << window->windowTitle().toStdString();
    for (const auto& [widget, name] : chain)
        EXPECT_FALSE(name.isEmpty()) << window->windowTitle().toStdString() << ": a "
                                     << widget->metaObject()->className() << " has no accessible name";
}

TEST_F(ContactsTest, EveryWindowNamesItsControlsForScreenReaders)
{
    {
        AppContext fresh;
        coffer::ui::FirstRunDialog firstRun(fresh);
        expectNamedControls(&firstRun);
    }
    const auto bob = crypto::SecretIdentity::generate("Bob");
    auto context = makeUnlockedContext("Carol", "carol passphrase", {contactFor(bob, "Bob", true)});
    writeFile(work() / "in" / "a.txt", "alpha\n");
    coffer::ui::MainWindow main(*context);
    expectNamedControls(&main);
    coffer::ui::EncryptDialog encrypt(*context, {workPath("in")});
    expectNamedControls(&encrypt);

    EncryptRequest request;
    request.inputs = {work() / "in"};
    request.recipients = {recipientOf(identityOf(*context))};
    request.output = work() / "in.coffer";
    JobControl job;
    ASSERT_TRUE(encryptFiles(request, job).ok());
    coffer::ui::ContainerWindow container(*context, workPath("in.coffer"));
    QSignalSpy loaded(&container, &coffer::ui::ContainerWindow::loadFinished);
    container.show();
    ASSERT_TRUE(waitFor(loaded));
    expectNamedControls(&container);

    ContactsDialog contacts(*context);
    expectNamedControls(&contacts);
    coffer::ui::AddContactDialog add;
    expectNamedControls(&add);
    coffer::ui::VerifyContactDialog verify("Bob", QString::fromStdString(fingerprintOf(bob)));
    expectNamedControls(&verify);
    coffer::ui::MyCardDialog card(*context);
    expectNamedControls(&card);
    coffer::ui::SettingsDialog settings(*context);
    expectNamedControls(&settings);
    coffer::ui::AboutDialog about;
    expectNamedControls(&about);
    context->keyring().lock();
    coffer::ui::UnlockDialog unlock(*context);
    expectNamedControls(&unlock);
}

TEST_F(ContactsTest, TabFollowsTheButtonsAsShownInMyCardAndAbout)
{
    auto context = makeUnlockedContext("Alice", "alice passphrase");
    coffer::ui::MyCardDialog card(*context);
    card.show();
    QStringList names;
    for (const auto& [widget, name] : tabChain(&card))
        names << name;
    // The identity bar is at the top: with one identity it shows only "New identity…".
    EXPECT_EQ(names.join(" | ").toStdString(),
              "New identity… | Your card | Your age address | Copy age address | Copy card | Save… | Back up… | Close");
    coffer::ui::AboutDialog about;
    about.show();
    names.clear();
    for (const auto& [widget, name] : tabChain(&about))
        names << name;
    EXPECT_EQ(names.join(" | ").toStdString(), "Copy the version and libraries to the clipboard | Close");
}

TEST_F(ContactsTest, TabGoesDownTheEncryptDialogInReadingOrder)
{
    const auto bob = crypto::SecretIdentity::generate("Bob");
    auto context = makeUnlockedContext("Carol", "carol passphrase", {contactFor(bob, "Bob", true)});
    writeFile(work() / "in" / "a.txt", "alpha\n");
    coffer::ui::EncryptDialog dialog(*context, {workPath("in")});
    dialog.show();
    QTest::qWait(0);
    QStringList names;
    for (const auto& [widget, name] : tabChain(&dialog))
        names << name;
    const QStringList expected = {"Files to encrypt",
                                  "Add files…",
                                  "Add folder…",
                                  "Search contacts",
                                  "Recipients",
                                  "Paste a card or age key",
                                  "Add key",
                                  "Format",
                                  "Also protect with a passphrase",
                                  "Sign the container",
                                  "Follow symbolic links",
                                  "Compression",
                                  "Output file",
                                  "Choose the output file",
                                  "Encrypt",
                                  "Cancel"};
    EXPECT_EQ(names.join(" | ").toStdString(), expected.join(" | ").toStdString());

    // Down from the search box goes into the list, as in a combo box.
    auto* search = dialog.findChild<QLineEdit*>();
    for (auto* edit : dialog.findChildren<QLineEdit*>())
        if (edit->accessibleName() == "Search contacts")
            search = edit;
    search->setFocus();
    QTest::keyClick(search, Qt::Key_Down);
    ASSERT_NE(QApplication::focusWidget(), nullptr);
    EXPECT_EQ(QApplication::focusWidget()->accessibleName().toStdString(), "Recipients");
}

} // namespace

} // namespace coffer::test::ui
