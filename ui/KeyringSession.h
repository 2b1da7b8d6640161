// The unlocked keyring of this GUI session. Every Argon2id run (unlock,
// create, save) happens off the GUI thread; results come back as signals.
//
// While unlocked, the keyring passphrase is kept in wiped memory so that
// changes (a new contact, a verification) can be saved without asking again;
// lock() drops it together with the keyring.
#pragma once

#include "Keyring.h"
#include "KeyringStore.h"

#include <QObject>

class QFileSystemWatcher;

#include <filesystem>
#include <functional>
#include <optional>

namespace coffer::ui {

class KeyringSession : public QObject {
    Q_OBJECT

public:
    explicit KeyringSession(std::filesystem::path dataDir, QObject* parent = nullptr);
    ~KeyringSession() override;

    bool exists() const;
    bool isUnlocked() const { return m_keyring.has_value(); }
    bool isBusy() const { return m_busy; }
    /// The unlocked keyring, or null when locked. Never handed to worker threads.
    const Keyring* keyring() const { return m_keyring ? &*m_keyring : nullptr; }
    std::filesystem::path keyringPath() const;

    void unlock(crypto::SecureString passphrase);
    /// Unlocks with the keyring a running key agent holds (its public parts
    /// here, its secrets there), with no passphrase; false if none answers.
    /// Changes to the keyring then need a passphrase unlock. The agent's
    /// socket is then watched: once it is gone (the agent locked on its idle
    /// time, the screen lock or `coffer lock`), agentLocked() is emitted and
    /// the session locks.
    bool unlockThroughAgent();
    /// Saves a new keyring; on success the session is unlocked with it.
    void create(Keyring keyring, crypto::SecureString passphrase);
    /// Reloads under the store's lock, applies `change` and saves. `change`
    /// runs on a worker thread: capture by value.
    void update(std::function<Status(Keyring&)> change);
    /// Drops the keyring and the passphrase from memory.
    void lock();
    /// Starts the key agent (`program unlock`, app/agent/AgentLauncher) with
    /// this session's passphrase, off the GUI thread, so that other windows
    /// and commands need none; agentStarted() says how it went. An agent that
    /// comes up after lock() is locked at once. Nothing without a passphrase.
    void startAgent(std::filesystem::path program);

    /// Tests: cheap Argon2id settings for every keyring this process saves.
    static void setKdfParamsForTests(std::optional<crypto::Argon2Params> params);
    static std::optional<crypto::Argon2Params> kdfParamsForTests();

signals:
    /// `message` is the error in plain words (empty on success).
    void unlockFinished(bool ok, const QString& message);
    void createFinished(bool ok, const QString& message);
    void updateFinished(bool ok, const QString& message);
    void unlocked(bool fromBackup);
    void locked();
    /// Unlocked, locked or changed: views re-read keyring().
    void keyringChanged();
    void busyChanged(bool busy);
    void agentStarted(bool ok);
    /// The agent this session was unlocked through has locked (emitted before
    /// the session locks itself, so that the app can lock its windows and say why).
    void agentLocked();

private:
    KeyringStore makeStore() const;
    void setBusy(bool busy);
    void watchAgent();
    void checkAgent();

    std::filesystem::path m_dataDir;
    std::optional<Keyring> m_keyring;
    std::optional<crypto::SecureString> m_passphrase;
    QFileSystemWatcher* m_agentWatch = nullptr; // while unlocked through the agent
    std::filesystem::path m_agentSocket;
    bool m_busy = false;
    quint64 m_generation = 0; // bumped by lock(): late results of older work are dropped
};

} // namespace coffer::ui
