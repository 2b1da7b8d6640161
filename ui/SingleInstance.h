// One running Coffer per user and data folder: a later launch hands its files
// to the running instance over a local socket and exits, so that a file
// manager starting Coffer once per selected file (Explorer does) still ends in
// one window.
//
//   if (SingleInstance::sendToRunning(files)) return 0;          // someone took them
//   SingleInstance single;
//   if (!single.listen() && SingleInstance::sendToRunning(files)) return 0; // lost a race
//   connect(&single, &SingleInstance::argumentsReceived, ...);
//
// The server name comes from the user and the data folder (a hash of both), so
// a portable copy and an installed one, or two users, never meet. On Unix the
// socket lives in $XDG_RUNTIME_DIR (else the temporary folder) with owner-only
// access, and both ends check that the peer runs as the same user.
//
// Launches that arrive together (within the coalescing interval of each other)
// are delivered as one argumentsReceived, in order of arrival.
#pragma once

#include <QObject>
#include <QStringList>
#include <QTimer>

class QLocalServer;
class QLocalSocket;

namespace coffer::ui {

class SingleInstance : public QObject {
    Q_OBJECT

public:
    /// Uses defaultServerName().
    explicit SingleInstance(QObject* parent = nullptr);
    SingleInstance(const QString& serverName, QObject* parent);
    ~SingleInstance() override;

    /// "coffer-" and a hash of the user and the data folder; on Unix a full
    /// socket path in $XDG_RUNTIME_DIR (or the temporary folder).
    static QString defaultServerName();

    /// Hands `args` to a running instance. True if one took them (it acknowledged).
    static bool sendToRunning(const QStringList& args);
    static bool sendToRunning(const QStringList& args, const QString& serverName, int timeoutMs = 5000);

    /// Becomes the running instance. False if another instance already listens
    /// (then hand the arguments to it with sendToRunning) or the socket could not
    /// be made. A socket left by a crashed instance is replaced.
    bool listen();
    bool isListening() const;
    QString serverName() const { return m_name; }

    /// Quiet time that ends a burst of launches (default 300 ms); a burst is
    /// delivered at the latest 2 s after it began. 0 delivers each launch alone.
    void setCoalescingInterval(int ms);

signals:
    /// The arguments of one or more later launches (possibly empty: "show yourself").
    void argumentsReceived(const QStringList& args);

private:
    void onNewConnection();
    void onReadyRead(QLocalSocket* socket);
    void deliver(const QStringList& args);
    void flush();

    QString m_name;
    QLocalServer* m_server;
    QStringList m_pending;
    bool m_havePending = false;
    QTimer m_quiet;
    QTimer m_deadline;
};

} // namespace coffer::ui
