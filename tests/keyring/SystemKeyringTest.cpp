// The keyring passphrase in the desktop's keyring (issue 22, item 3;
// app/keyring/SystemKeyring.h), against a real Secret Service: a private
// dbus-daemon and gnome-keyring-daemon (tests/support/SecretService.h). What
// is remembered comes back byte for byte, per keyring file; forgetting
// removes it; an entry no passphrase could be is not handed out.
#include "SystemKeyring.h"
#include "SecretService.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QObject>
#include <QTimer>

using namespace coffer;
using namespace coffer::test;

namespace {

SecretService* g_service = nullptr;

class SecretServiceEnvironment : public ::testing::Environment {
public:
    void SetUp() override { g_service = new SecretService(); }
    void TearDown() override
    {
        delete g_service;
        g_service = nullptr;
    }
};

const auto* const g_environment = ::testing::AddGlobalTestEnvironment(new SecretServiceEnvironment);

QCoreApplication& app()
{
    static int argc = 1;
    static char name[] = "system_keyring_test";
    static char* argv[] = {name, nullptr};
    static QCoreApplication instance(argc, argv);
    return instance;
}

/// Runs the event loop until `finished` is set (at most 20 s).
void waitFor(const bool& finished)
{
    app();
    QEventLoop loop;
    QTimer deadline;
    deadline.setSingleShot(true);
    QObject::connect(&deadline, &QTimer::timeout, &loop, &QEventLoop::quit);
    deadline.start(20000);
    QTimer poll;
    QObject::connect(&poll, &QTimer::timeout, &loop, [&] {
        if (finished)
            loop.quit();
    });
    poll.start(5);
    loop.exec();
    ASSERT_TRUE(finished) << "the system keyring did not answer within 20 s";
}

Result<std::optional<crypto::SecureString>> recallNow(const std::filesystem::path& keyring)
{
    QObject receiver;
    bool finished = false;
    Result<std::optional<crypto::SecureString>> result = makeError(ErrorCode::Internal, "no answer");
    SystemKeyring::recall(keyring, &receiver, [&](Result<std::optional<crypto::SecureString>> r) {
        result = std::move(r);
        finished = true;
    });
    waitFor(finished);
    return result;
}

Status rememberNow(const std::filesystem::path& keyring, const crypto::SecureString& passphrase)
{
    QObject receiver;
    bool finished = false;
    Status status = makeError(ErrorCode::Internal, "no answer");
    SystemKeyring::remember(keyring, passphrase, &receiver, [&](Status s) {
        status = std::move(s);
        finished = true;
    });
    waitFor(finished);
    return status;
}

Status forgetNow(const std::filesystem::path& keyring)
{
    QObject receiver;
    bool finished = false;
    Status status = makeError(ErrorCode::Internal, "no answer");
    SystemKeyring::forget(keyring, &receiver, [&](Status s) {
        status = std::move(s);
        finished = true;
    });
    waitFor(finished);
    return status;
}

TEST(SystemKeyring, WhatIsRememberedComesBackAndForgettingRemovesIt)
{
    TempDir dir;
    const auto keyring = dir / "keyring.coffer";
    const crypto::SecureString passphrase("correct horse \xc3\xbc battery staple");
    auto none = recallNow(keyring);
    ASSERT_TRUE(none.ok()) << none.error().message;
    EXPECT_FALSE(none->has_value()) << "an entry before anything was remembered";

    const Status kept = rememberNow(keyring, passphrase);
    ASSERT_TRUE(kept.ok()) << kept.error().message;
    auto back = recallNow(keyring);
    ASSERT_TRUE(back.ok()) << back.error().message;
    ASSERT_TRUE(back->has_value());
    EXPECT_EQ(**back, passphrase);

    ASSERT_TRUE(forgetNow(keyring).ok());
    auto gone = recallNow(keyring);
    ASSERT_TRUE(gone.ok()) << gone.error().message;
    EXPECT_FALSE(gone->has_value()) << "forget left the entry";
    EXPECT_TRUE(forgetNow(keyring).ok()) << "forgetting nothing is not an error";
}

TEST(SystemKeyring, EachKeyringFileHasAnEntryOfItsOwn)
{
    TempDir a;
    TempDir b;
    ASSERT_TRUE(rememberNow(a / "keyring.coffer", crypto::SecureString("first passphrase")).ok());
    ASSERT_TRUE(rememberNow(b / "keyring.coffer", crypto::SecureString("second passphrase")).ok());
    auto first = recallNow(a / "keyring.coffer");
    auto second = recallNow(b / "keyring.coffer");
    ASSERT_TRUE(first.ok() && second.ok());
    ASSERT_TRUE(first->has_value() && second->has_value());
    EXPECT_EQ(**first, crypto::SecureString("first passphrase"));
    EXPECT_EQ(**second, crypto::SecureString("second passphrase"));
    // The same file named another way is the same entry.
    auto again = recallNow(a.path() / "." / "keyring.coffer");
    ASSERT_TRUE(again.ok() && again->has_value());
    EXPECT_EQ(**again, crypto::SecureString("first passphrase"));
    ASSERT_TRUE(forgetNow(a / "keyring.coffer").ok());
    ASSERT_TRUE(forgetNow(b / "keyring.coffer").ok());
}

TEST(SystemKeyring, AnEntryLongerThanAnyPassphraseIsNotHandedOut)
{
    // Anything in the session may write an entry under Coffer's name.
    TempDir dir;
    const auto keyring = dir / "keyring.coffer";
    ASSERT_TRUE(rememberNow(keyring, crypto::SecureString(5000, 'x')).ok());
    auto recalled = recallNow(keyring);
    ASSERT_TRUE(recalled.ok()) << recalled.error().message;
    EXPECT_FALSE(recalled->has_value());
    ASSERT_TRUE(forgetNow(keyring).ok());
}

} // namespace

namespace {

TEST(SystemKeyring, TheTestsOwnBusStartsNoServiceOfTheUsers)
{
    // A bus that started services would run the user's gnome-keyring-daemon,
    // with the user's HOME, for the first test that asked before the test's
    // own daemon owned its name (CI saw one: "Object does not exist at path
    // /org/freedesktop/secrets/collection/login").
    PrivateBus bus;
    std::string out;
    const int code =
        runCommand("dbus-send --bus=" + shellQuote(bus.address()) +
                       " --print-reply --dest=org.freedesktop.DBus / "
                       "org.freedesktop.DBus.StartServiceByName string:org.freedesktop.secrets uint32:0 2>&1",
                   &out);
    EXPECT_NE(code, 0) << "the bus started a service of its own: " << out;
    EXPECT_NE(out.find("ServiceUnknown"), std::string::npos) << out;
}

TEST(SystemKeyring, TheServiceIsReadyWhenTheTestsBegin)
{
    ASSERT_NE(g_service, nullptr);
    EXPECT_TRUE(g_service->loginCollectionUnlocked(std::chrono::milliseconds(0)));
}

} // namespace
