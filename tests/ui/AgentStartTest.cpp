// Unlocking the window starts the key agent (issue 22, item 3): with Settings'
// "Keep the keys unlocked for other Coffer windows and commands" on (the
// default), a passphrase unlock in the real AppController runs the test
// build's real `coffer unlock`, and commands then need no passphrase; off, no
// agent starts; a Lock while the agent is still starting locks it when it
// comes up.
#include "AgentHarness.h"

#include "AppContext.h"
#include "AppController.h"
#include "ContainerModel.h"
#include "ContainerWindow.h"
#include "EncryptDialog.h"
#include "EncryptOptions.h"
#include "JobProgressWidget.h"
#include "JobRunner.h"
#include "SettingsDialog.h"
#include "UiTestSupport.h"
#include "UnlockDialog.h"

#include <QCheckBox>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>
#include <QThreadPool>

#include <cstdlib>

namespace {

using namespace coffer::test::agent;
using coffer::test::readFile;
using coffer::test::writeFile;
using coffer::test::ui::UiTest;
using coffer::test::ui::waitFor;
using coffer::ui::KeyringSession;

class AgentStartTest : public UiTest {
protected:
    /// The app started while an agent of its keyring is unlocked: it must ask no passphrase.
    static void startThroughAgent(coffer::ui::AppController& controller)
    {
        controller.start();
        ASSERT_EQ(controller.gateDialog(), nullptr) << "asked for the passphrase although the agent is unlocked";
    }
    /// The GUI of `u`: same keyring, same runtime folder.
    void useEnvironmentOf(const AgentUser& u)
    {
        ::setenv("COFFER_HOME", u.person.home.c_str(), 1);
        ::setenv("XDG_RUNTIME_DIR", u.runtime.c_str(), 1);
    }
    /// The agent's socket (u.socket() unsets XDG_RUNTIME_DIR: set again).
    fs::path socketOf(const AgentUser& u)
    {
        const fs::path socket = u.socket();
        useEnvironmentOf(u);
        return socket;
    }
    void TearDown() override
    {
        ::unsetenv("XDG_RUNTIME_DIR");
        UiTest::TearDown();
    }
    /// Types the passphrase into the controller's unlock dialog; true once unlocked.
    static bool unlockWindow(coffer::ui::AppContext& context, coffer::ui::AppController& controller)
    {
        QSignalSpy finished(&context.keyring(), &KeyringSession::unlockFinished);
        controller.start();
        auto* gate = qobject_cast<coffer::ui::UnlockDialog*>(controller.gateDialog());
        if (!gate)
            return false;
        QTest::keyClicks(gate->passphraseField(), QString::fromStdString(kPassphrase));
        QTest::keyClick(gate->passphraseField(), Qt::Key_Return);
        return waitFor(finished) && context.keyring().isUnlocked();
    }
};

bool askedForPassphrase(const Outcome& r)
{
    return r.code != kExitOk && contains(r.output, "passphrase");
}

TEST_F(AgentStartTest, UnlockingTheWindowUnlocksCommandsUntilItLocks)
{
    AgentUser u;
    ASSERT_TRUE(askedForPassphrase(u.run("contacts list --names-only")));
    useEnvironmentOf(u);
    coffer::ui::AppContext context;
    EXPECT_TRUE(context.settings().keepKeysForOthers()) << "on by default";
    coffer::ui::AppController controller(context);
    controller.setAgentProgram(QString::fromStdString(COFFER_BINARY));
    QSignalSpy started(&context.keyring(), &KeyringSession::agentStarted);
    ASSERT_TRUE(unlockWindow(context, controller));
    ASSERT_TRUE(waitFor(started));
    EXPECT_TRUE(started.first().at(0).toBool());

    const fs::path socket = socketOf(u);
    const pid_t pid = agentPid(socket);
    ASSERT_GT(pid, 0) << "unlocking the window started no agent";
    const Outcome contacts = u.run("contacts list --names-only");
    EXPECT_EQ(contacts.code, kExitOk) << contacts.output;
    EXPECT_TRUE(contains(contacts.output, "Bob")) << contacts.output;

    controller.lock();
    EXPECT_TRUE(eventually([&] { return !running(pid); })) << "the agent still runs after the window locked";
    EXPECT_TRUE(askedForPassphrase(u.run("contacts list --names-only")));
}

TEST_F(AgentStartTest, WithTheSettingOffNoAgentStarts)
{
    AgentUser u;
    useEnvironmentOf(u);
    coffer::ui::AppContext context;
    context.settings().setKeepKeysForOthers(false);
    coffer::ui::AppController controller(context);
    controller.setAgentProgram(QString::fromStdString(COFFER_BINARY));
    QSignalSpy started(&context.keyring(), &KeyringSession::agentStarted);
    ASSERT_TRUE(unlockWindow(context, controller));
    QThreadPool::globalInstance()->waitForDone(); // anything started in the background has finished
    QCoreApplication::processEvents();
    EXPECT_EQ(started.count(), 0);
    EXPECT_EQ(agentPid(socketOf(u)), 0) << "an agent started although the setting is off";
    EXPECT_TRUE(askedForPassphrase(u.run("contacts list --names-only")));
}

TEST_F(AgentStartTest, ALockWhileTheAgentStartsLocksItWhenItComesUp)
{
    AgentUser u;
    useEnvironmentOf(u);
    coffer::ui::AppContext context;
    coffer::ui::AppController controller(context);
    controller.setAgentProgram(QString::fromStdString(COFFER_BINARY));
    QSignalSpy started(&context.keyring(), &KeyringSession::agentStarted);
    ASSERT_TRUE(unlockWindow(context, controller));
    controller.lock(); // at once: `coffer unlock` is most likely still opening the keyring
    ASSERT_TRUE(waitFor(started));
    EXPECT_FALSE(started.first().at(0).toBool()) << "reported as started for a window that locked";
    EXPECT_EQ(agentPid(socketOf(u)), 0) << "the agent outlived the lock";
    EXPECT_TRUE(askedForPassphrase(u.run("contacts list --names-only")));
}

TEST_F(AgentStartTest, SettingsHasTheSwitchOnByDefaultAndSavesIt)
{
    AgentUser u;
    useEnvironmentOf(u);
    coffer::ui::AppContext context;
    coffer::ui::SettingsDialog dialog(context);
    dialog.show();
    ASSERT_TRUE(dialog.keepKeysBox());
    EXPECT_TRUE(dialog.keepKeysBox()->isChecked());
    EXPECT_EQ(dialog.keepKeysBox()->text().toStdString(),
              "&Keep the keys unlocked for other Coffer windows and commands");
    if (const char* dir = std::getenv("COFFER_SCREENSHOT_DIR"))
        dialog.grab().save(QString::fromLocal8Bit(dir) + QStringLiteral("/settings-keep-keys.png"));
    dialog.keepKeysBox()->setChecked(false);
    dialog.accept();
    EXPECT_FALSE(context.settings().keepKeysForOthers());
    coffer::ui::AppContext again;
    EXPECT_FALSE(again.settings().keepKeysForOthers()) << "not saved";
}

TEST_F(AgentStartTest, AWindowOpenedWhileTheAgentRunsAsksNoPassphraseAndSignsThroughIt)
{
    AgentUser u;
    writeFile(u.root / "letter.txt", "Dear Bob\n");
    const Outcome unlocked = u.unlock("--idle-timeout 600");
    ASSERT_EQ(unlocked.code, kExitOk) << unlocked.output;
    const fs::path socket = socketOf(u);
    const pid_t pid = agentPid(socket);
    ASSERT_GT(pid, 0);

    coffer::ui::AppContext context;
    coffer::ui::AppController controller(context);
    controller.start();
    EXPECT_EQ(controller.gateDialog(), nullptr) << "asked for the passphrase although the agent is unlocked";
    const coffer::Keyring* held = context.keyring().keyring();
    ASSERT_NE(held, nullptr);
    EXPECT_TRUE(held->isHeld()) << "the secret keys must stay in the agent";
    EXPECT_EQ(held->identity(), nullptr);

    // Signed encryption: the agent signs; the signature verifies for the CLI.
    const fs::path out = u.root / "letter.coffer";
    {
        coffer::ui::EncryptDialog dialog(context, {QString::fromStdString((u.root / "letter.txt").string())});
        dialog.show();
        EXPECT_TRUE(dialog.options()->sign()) << "signing must stay possible through the agent";
        dialog.options()->setOutputPath(QString::fromStdString(out.string()));
        QSignalSpy finished(dialog.runner(), &coffer::ui::JobRunner::finished);
        QTest::mouseClick(dialog.encryptButton(), Qt::LeftButton);
        ASSERT_TRUE(waitFor(finished));
        ASSERT_TRUE(dialog.runner()->outcome().ok()) << dialog.progressView()->resultText().toStdString();
    }
    const Outcome dec = u.runWithPassphrase("decrypt -o " + q(u.root / "out") + " " + q(out));
    ASSERT_EQ(dec.code, kExitOk) << dec.output;
    EXPECT_TRUE(contains(dec.output, "signed by you")) << dec.output;
    EXPECT_EQ(readFile(u.root / "out" / "letter.txt"), "Dear Bob\n");

    // Changes need the passphrase: said plainly, nothing saved.
    QSignalSpy updated(&context.keyring(), &KeyringSession::updateFinished);
    context.keyring().update([](coffer::Keyring&) { return coffer::Status::success(); });
    ASSERT_EQ(updated.count(), 1);
    EXPECT_FALSE(updated.first().at(0).toBool());
    EXPECT_TRUE(updated.first().at(1).toString().contains("unlock it with your passphrase"))
        << updated.first().at(1).toString().toStdString();

    controller.lock();
    EXPECT_TRUE(eventually([&] { return !running(pid); })) << "the agent still runs after the window locked";
}

TEST_F(AgentStartTest, AWindowOpenedThroughTheAgentLocksWhenTheAgentLocksAndSaysWhy)
{
    AgentUser u;
    const Outcome unlocked = u.unlock("--idle-timeout 600");
    ASSERT_EQ(unlocked.code, kExitOk) << unlocked.output;
    useEnvironmentOf(u);
    coffer::ui::AppContext context;
    coffer::ui::AppController controller(context);
    ASSERT_NO_FATAL_FAILURE(startThroughAgent(controller));
    ASSERT_TRUE(context.keyring().isUnlocked());

    // The agent locks on its own (here `coffer lock`; its idle time or the screen lock alike).
    const Outcome lock = u.run("lock");
    ASSERT_EQ(lock.code, kExitOk) << lock.output;
    EXPECT_TRUE(QTest::qWaitFor([&] { return !context.keyring().isUnlocked(); }, 5000))
        << "the window still shows itself unlocked with no agent behind it";
    auto* gate = qobject_cast<coffer::ui::UnlockDialog*>(controller.gateDialog());
    ASSERT_NE(gate, nullptr) << "no passphrase asked after the agent locked";
    EXPECT_TRUE(gate->messageText().contains("key agent")) << gate->messageText().toStdString();
    if (const char* shots = std::getenv("COFFER_TEST_SHOTS")) { // a picture to look at
        QTest::qWait(100);
        gate->grab().save(QString::fromLocal8Bit(shots) + QStringLiteral("/unlock-after-agent-locked.png"));
    }
}

TEST_F(AgentStartTest, AnAgeFileOpensInAWindowUnlockedThroughTheAgent)
{
    if (coffer::test::runCommand("command -v age >/dev/null") != 0)
        GTEST_SKIP() << "age is not installed (Debian package \"age\")";
    AgentUser u;
    const fs::path sealed = u.ageFile("notes.txt", "for age users too\n");
    const Outcome unlocked = u.unlock("--idle-timeout 600");
    ASSERT_EQ(unlocked.code, kExitOk) << unlocked.output;

    useEnvironmentOf(u);
    coffer::ui::AppContext context;
    coffer::ui::AppController controller(context);
    ASSERT_NO_FATAL_FAILURE(startThroughAgent(controller));
    auto* window = new coffer::ui::ContainerWindow(context, QString::fromStdString(sealed.string()));
    QSignalSpy loaded(window, &coffer::ui::ContainerWindow::loadFinished);
    window->show();
    ASSERT_TRUE(waitFor(loaded));
    EXPECT_TRUE(loaded.first().at(0).toBool()) << window->messageText().toStdString();
    EXPECT_EQ(window->model()->entryCount(), 1) << window->messageText().toStdString();
    EXPECT_EQ(window->model()->archivePath(window->model()->index(0, 0)), "notes.txt");
    delete window;
    EXPECT_EQ(u.run("lock").code, kExitOk);
}

} // namespace
