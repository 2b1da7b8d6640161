#include "KeyringStore.h"

#include "FileIO.h"
#include "KeyringFile.h"

#include <QLockFile>
#include <QString>

#include <cerrno>
#include <fcntl.h>
#include <unistd.h>

namespace coffer {

namespace fs = std::filesystem;

namespace {

constexpr const char* kEntryName = "keyring.txt";

/// Holds the keyring lock for its lifetime.
class KeyringLock {
public:
    explicit KeyringLock(const fs::path& dir)
        : m_path(dir / "keyring.lock"), m_lock(QString::fromStdString(m_path.string()))
    {
        // A dead holder is detected by its process id; by age only after five
        // minutes, far longer than any save (two Argon2id runs), so a slow save
        // on a busy machine is never mistaken for a stale lock.
        m_lock.setStaleLockTime(300'000);
    }
    Status acquire()
    {
        // A holder keeps the lock for two Argon2id runs (reload, then save):
        // seconds each on a slow or busy machine, and processes saving at once
        // queue up behind each other, so wait for the queue, not for one save.
        if (m_lock.tryLock(120'000))
            return Status::success();
        // Not held by another process: the lock file itself could not be written.
        if (m_lock.error() == QLockFile::PermissionError)
            return ioError(EACCES, "create", m_path);
        if (m_lock.error() == QLockFile::UnknownError)
            return makeError(ErrorCode::Io, "cannot create \"" + m_path.string() +
                                                "\": the disk may be full, or the folder cannot be written");
        return makeError(ErrorCode::Io, "another Coffer window is saving the keyring; try again in a moment");
    }

private:
    fs::path m_path;
    QLockFile m_lock;
};

Status ensureDir(const fs::path& dir)
{
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec)
        return ioError(ec.value(), "create the folder", dir);
    fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
    return Status::success();
}

} // namespace

KeyringStore::KeyringStore(fs::path dataDir) : m_dir(std::move(dataDir)) {}

bool KeyringStore::exists() const
{
    std::error_code ec;
    return fs::exists(path(), ec) || fs::exists(backupPath(), ec);
}

Result<Keyring> KeyringStore::loadFile(const fs::path& file, const crypto::SecureString& passphrase) const
{
    auto text = readKeyringText(file, passphrase, kEntryName);
    if (!text.ok()) {
        if (text.error().code == ErrorCode::WrongPassphrase || text.error().code == ErrorCode::Io)
            return text.error();
        return makeError(ErrorCode::Damaged, "the keyring file is damaged (" + text.error().message + ")");
    }
    return Keyring::parse(std::string_view(reinterpret_cast<const char*>(text->data()), text->size()));
}

Result<LoadedKeyring> KeyringStore::load(const crypto::SecureString& passphrase) const
{
    std::error_code ec;
    if (!fs::exists(path(), ec) && !fs::exists(backupPath(), ec))
        return makeError(ErrorCode::InvalidArgument, "there is no keyring yet; create an identity first");
    auto main = loadFile(path(), passphrase);
    if (main.ok())
        return LoadedKeyring{std::move(*main), false};
    if (main.error().code == ErrorCode::WrongPassphrase)
        return makeError(ErrorCode::WrongPassphrase, "the keyring passphrase is wrong");
    // Damaged or missing main file: the previous version may still be good.
    auto backup = loadFile(backupPath(), passphrase);
    if (backup.ok())
        return LoadedKeyring{std::move(*backup), true};
    return main.error();
}

Status KeyringStore::writeFile(const fs::path& file, const Keyring& keyring,
                               const crypto::SecureString& passphrase) const
{
    return writeKeyringFile(file, keyring, passphrase, m_kdf, kEntryName, true);
}

Status KeyringStore::backupCurrent() const
{
    // Copy (not rename) so that "keyring.coffer" always exists: old or new, never missing.
    UniqueFd in(::open(path().c_str(), O_RDONLY | O_CLOEXEC));
    if (!in.valid())
        return errno == ENOENT ? Status::success() : Status(ioError(errno, "read", path()));
    auto out = AtomicOutput::create(backupPath(), true, 0600);
    COFFER_TRY(out);
    FdSink sink(out->fd(), out->partPath());
    FdSource source(in.get(), path());
    Bytes buf(64 * 1024);
    while (true) {
        auto n = source.read(buf);
        COFFER_TRY(n);
        if (*n == 0)
            break;
        COFFER_TRY(sink.write(ByteView(buf).first(*n)));
    }
    auto committed = out->commit();
    COFFER_TRY(committed);
    return Status::success();
}

Status KeyringStore::create(const Keyring& keyring, const crypto::SecureString& passphrase)
{
    COFFER_TRY(ensureDir(m_dir));
    KeyringLock lock(m_dir);
    COFFER_TRY(lock.acquire());
    if (exists())
        return makeError(ErrorCode::InvalidArgument, "a keyring already exists at \"" + path().string() + "\"");
    return writeFile(path(), keyring, passphrase);
}

Result<Keyring> KeyringStore::update(const crypto::SecureString& passphrase,
                                     const std::function<Status(Keyring&)>& change)
{
    COFFER_TRY(ensureDir(m_dir));
    KeyringLock lock(m_dir);
    COFFER_TRY(lock.acquire());
    // Reload under the lock: another process may have saved since we last read.
    auto loaded = load(passphrase);
    COFFER_TRY(loaded);
    COFFER_TRY(change(loaded->keyring));
    // A damaged main file is not worth keeping: the good backup stays as it is.
    if (!loaded->fromBackup)
        COFFER_TRY(backupCurrent());
    COFFER_TRY(writeFile(path(), loaded->keyring, passphrase));
    return std::move(loaded->keyring);
}

Status KeyringStore::changePassphrase(const crypto::SecureString& oldPassphrase,
                                      const crypto::SecureString& newPassphrase)
{
    if (newPassphrase.empty())
        return makeError(ErrorCode::InvalidArgument, "the new passphrase is empty");
    KeyringLock lock(m_dir);
    COFFER_TRY(lock.acquire());
    auto loaded = load(oldPassphrase);
    COFFER_TRY(loaded);
    // The backup under the old passphrase would still open with it: replace both.
    COFFER_TRY(writeFile(backupPath(), loaded->keyring, newPassphrase));
    return writeFile(path(), loaded->keyring, newPassphrase);
}

} // namespace coffer
