// Contacts, My card and Settings through their real dialogs; questions and
// prompts are answered through the MessageBox seam.
#include "UiTestSupport.h"

#include "AddContactDialog.h"
#include "ContactsDialog.h"
#include "ContactsModel.h"
#include "FileDialogs.h"
#include "MessageBox.h"
#include "MyCardDialog.h"
#include "QrCodeWidget.h"
#include "SettingsDialog.h"
#include "VerifyContactDialog.h"

#include <QCheckBox>
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

} // namespace

} // namespace coffer::test::ui
