// "Remember the keyring passphrase in the system keyring" (issue 22, item 3)
// through the real window, unlock dialog and settings, against a real Secret
// Service of this test's own (gnome-keyring-daemon on a private bus,
// tests/support/SecretService.h): off by default; on, a typed passphrase is
// kept and the next start opens without asking; a kept passphrase that no
// longer unlocks is removed and the user asked; turning it off removes it;
// after a lock and in portable mode it is never used.
#include "SecretService.h"
#include "UiTestSupport.h"

#include "AppController.h"
#include "SettingsDialog.h"
#include "SystemKeyring.h"
#include "UnlockDialog.h"

#include <QCheckBox>
#include <QLineEdit>
#include <QSignalSpy>
#include <QTest>

namespace coffer::test::ui {

namespace {

using coffer::ui::AppContext;
using coffer::ui::AppController;
using coffer::ui::KeyringSession;
using coffer::ui::UnlockDialog;

const std::string kPassphrase = "four random words here";

class SecretServiceEnvironment : public ::testing::Environment {
public:
    void SetUp() override { m_service = std::make_unique<SecretService>(); }
    void TearDown() override { m_service.reset(); }

private:
    std::unique_ptr<SecretService> m_service;
};

const auto* const g_environment = ::testing::AddGlobalTestEnvironment(new SecretServiceEnvironment);

/// Runs the event loop until `done` is true (at most 20 s).
template <typename Done> bool spinUntil(Done done)
{
    for (int i = 0; i < 2000 && !done(); ++i)
        QTest::qWait(10);
    return done();
}

class RememberPassphraseTest : public UiTest {
protected:
    void SetUp() override { ::unsetenv("XDG_RUNTIME_DIR"); } // no key agent to find or start

