#include "KeyringSession.h"

#include "AgentClient.h"
#include "AgentLauncher.h"
#include "AgentSocket.h"
#include "Background.h"
#include "ErrorText.h"

#include <QFileSystemWatcher>
#include <QTimer>

#include <utility>

namespace coffer::ui {

namespace {

std::optional<crypto::Argon2Params>& testKdf()
{
    static std::optional<crypto::Argon2Params> params;
    return params;
}

} // namespace

KeyringSession::KeyringSession(std::filesystem::path dataDir, QObject* parent)
    : QObject(parent), m_dataDir(std::move(dataDir))
{}

KeyringSession::~KeyringSession() = default;

void KeyringSession::setKdfParamsForTests(std::optional<crypto::Argon2Params> params)
{
    testKdf() = params;
}

std::optional<crypto::Argon2Params> KeyringSession::kdfParamsForTests()
{
    return testKdf();
}

KeyringStore KeyringSession::makeStore() const
{
    KeyringStore store(m_dataDir);
    if (testKdf())
        store.setKdfParams(*testKdf());
    return store;
}

bool KeyringSession::exists() const
{
    return makeStore().exists();
}

std::filesystem::path KeyringSession::keyringPath() const
{
    return makeStore().path();
}

void KeyringSession::setBusy(bool busy)
{
    if (m_busy == busy)
        return;
    m_busy = busy;
    emit busyChanged(busy);
}

void KeyringSession::unlock(crypto::SecureString passphrase)
{
    setBusy(true);
    auto pass = std::make_shared<crypto::SecureString>(std::move(passphrase));
    KeyringStore store = makeStore();
    const quint64 generation = m_generation;
    runInBackground(
        this, [store, pass]() { return store.load(*pass); },
        [this, pass, generation](Result<LoadedKeyring> loaded) {
            setBusy(false);
            if (generation != m_generation)
                return;
            if (!loaded.ok()) {
                emit unlockFinished(false, ErrorText::describeKeyringError(loaded.error()).text());
                return;
            }
            m_keyring = std::move(loaded->keyring);
            m_passphrase = std::move(*pass);
            emit unlockFinished(true, QString());
            emit unlocked(loaded->fromBackup);
            emit keyringChanged();
        });
}

bool KeyringSession::unlockThroughAgent()
{
    if (isUnlocked() || m_busy)
        return isUnlocked();
    auto held = agent::keyringFromAgent(keyringPath());
    if (!held)
        return false;
    ++m_generation;
    m_keyring = std::move(*held);
    m_passphrase.reset();
    watchAgent();
    emit unlocked(false);
    emit keyringChanged();
    return true;
}

void KeyringSession::watchAgent()
{
    auto socket = agent::agentSocketPath(keyringPath(), false);
    if (!socket.ok())
        return;
    m_agentSocket = *socket;
    // The agent removes its socket when it locks, before it answers a Lock:
    // its folder changes. Nothing is asked of the agent here, so watching
    // does not keep it from its idle lock.
    m_agentWatch = new QFileSystemWatcher(this);
    connect(m_agentWatch, &QFileSystemWatcher::directoryChanged, this, &KeyringSession::checkAgent);
    if (!m_agentWatch->addPath(QString::fromStdString(m_agentSocket.parent_path().string()))) {
        // No inotify watch to be had (the system's limit): look every few seconds instead.
        auto* poll = new QTimer(m_agentWatch);
        connect(poll, &QTimer::timeout, this, &KeyringSession::checkAgent);
        poll->start(3000);
    }
    // Gone already, before the watch began: looked at once this unlock has been reported.
    QMetaObject::invokeMethod(this, &KeyringSession::checkAgent, Qt::QueuedConnection);
}

void KeyringSession::checkAgent()
{
    std::error_code ec;
    if (!m_agentWatch || std::filesystem::exists(m_agentSocket, ec))
        return;
    std::exchange(m_agentWatch, nullptr)->deleteLater(); // it is the sender
    emit agentLocked();
    if (isUnlocked())
        lock();
}

void KeyringSession::create(Keyring keyring, crypto::SecureString passphrase)
{
    setBusy(true);
    auto pass = std::make_shared<crypto::SecureString>(std::move(passphrase));
    auto fresh = std::make_shared<Keyring>(std::move(keyring));
    KeyringStore store = makeStore();
    runInBackground(
        this, [store, pass, fresh]() mutable { return store.create(*fresh, *pass); },
        [this, pass, fresh](Status st) {
            setBusy(false);
            if (!st.ok()) {
                emit createFinished(false, ErrorText::describe(st.error()).text());
                return;
            }
            ++m_generation;
            m_keyring = std::move(*fresh);
            m_passphrase = std::move(*pass);
            emit createFinished(true, QString());
            emit unlocked(false);
            emit keyringChanged();
        });
}

void KeyringSession::update(std::function<Status(Keyring&)> change)
{
    if (!m_passphrase) {
        emit updateFinished(false, isUnlocked() ? tr("Coffer was unlocked by another Coffer window or command, so it "
                                                     "cannot save changes. Lock Coffer, unlock it with your "
                                                     "passphrase, then try again.")
                                                : tr("The keyring is locked. Unlock it, then try again."));
        return;
    }
    setBusy(true);
    auto pass = std::make_shared<crypto::SecureString>(*m_passphrase);
    KeyringStore store = makeStore();
    const quint64 generation = m_generation;
    runInBackground(
        this, [store, pass, change]() mutable { return store.update(*pass, change); },
        [this, generation](Result<Keyring> saved) {
            setBusy(false);
            if (!saved.ok()) {
                emit updateFinished(false, ErrorText::describe(saved.error()).text());
                return;
            }
            if (generation == m_generation)
                m_keyring = std::move(*saved);
            emit updateFinished(true, QString());
            emit keyringChanged();
        });
}

void KeyringSession::startAgent(std::filesystem::path program)
{
    if (!m_passphrase)
        return;
    auto pass = std::make_shared<crypto::SecureString>(*m_passphrase);
    const quint64 generation = m_generation;
    const std::filesystem::path keyring = keyringPath();
    runInBackground(
        this, [program, pass]() { return agent::unlockAgentWith(program, *pass); },
        [this, generation, keyring](Result<int> code) {
            const bool ok = code.ok() && *code == 0;
            if (ok && generation != m_generation)
                agent::lockAgentOf(keyring); // locked while the agent started: it must not outlive the lock
            emit agentStarted(ok && generation == m_generation);
        });
}

void KeyringSession::lock()
{
    if (m_agentWatch)
        std::exchange(m_agentWatch, nullptr)->deleteLater();
    ++m_generation;
    const bool wasUnlocked = isUnlocked();
    m_keyring.reset();
    m_passphrase.reset();
    if (wasUnlocked) {
        emit locked();
        emit keyringChanged();
    }
}

} // namespace coffer::ui
