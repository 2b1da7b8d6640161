#include "RekeyRecovery.h"

#include "FileIO.h"
#include "PayloadStream.h"
#include "RekeyJournal.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace coffer {

namespace fs = std::filesystem;

namespace {

/// What the container's first bytes are, next to a journal's two headers.
enum class HeaderState { Old, New, Torn, Other };

/// The journal's bytes, if its name holds a regular file of ours that no one
/// else may write and of a journal's size (FORMAT.md §12.2, rule 1). Opened
/// without following a symlink and without waiting on a FIFO.
std::optional<Bytes> readOwnJournal(int fd, const fs::path& name)
{
    struct stat st;
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != ::geteuid() ||
        (st.st_mode & (S_IWGRP | S_IWOTH)) != 0 || st.st_nlink != 1 || st.st_size < 0 ||
        static_cast<std::uint64_t>(st.st_size) > maxRekeyJournalSize())
        return std::nullopt;
    Bytes bytes(static_cast<std::size_t>(st.st_size));
    auto got = preadFull(fd, bytes, 0, name);
    if (!got.ok() || *got != bytes.size())
        return std::nullopt;
    return bytes;
}

/// Rule 2: the payload after the header is the journal's payload, and the
/// header is the old one, the new one, or each byte from one of the two.
HeaderState compareWithContainer(int fd, const RekeyJournal& journal, const fs::path& name)
{
    const std::size_t length = journal.oldHeader.size();
    Bytes now(length + kJournalPrefixSize);
    auto got = preadFull(fd, now, 0, name);
    if (!got.ok() || *got != now.size() ||
        !std::equal(journal.payloadPrefix.begin(), journal.payloadPrefix.end(),
                    now.begin() + static_cast<std::ptrdiff_t>(length)))
        return HeaderState::Other;
    const ByteView header = ByteView(now).first(length);
    const auto same = [&](ByteView other) { return std::equal(header.begin(), header.end(), other.begin()); };
    if (same(journal.oldHeader))
        return HeaderState::Old;
    if (same(journal.newHeader))
        return HeaderState::New;
    for (std::size_t i = 0; i < length; ++i)
        if (header[i] != journal.oldHeader[i] && header[i] != journal.newHeader[i])
            return HeaderState::Other;
    return HeaderState::Torn;
}

bool macVerifies(const crypto::FileKey& key, const crypto::ParsedHeader& parsed, ByteView bytes)
{
    return crypto::verifyHeaderMac(key, bytes.first(parsed.macInputLength), parsed.header.mac).ok();
}

/// Rule 3: one of the headers opens with the user's own identities, both
/// headers carry a MAC under that file key, and the payload's key commitment
/// (in the bytes the container and the journal share) was made with it.
bool authenticates(const RekeyJournal& journal, const crypto::IdentityList& identities)
{
    auto oldParsed = crypto::parseHeader(journal.oldHeader);
    auto newParsed = crypto::parseHeader(journal.newHeader);
    if (!oldParsed.ok() || !newParsed.ok() || oldParsed->length != journal.oldHeader.size() ||
        newParsed->length != journal.newHeader.size())
        return false;
    auto key = crypto::unwrapFileKey(*oldParsed, journal.oldHeader, identities);
    if (!key.ok())
        key = crypto::unwrapFileKey(*newParsed, journal.newHeader, identities);
    if (!key.ok() || !macVerifies(*key, *oldParsed, journal.oldHeader) ||
        !macVerifies(*key, *newParsed, journal.newHeader))
        return false;
    return crypto::ChunkCipher::forDecryption(key->view(), crypto::asBytes(crypto::kPayloadContext),
                                              journal.payloadPrefix)
        .ok();
}

/// Writes the new header over a torn one, through a second descriptor that
/// must be the file we locked and compared.
bool finishTornHeader(int locked, const fs::path& container, ByteView newHeader)
{
    UniqueFd rw(::open(container.c_str(), O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    struct stat a, b;
    if (!rw.valid() || ::fstat(locked, &a) != 0 || ::fstat(rw.get(), &b) != 0 || a.st_dev != b.st_dev ||
        a.st_ino != b.st_ino)
        return false;
    std::size_t done = 0;
    while (done < newHeader.size()) {
        const ssize_t n =
            ::pwrite(rw.get(), newHeader.data() + done, newHeader.size() - done, static_cast<off_t>(done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        done += static_cast<std::size_t>(n);
    }
    return ::fdatasync(rw.get()) == 0;
}

/// Removes the journal we read, not whatever holds its name by now.
void removeJournal(int journal, const fs::path& journalPath)
{
    struct stat ours, named;
    if (::fstat(journal, &ours) != 0 || ::lstat(journalPath.c_str(), &named) != 0 || ours.st_dev != named.st_dev ||
        ours.st_ino != named.st_ino)
        return;
    ::unlink(journalPath.c_str());
    const fs::path folder = journalPath.has_parent_path() ? journalPath.parent_path() : fs::path(".");
    UniqueFd dir(::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir.valid())
        ::fsync(dir.get());
}

} // namespace

RekeyRecovery recoverInterruptedRekey(const fs::path& container, const crypto::IdentityList& identities)
{
    const fs::path journalPath = rekeyJournalPath(container);
    UniqueFd journal(::open(journalPath.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    if (!journal.valid())
        return errno == ENOENT ? RekeyRecovery::NoJournal : RekeyRecovery::NotTrusted;
    const auto bytes = readOwnJournal(journal.get(), journalPath);
    const auto parsed = bytes ? decodeRekeyJournal(*bytes) : std::nullopt;
    if (!parsed)
        return RekeyRecovery::NotTrusted;
    UniqueFd fd(::open(container.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    struct stat st;
    if (!fd.valid() || ::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode))
        return RekeyRecovery::NotTrusted;
    // A rekey that is running holds this lock while its journal exists.
    if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0)
        return RekeyRecovery::RekeyRunning;
    const HeaderState state = compareWithContainer(fd.get(), *parsed, container);
    if (state == HeaderState::Other || !authenticates(*parsed, identities))
        return RekeyRecovery::NotTrusted;
    if (state == HeaderState::Torn && !finishTornHeader(fd.get(), container, parsed->newHeader))
        return RekeyRecovery::NotTrusted;
    removeJournal(journal.get(), journalPath);
    return RekeyRecovery::Finished;
}

Error explainUntrustedJournal(Error error, RekeyRecovery recovery, const fs::path& container)
{
    if (recovery != RekeyRecovery::NotTrusted ||
        (error.code != ErrorCode::Damaged && error.code != ErrorCode::NotAContainer))
        return error;
    error.message += ". Beside it is \"" + rekeyJournalPath(container).filename().string() +
                     "\", which a rekey cut short would leave, but your keys could not confirm it belongs to this "
                     "container (or Coffer could not write it), so Coffer changed nothing";
    return error;
}

} // namespace coffer