    std::optional<crypto::SecureString> kept(AppContext& context)
    {
        QObject receiver;
        bool finished = false;
        std::optional<crypto::SecureString> value;
        SystemKeyring::recall(context.keyring().keyringPath(), &receiver,
                              [&](Result<std::optional<crypto::SecureString>> r) {
                                  EXPECT_TRUE(r.ok()) << r.error().message;
                                  if (r.ok())
                                      value = std::move(*r);
                                  finished = true;
                              });
        EXPECT_TRUE(spinUntil([&] { return finished; }));
        return value;
    }
    void keep(AppContext& context, const std::string& passphrase)
    {
        QObject receiver;
        bool finished = false;
        SystemKeyring::remember(context.keyring().keyringPath(), crypto::SecureString(passphrase.c_str()), &receiver,
                                [&](Status s) {
                                    EXPECT_TRUE(s.ok()) << s.error().message;
                                    finished = true;
                                });
        ASSERT_TRUE(spinUntil([&] { return finished; }));
    }
    std::unique_ptr<AppContext> lockedWith(bool remember)
    {
        auto context = makeLockedContext("Alice", kPassphrase);
        context->settings().setKeepKeysForOthers(false);
        context->settings().setRememberPassphrase(remember);
        return context;
    }
    /// Types `passphrase` into the controller's unlock dialog and waits for the answer.
    static bool type(AppContext& context, AppController& controller, const std::string& passphrase)
    {
        auto* gate = qobject_cast<UnlockDialog*>(controller.gateDialog());
        if (!gate || !spinUntil([&] { return gate->passphraseField()->isEnabled(); }))
            return false; // (disabled while the system keyring is asked)
        QSignalSpy finished(&context.keyring(), &KeyringSession::unlockFinished);
        QTest::keyClicks(gate->passphraseField(), QString::fromStdString(passphrase));
        QTest::keyClick(gate->passphraseField(), Qt::Key_Return);
        return waitFor(finished);
    }
    /// True once the unlock dialog is gone (accepted), the keyring unlocked.
    static bool openedWindow(AppContext& context, AppController& controller)
    {
        return spinUntil([&] { return controller.gateDialog() == nullptr; }) && context.keyring().isUnlocked();
    }
};

TEST_F(RememberPassphraseTest, OffByDefaultNothingIsKept)
{
    auto context = makeLockedContext("Alice", kPassphrase);
    EXPECT_FALSE(context->settings().rememberPassphrase()) << "off by default";
    context->settings().setKeepKeysForOthers(false);
    AppController controller(*context);
    controller.start();
    ASSERT_TRUE(type(*context, controller, kPassphrase));
    ASSERT_TRUE(openedWindow(*context, controller));
    EXPECT_FALSE(kept(*context).has_value()) << "kept although the setting is off";
}

TEST_F(RememberPassphraseTest, ATypedPassphraseIsKeptAndTheNextStartOpensWithoutAsking)
{
    auto first = lockedWith(true);
    {
        AppController controller(*first);
        controller.start();
        ASSERT_TRUE(type(*first, controller, kPassphrase));
        ASSERT_TRUE(openedWindow(*first, controller));
    }
    const auto value = kept(*first);
    ASSERT_TRUE(value.has_value()) << "the typed passphrase was not kept";
    EXPECT_EQ(*value, crypto::SecureString(kPassphrase.c_str()));
    first.reset();

    // The next start: the same keyring, nothing typed.
    AppContext second;
    ASSERT_FALSE(second.keyring().isUnlocked());
    AppController controller(second);
    controller.start();
    EXPECT_TRUE(openedWindow(second, controller)) << "the next start still asked for the passphrase";
}

TEST_F(RememberPassphraseTest, AKeptPassphraseThatNoLongerUnlocksIsRemovedAndTheUserAsked)
{
    auto context = lockedWith(true);
    keep(*context, "the passphrase before it was changed");
    AppController controller(*context);
    QSignalSpy finished(&context->keyring(), &KeyringSession::unlockFinished);
    controller.start();
    ASSERT_TRUE(waitFor(finished));
    EXPECT_FALSE(context->keyring().isUnlocked());
    auto* gate = qobject_cast<UnlockDialog*>(controller.gateDialog());
    ASSERT_NE(gate, nullptr) << "the window opened with a passphrase that does not unlock";
    EXPECT_TRUE(gate->messageText().contains("removed it")) << gate->messageText().toStdString();
    EXPECT_TRUE(gate->passphraseField()->isEnabled());
    EXPECT_TRUE(spinUntil([&] { return !kept(*context).has_value(); })) << "the stale passphrase stayed";
    if (const char* shots = std::getenv("COFFER_TEST_SHOTS")) // a picture to look at
        gate->grab().save(QString::fromLocal8Bit(shots) + QStringLiteral("/unlock-stale-remembered.png"));

    ASSERT_TRUE(type(*context, controller, kPassphrase));
    ASSERT_TRUE(openedWindow(*context, controller));
    const auto value = kept(*context);
    ASSERT_TRUE(value.has_value()) << "the new passphrase was not kept";
    EXPECT_EQ(*value, crypto::SecureString(kPassphrase.c_str()));
}

TEST_F(RememberPassphraseTest, TypingWhileTheSystemKeyringIsAskedUsesWhatWasTyped)
{
    auto context = lockedWith(true);
    keep(*context, "a passphrase from before");
    AppController controller(*context);
    controller.start();
    auto* gate = qobject_cast<UnlockDialog*>(controller.gateDialog());
    ASSERT_NE(gate, nullptr);
    EXPECT_TRUE(gate->passphraseField()->isEnabled()) << "the user cannot type while the system keyring is asked";
    // Typed before the system keyring has answered (no event has run since start()).
    QSignalSpy finished(&context->keyring(), &KeyringSession::unlockFinished);
    QTest::keyClicks(gate->passphraseField(), QString::fromStdString(kPassphrase));
    QTest::keyClick(gate->passphraseField(), Qt::Key_Return);
    ASSERT_TRUE(waitFor(finished));
    ASSERT_TRUE(openedWindow(*context, controller));
    QTest::qWait(200); // the late answer arrives, and must change nothing
    EXPECT_EQ(finished.count(), 1) << "the late answer was tried too";
    EXPECT_TRUE(context->keyring().isUnlocked());
    const auto value = kept(*context);
    ASSERT_TRUE(value.has_value());
    EXPECT_EQ(*value, crypto::SecureString(kPassphrase.c_str())) << "the typed passphrase was not kept";
}

TEST_F(RememberPassphraseTest, TurningItOffInSettingsRemovesTheKeptPassphrase)
{
    auto context = lockedWith(true);
    keep(*context, kPassphrase);
    AppController controller(*context);
    controller.start();
    ASSERT_TRUE(openedWindow(*context, controller));

    coffer::ui::SettingsDialog settings(*context);
    EXPECT_TRUE(settings.rememberBox()->isEnabled());
    EXPECT_TRUE(settings.rememberBox()->isChecked());
    if (const char* shots = std::getenv("COFFER_TEST_SHOTS")) { // a picture to look at
        settings.show();
        QTest::qWait(100);
        settings.grab().save(QString::fromLocal8Bit(shots) + QStringLiteral("/settings-remember.png"));
    }
    settings.rememberBox()->setChecked(false);
    settings.accept();
    EXPECT_FALSE(context->settings().rememberPassphrase());
    EXPECT_TRUE(spinUntil([&] { return !kept(*context).has_value(); })) << "turned off, the passphrase stayed";
}

TEST_F(RememberPassphraseTest, AfterALockThePassphraseIsTyped)
{
    auto context = lockedWith(true);
    keep(*context, kPassphrase);
    AppController controller(*context);
    controller.start();
    ASSERT_TRUE(openedWindow(*context, controller));
    controller.lock();
    ASSERT_FALSE(context->keyring().isUnlocked());
    QTest::qWait(300); // what a recall would take, many times over
    EXPECT_FALSE(context->keyring().isUnlocked()) << "a lock was undone by the system keyring";
    EXPECT_NE(controller.gateDialog(), nullptr);
}

TEST_F(RememberPassphraseTest, PortableModeNeitherOffersNorUsesIt)
{
    auto installed = lockedWith(true);
    keep(*installed, kPassphrase);
    DataLocations stick = installed->locations();
    stick.portable = true;
    installed.reset();
    AppContext context(stick);
    ASSERT_TRUE(context.settings().rememberPassphrase()) << "the test means the setting to be on";
    {
        coffer::ui::SettingsDialog settings(context);
        EXPECT_FALSE(settings.rememberBox()->isEnabled());
        EXPECT_FALSE(settings.rememberBox()->isChecked());
    }
    AppController controller(context);
    controller.start();
    QTest::qWait(300);
    EXPECT_FALSE(context.keyring().isUnlocked()) << "a portable Coffer used the host's keyring";
    // Typed: not kept either (the kept one from before is the only one there).
    keep(context, "left from the installed Coffer");
    ASSERT_TRUE(type(context, controller, kPassphrase));
    ASSERT_TRUE(openedWindow(context, controller));
    const auto value = kept(context);
    ASSERT_TRUE(value.has_value());
    EXPECT_EQ(*value, crypto::SecureString("left from the installed Coffer")) << "a portable Coffer wrote to it";
}

} // namespace
} // namespace coffer::test::ui
