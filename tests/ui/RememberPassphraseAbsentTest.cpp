// "Remember the keyring passphrase" on a desktop with no Secret Service (the
// session bus address leads nowhere): the unlock dialog says it could not
// read the passphrase and lets the user type it; once it unlocks, it says it
// could not keep it and goes on at Continue. A program of its own: Qt and
// libsecret reach the session bus once per process.
#include "UiTestSupport.h"

#include "AppController.h"
#include "UnlockDialog.h"

#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>

#include <cstdlib>

namespace coffer::test::ui {

namespace {

using coffer::ui::AppController;
using coffer::ui::KeyringSession;
using coffer::ui::UnlockDialog;

class RememberPassphraseAbsentTest : public UiTest {};

TEST_F(RememberPassphraseAbsentTest, WithNoSystemKeyringTheDialogSaysSoAndTheUserGoesOn)
{
    ::setenv("DBUS_SESSION_BUS_ADDRESS", ("unix:path=" + (m_dir / "no-bus").string()).c_str(), 1);
    ::unsetenv("XDG_RUNTIME_DIR"); // no key agent either
    const std::string passphrase = "four random words here";
    auto context = makeLockedContext("Alice", passphrase);
    context->settings().setKeepKeysForOthers(false);
    context->settings().setRememberPassphrase(true);
    AppController controller(*context);
    controller.start();
    auto* gate = qobject_cast<UnlockDialog*>(controller.gateDialog());
    ASSERT_NE(gate, nullptr);
    EXPECT_TRUE(QTest::qWaitFor(
        [&] { return gate->messageText().contains("could not read your passphrase from the system keyring"); }, 20000))
        << gate->messageText().toStdString();
    EXPECT_TRUE(gate->passphraseField()->isEnabled());

    QSignalSpy unlocked(&context->keyring(), &KeyringSession::unlocked);
    QTest::keyClicks(gate->passphraseField(), QString::fromStdString(passphrase));
    QTest::keyClick(gate->passphraseField(), Qt::Key_Return);
    ASSERT_TRUE(waitFor(unlocked));
    ASSERT_TRUE(QTest::qWaitFor([&] { return gate->unlockButton()->isEnabled(); }, 20000));
    EXPECT_TRUE(context->keyring().isUnlocked());
    EXPECT_TRUE(gate->isVisible()) << "the user reads why before going on";
    EXPECT_TRUE(gate->messageText().contains("could not keep your passphrase")) << gate->messageText().toStdString();
    if (const char* shots = std::getenv("COFFER_TEST_SHOTS")) { // a picture to look at
        QTest::qWait(100);                                      // the dialog grows to its message
        gate->grab().save(QString::fromLocal8Bit(shots) + QStringLiteral("/unlock-no-system-keyring.png"));
    }
    QTest::mouseClick(gate->unlockButton(), Qt::LeftButton);
    EXPECT_TRUE(QTest::qWaitFor([&] { return controller.gateDialog() == nullptr; }, 5000)) << "Continue did not go on";
    ::unsetenv("DBUS_SESSION_BUS_ADDRESS");
}

} // namespace
} // namespace coffer::test::ui
