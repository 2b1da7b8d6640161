// With no Secret Service at all (the session bus address leads nowhere),
// remembering the keyring passphrase fails with a plain error, quickly, and
// writes nothing anywhere (docs/SECURITY.md "The passphrase in the system
// keyring"). (qtkeychain's plain-file fallback, which SystemKeyring turns
// off, would only be used where neither libsecret nor KWallet is found; with
// libsecret present, as here, the error comes first either way.) A program
// of its own: Qt and libsecret reach the session bus once per process.
#include "SystemKeyring.h"
#include "TestSupport.h"

#include <gtest/gtest.h>

#include <QCoreApplication>
#include <QThread>

#include <chrono>
#include <cstdlib>

using namespace coffer;
using namespace coffer::test;

namespace {

/// Runs the event loop until `done` is set (at most 20 s).
bool waitFor(const bool& done)
{
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!done && std::chrono::steady_clock::now() < deadline) {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 10);
        QThread::msleep(2);
    }
    return done;
}

TEST(SystemKeyringAbsent, RememberingFailsQuicklySaysWhyAndWritesNothing)
{
    TempDir dir;
    const auto home = dir / "home";
    std::filesystem::create_directories(home);
    ::setenv("HOME", home.c_str(), 1);
    ::setenv("XDG_CONFIG_HOME", (home / "config").c_str(), 1);
    ::setenv("XDG_DATA_HOME", (home / "data").c_str(), 1);
    ::setenv("DBUS_SESSION_BUS_ADDRESS", ("unix:path=" + (dir / "no-bus").string()).c_str(), 1);
    int argc = 1;
    char name[] = "system_keyring_absent_test";
    char* argv[] = {name, nullptr};
    QCoreApplication app(argc, argv);

    QObject receiver;
    const auto keyring = dir / "keyring.coffer";
    const auto started = std::chrono::steady_clock::now();
    bool kept = false;
    Status keptStatus = Status::success();
    SystemKeyring::remember(keyring, crypto::SecureString("a passphrase"), &receiver, [&](Status s) {
        keptStatus = std::move(s);
        kept = true;
    });
    ASSERT_TRUE(waitFor(kept)) << "no answer without a Secret Service";
    EXPECT_FALSE(keptStatus.ok()) << "kept with no Secret Service: where?";
    if (!keptStatus.ok()) {
        EXPECT_FALSE(keptStatus.error().message.empty()) << "an error with no words";
    }

    bool recalled = false;
    Result<std::optional<crypto::SecureString>> recall = std::optional<crypto::SecureString>();
    SystemKeyring::recall(keyring, &receiver, [&](Result<std::optional<crypto::SecureString>> r) {
        recall = std::move(r);
        recalled = true;
    });
    ASSERT_TRUE(waitFor(recalled));
    EXPECT_FALSE(recall.ok() && recall->has_value()) << "a passphrase came back from nowhere";
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5)) << "the dialog would wait";

    EXPECT_EQ(listTree(dir.path()), std::vector<std::string>{"home/"}) << "something was written";
}

} // namespace
