#include "SingleInstance.h"

#include "Paths.h"

#include <QCryptographicHash>
#include <QDataStream>
#include <QDir>
#include <QLocalServer>
#include <QLocalSocket>
#include <QLockFile>

#include <cstdlib>
#include <filesystem>

#if defined(Q_OS_UNIX)
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>
#endif

namespace coffer::ui {

namespace {

constexpr quint32 kMagic = 0xC0FFE001; // "Coffer hand-off, version 1"
constexpr char kAck = 'A';
constexpr qint64 kMaxMessage = 64 * 1024 * 1024;
constexpr int kSilentClientMs = 10'000;
constexpr int kBurstDeadlineMs = 2'000;

/// True if the process at the other end of `socket` runs as this user.
bool peerIsSameUser(const QLocalSocket& socket)
{
#if defined(Q_OS_LINUX)
    struct ucred cred {};
    socklen_t len = sizeof cred;
    if (::getsockopt(static_cast<int>(socket.socketDescriptor()), SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0)
        return false;
    return cred.uid == ::getuid();
#elif defined(Q_OS_UNIX)
    uid_t uid = 0;
    gid_t gid = 0;
    if (::getpeereid(static_cast<int>(socket.socketDescriptor()), &uid, &gid) != 0)
        return false;
    return uid == ::getuid();
#else
    Q_UNUSED(socket);
    return true; // the pipe's access list admits only this user (UserAccessOption)
#endif
}

QString lockPathFor(const QString& serverName)
{
    if (QDir::isAbsolutePath(serverName))
        return serverName + QStringLiteral(".lock");
    return QDir::tempPath() + QLatin1Char('/') + serverName + QStringLiteral(".lock");
}

/// True if an instance of this user answers on `name`.
bool someoneListens(const QString& name)
{
    QLocalSocket probe;
    probe.connectToServer(name);
    if (!probe.waitForConnected(1000))
        return false;
    const bool same = peerIsSameUser(probe);
    probe.abort(); // the server drops a connection that sends nothing
    return same;
}

} // namespace

SingleInstance::SingleInstance(QObject* parent) : SingleInstance(defaultServerName(), parent) {}

SingleInstance::SingleInstance(const QString& serverName, QObject* parent)
    : QObject(parent), m_name(serverName), m_server(new QLocalServer(this))
{
    connect(m_server, &QLocalServer::newConnection, this, &SingleInstance::onNewConnection);
    m_quiet.setSingleShot(true);
    m_quiet.setInterval(300);
    m_deadline.setSingleShot(true);
    m_deadline.setInterval(kBurstDeadlineMs);
    connect(&m_quiet, &QTimer::timeout, this, &SingleInstance::flush);
    connect(&m_deadline, &QTimer::timeout, this, &SingleInstance::flush);
}

SingleInstance::~SingleInstance()
{
    m_server->close(); // removes the socket file on Unix
}

QString SingleInstance::defaultServerName()
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
#if defined(Q_OS_UNIX)
    hash.addData(QByteArray::number(static_cast<qulonglong>(::getuid())));
#else
    hash.addData(qEnvironmentVariable("USERDOMAIN").toUtf8() + '\\' + qEnvironmentVariable("USERNAME").toUtf8());
#endif
    hash.addData(QByteArray(1, '\0'));
    std::error_code ec;
    const auto dataDir = std::filesystem::weakly_canonical(resolveDataLocations().dataDir, ec);
    hash.addData(QByteArray::fromStdString((ec ? resolveDataLocations().dataDir : dataDir).string()));
    const QString name = QStringLiteral("coffer-") + QString::fromLatin1(hash.result().toHex().left(16));
#if defined(Q_OS_UNIX)
    // A per-user folder keeps others from taking the name first.
    const QString runtime = qEnvironmentVariable("XDG_RUNTIME_DIR");
    const QString dir = !runtime.isEmpty() && QDir(runtime).exists() ? runtime : QDir::tempPath();
    return dir + QLatin1Char('/') + name + QStringLiteral(".sock");
#else
    return name;
#endif
}

bool SingleInstance::sendToRunning(const QStringList& args)
{
    return sendToRunning(args, defaultServerName());
}

bool SingleInstance::sendToRunning(const QStringList& args, const QString& serverName, int timeoutMs)
{
    QLocalSocket socket;
    socket.connectToServer(serverName);
    if (!socket.waitForConnected(timeoutMs) || !peerIsSameUser(socket))
        return false;
    QByteArray message;
    {
        QDataStream out(&message, QIODevice::WriteOnly);
        out.setVersion(QDataStream::Qt_6_0);
        out << kMagic << args;
    }
    if (socket.write(message) != message.size())
        return false;
    while (socket.bytesToWrite() > 0)
        if (!socket.waitForBytesWritten(timeoutMs))
            return false;
    while (socket.bytesAvailable() < 1)
        if (!socket.waitForReadyRead(timeoutMs))
            return false;
    char ack = 0;
    return socket.read(&ack, 1) == 1 && ack == kAck;
}

bool SingleInstance::listen()
{
    if (m_server->isListening())
        return true;
    // Serialise launches that start together: one of them becomes the server,
    // the others find it listening. Without the lock (a slow file system), go on.
    QLockFile lock(lockPathFor(m_name));
    lock.tryLock(3000);
    if (someoneListens(m_name))
        return false;
    QLocalServer::removeServer(m_name); // a crashed instance's socket
    m_server->setSocketOptions(QLocalServer::UserAccessOption);
    return m_server->listen(m_name);
}

bool SingleInstance::isListening() const
{
    return m_server->isListening();
}

void SingleInstance::setCoalescingInterval(int ms)
{
    m_quiet.setInterval(ms);
}

void SingleInstance::onNewConnection()
{
    while (QLocalSocket* socket = m_server->nextPendingConnection()) {
        connect(socket, &QLocalSocket::disconnected, socket, &QObject::deleteLater);
        if (!peerIsSameUser(*socket)) {
            socket->abort();
            continue;
        }
        connect(socket, &QLocalSocket::readyRead, this, [this, socket]() { onReadyRead(socket); });
        QTimer::singleShot(kSilentClientMs, socket, [socket]() { socket->abort(); });
        if (socket->bytesAvailable() > 0)
            onReadyRead(socket);
    }
}

void SingleInstance::onReadyRead(QLocalSocket* socket)
{
    if (socket->bytesAvailable() > kMaxMessage) {
        socket->abort();
        return;
    }
    QDataStream in(socket);
    in.setVersion(QDataStream::Qt_6_0);
    in.startTransaction();
    quint32 magic = 0;
    QStringList args;
    in >> magic >> args;
    if (!in.commitTransaction()) {
        if (in.status() == QDataStream::ReadCorruptData)
            socket->abort();
        return; // wait for the rest
    }
    if (magic != kMagic) {
        socket->abort();
        return;
    }
    socket->write(&kAck, 1);
    socket->flush();
    socket->disconnectFromServer();
    deliver(args);
}

void SingleInstance::deliver(const QStringList& args)
{
    if (m_quiet.interval() <= 0) {
        emit argumentsReceived(args);
        return;
    }
    m_pending += args;
    m_havePending = true;
    m_quiet.start();
    if (!m_deadline.isActive())
        m_deadline.start();
}

void SingleInstance::flush()
{
    m_quiet.stop();
    m_deadline.stop();
    if (!m_havePending)
        return;
    const QStringList args = m_pending;
    m_pending.clear();
    m_havePending = false;
    emit argumentsReceived(args);
}

} // namespace coffer::ui
