#include "SystemKeyring.h"

#include <QObject>
#include <QPointer>
#include <qt6keychain/keychain.h>

namespace coffer::SystemKeyring {

namespace {

const QString kService = QStringLiteral("Coffer");
// An entry longer than any passphrase Coffer takes is not ours to try
// (anything in the session can write an entry under our name).
constexpr qsizetype kMaxEntry = 4096;

/// Wipes a QByteArray's buffer where it is, shared or not: a copy handed out
/// by qtkeychain shares its buffer with the job, so the job's copy goes too.
void wipeShared(const QByteArray& bytes)
{
    if (!bytes.isEmpty())
        crypto::secureWipe(const_cast<char*>(bytes.constData()), static_cast<std::size_t>(bytes.size()));
}

/// qtkeychain's own words (the caller says what it was doing).
Error jobError(const QKeychain::Job& job)
{
    const std::string why = job.errorString().toStdString();
    return makeError(ErrorCode::Io, why.empty() ? "the system keyring did not answer" : why);
}

/// A job on this keyring file's entry. The entry is named by the file's
/// absolute path, so that two keyrings (two COFFER_HOMEs) never share one.
template <typename Job> Job* jobFor(const std::filesystem::path& keyringFile)
{
    std::error_code ec;
    const auto absolute = std::filesystem::absolute(keyringFile, ec);
    auto* job = new Job(kService);
    job->setKey(QStringLiteral("keyring passphrase: ") +
                QString::fromStdString((ec ? keyringFile : absolute).lexically_normal().string()));
    return job;
}

/// Runs `then` when `job` finishes, if `receiver` still lives; the job deletes itself.
template <typename Then> void whenFinished(QKeychain::Job* job, QObject* receiver, Then then)
{
    job->setAutoDelete(true);
    job->setInsecureFallback(false); // never a plain file beside the keyring
    QObject::connect(job, &QKeychain::Job::finished, receiver,
                     [then = std::move(then)](QKeychain::Job* j) { then(*j); });
}

} // namespace

void recall(const std::filesystem::path& keyringFile, QObject* receiver, Recalled done)
{
    auto* job = jobFor<QKeychain::ReadPasswordJob>(keyringFile);
    whenFinished(job, receiver, [done = std::move(done)](QKeychain::Job& j) {
        auto& read = static_cast<QKeychain::ReadPasswordJob&>(j);
        if (read.error() == QKeychain::EntryNotFound) {
            done(std::optional<crypto::SecureString>());
            return;
        }
        if (read.error() != QKeychain::NoError) {
            done(jobError(read));
            return;
        }
        const QByteArray bytes = read.binaryData();
        std::optional<crypto::SecureString> passphrase;
        if (!bytes.isEmpty() && bytes.size() <= kMaxEntry)
            passphrase.emplace(bytes.constData(), static_cast<std::size_t>(bytes.size()));
        wipeShared(bytes);
        done(std::move(passphrase));
    });
    job->start();
}

void remember(const std::filesystem::path& keyringFile, const crypto::SecureString& passphrase, QObject* receiver,
              Done done)
{
    // The job reads our own wiped buffer (fromRawData: no copy of ours);
    // it lives until the job has finished.
    auto held = std::make_shared<crypto::SecureString>(passphrase);
    auto* job = jobFor<QKeychain::WritePasswordJob>(keyringFile);
    job->setBinaryData(QByteArray::fromRawData(held->data(), static_cast<qsizetype>(held->size())));
    whenFinished(job, receiver, [done = std::move(done)](QKeychain::Job& j) {
        if (done)
            done(j.error() == QKeychain::NoError ? Status::success() : Status(jobError(j)));
    });
    // Held by the job itself (not the receiver, which may go first) until it is deleted.
    QObject::connect(job, &QObject::destroyed, [held]() {});
    job->start();
}

void forget(const std::filesystem::path& keyringFile, QObject* receiver, Done done)
{
    auto* job = jobFor<QKeychain::DeletePasswordJob>(keyringFile);
    whenFinished(job, receiver, [done = std::move(done)](QKeychain::Job& j) {
        if (!done)
            return;
        const bool gone = j.error() == QKeychain::NoError || j.error() == QKeychain::EntryNotFound;
        done(gone ? Status::success() : Status(jobError(j)));
    });
    job->start();
}

} // namespace coffer::SystemKeyring
