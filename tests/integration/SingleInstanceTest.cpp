// Several quick launches end in one window: SingleInstance hands the
// arguments of later launches to the running instance over a local socket.
#include "SingleInstance.h"
#include "TestSupport.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QLocalServer>
#include <QProcess>

#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <memory>
#include <sys/socket.h>
#include <sys/un.h>
#include <thread>
#include <unistd.h>

namespace coffer::ui {
namespace {

QCoreApplication* app()
{
    static int argc = 1;
    static char name[] = "single_instance_test";
    static char* argv[] = {name, nullptr};
    static QCoreApplication instance(argc, argv);
    return &instance;
}

/// Runs the event loop until `done` or `ms` passed.
template <typename Done> bool spinUntil(Done done, int ms = 10'000)
{
    QElapsedTimer t;
    t.start();
    while (!done() && t.elapsed() < ms)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
    return done();
}

/// A server name of our own (a socket path in a fresh folder), so that tests
/// never meet a real Coffer.
struct Name {
    test::TempDir dir;
    QString name = QString::fromStdString((dir / "coffer-test.sock").string());
};

TEST(SingleInstance, DefaultNameDependsOnTheDataFolder)
{
    app();
    test::TempDir a;
    test::TempDir b;
    ::setenv("COFFER_HOME", a.path().c_str(), 1);
    const QString first = SingleInstance::defaultServerName();
    EXPECT_EQ(SingleInstance::defaultServerName(), first);
    ::setenv("COFFER_HOME", b.path().c_str(), 1);
    EXPECT_NE(SingleInstance::defaultServerName(), first);
    ::unsetenv("COFFER_HOME");
    EXPECT_TRUE(QFileInfo(first).fileName().startsWith(QLatin1String("coffer-")));
}

TEST(SingleInstance, NobodyRunningMeansNobodyTakesThem)
{
    app();
    Name n;
    EXPECT_FALSE(SingleInstance::sendToRunning({QStringLiteral("/x")}, n.name, 1000));
}

TEST(SingleInstance, TwoQuickLaunchesReachOneReceiverTogether)
{
    app();
    Name n;
    SingleInstance server(n.name, nullptr);
    // Wider than the default 300 ms so that a loaded test machine cannot split the pair.
    server.setCoalescingInterval(1000);
    ASSERT_TRUE(server.listen());
    std::vector<QStringList> received;
    QObject::connect(&server, &SingleInstance::argumentsReceived,
                     [&](const QStringList& args) { received.push_back(args); });

    // Two launches at once, as a file manager starting Coffer per file does.
    std::atomic<int> finished{0};
    std::atomic<int> taken{0};
    const QStringList one{QStringLiteral("/home/ann/one.txt")};
    const QStringList two{QStringLiteral("/home/ann/two words.txt"), QStringLiteral("/home/ann/three.txt")};
    std::thread first([&] {
        taken += SingleInstance::sendToRunning(one, n.name) ? 1 : 0;
        ++finished;
    });
    std::thread second([&] {
        taken += SingleInstance::sendToRunning(two, n.name) ? 1 : 0;
        ++finished;
    });
    const bool done = spinUntil([&] { return finished == 2 && !received.empty(); });
    first.join();
    second.join();
    ASSERT_TRUE(done);
    EXPECT_EQ(taken, 2);
    spinUntil([] { return false; }, 1200); // longer than the coalescing interval: nothing else may arrive

    ASSERT_EQ(received.size(), 1u) << "the two launches were not delivered together";
    const QStringList all = received[0];
    ASSERT_EQ(all.size(), 3);
    // Each launch's files stay together and in order; which launch came first is up to the scheduler.
    EXPECT_TRUE(all == one + two || all == two + one) << all.join(QLatin1Char('|')).toStdString();
}

TEST(SingleInstance, WithoutCoalescingEachLaunchArrivesOnItsOwn)
{
    app();
    Name n;
    SingleInstance server(n.name, nullptr);
    server.setCoalescingInterval(0);
    ASSERT_TRUE(server.listen());
    std::vector<QStringList> received;
    QObject::connect(&server, &SingleInstance::argumentsReceived,
                     [&](const QStringList& args) { received.push_back(args); });
    std::atomic<bool> ok{false};
    std::thread t([&] { ok = SingleInstance::sendToRunning({}, n.name); }); // a plain "coffer": show yourself
    ASSERT_TRUE(spinUntil([&] { return !received.empty(); }));
    t.join();
    EXPECT_TRUE(ok);
    EXPECT_EQ(received, std::vector<QStringList>{QStringList()});
}

TEST(SingleInstance, OnlyOneInstanceListens)
{
    app();
    Name n;
    SingleInstance a(n.name, nullptr);
    SingleInstance b(n.name, nullptr);
    ASSERT_TRUE(a.listen());
    EXPECT_FALSE(b.listen());
    EXPECT_FALSE(b.isListening());
}

TEST(SingleInstance, ASocketLeftByACrashIsReplaced)
{
    app();
    Name n;
    // A bound, never-listening, closed socket file: what a killed instance leaves.
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    ASSERT_GE(fd, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    const QByteArray path = QFile::encodeName(n.name);
    std::memcpy(addr.sun_path, path.constData(), static_cast<std::size_t>(path.size()));
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    ::close(fd);
    ASSERT_TRUE(QFile::exists(n.name));
    EXPECT_FALSE(SingleInstance::sendToRunning({QStringLiteral("/x")}, n.name, 1000));
    SingleInstance server(n.name, nullptr);
    EXPECT_TRUE(server.listen());
}

TEST(SingleInstance, TheSocketIsTheUsersOnly)
{
    app();
    Name n;
    SingleInstance server(n.name, nullptr);
    ASSERT_TRUE(server.listen());
    const QFileInfo info(n.name);
    EXPECT_EQ(info.permissions() & (QFile::ReadGroup | QFile::WriteGroup | QFile::ReadOther | QFile::WriteOther),
              QFileDevice::Permissions());
}

TEST(SingleInstance, ManyLaunchesAtOnceEndInOneInstance)
{
    app();
    Name n;
    test::TempDir out;
    constexpr int kLaunches = 6;
    std::vector<std::unique_ptr<QProcess>> launches;
    for (int i = 0; i < kLaunches; ++i) {
        auto p = std::make_unique<QProcess>();
        p->setProcessChannelMode(QProcess::ForwardedChannels);
        p->start(QStringLiteral(SINGLE_INSTANCE_HELPER),
                 {n.name, QString::fromStdString(out.path().string()), QString::number(kLaunches),
                  QStringLiteral("/files/launch %1.txt").arg(i)});
        launches.push_back(std::move(p));
    }
    for (auto& p : launches) {
        ASSERT_TRUE(p->waitForFinished(30'000));
        EXPECT_EQ(p->exitCode(), 0);
    }
    QStringList servers;
    int forwarded = 0;
    for (const QString& f : QDir(QString::fromStdString(out.path().string())).entryList(QDir::Files)) {
        if (f.startsWith(QLatin1String("server-")))
            servers << f;
        else if (f.startsWith(QLatin1String("forwarded-")))
            ++forwarded;
    }
    ASSERT_EQ(servers.size(), 1) << "more than one instance";
    EXPECT_EQ(forwarded, kLaunches - 1);
    QFile f(QString::fromStdString(out.path().string()) + QLatin1Char('/') + servers[0]);
    ASSERT_TRUE(f.open(QIODevice::ReadOnly));
    QStringList lines = QString::fromUtf8(f.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    ASSERT_FALSE(lines.isEmpty());
    lines.removeFirst(); // the number of deliveries
    lines.sort();
    QStringList expected;
    for (int i = 0; i < kLaunches; ++i)
        expected << QStringLiteral("/files/launch %1.txt").arg(i);
    EXPECT_EQ(lines, expected);
}

} // namespace
} // namespace coffer::ui
