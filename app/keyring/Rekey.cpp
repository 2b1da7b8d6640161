#include "Rekey.h"

#include "ContainerReader.h"
#include "FileIO.h"
#include "Recipients.h"
#include "RekeyJournal.h"
#include "RekeyRecovery.h"

#include <cerrno>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace coffer {

namespace fs = std::filesystem;

namespace {

Status copyRange(int from, std::uint64_t offset, std::uint64_t length, int to, const fs::path& name)
{
    // A reflink shares the payload's blocks instead of copying them (btrfs, XFS):
    // rekeying then takes milliseconds whatever the size. The destination offset
    // must be block-aligned for that, so it only works when the new header length
    // is; otherwise, and on ext4, the kernel copies.
    struct file_clone_range clone {};
    clone.src_fd = from;
    clone.src_offset = offset;
    clone.src_length = length;
    clone.dest_offset = static_cast<std::uint64_t>(::lseek(to, 0, SEEK_CUR));
    if (::ioctl(to, FICLONERANGE, &clone) == 0) {
        ::lseek(to, static_cast<off_t>(length), SEEK_CUR);
        return Status::success();
    }
    loff_t in = static_cast<loff_t>(offset);
    while (length > 0) {
        const ssize_t n = ::copy_file_range(from, &in, to, nullptr,
                                            static_cast<std::size_t>(std::min<std::uint64_t>(length, 1 << 30)), 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EXDEV || errno == ENOSYS || errno == EOPNOTSUPP || errno == EINVAL)
                break; // fall back to read/write below
            return ioError(errno, "write", name);
        }
        if (n == 0)
            return makeError(ErrorCode::Damaged, "the container is shorter than expected");
        length -= static_cast<std::uint64_t>(n);
    }
    Bytes buf(1 << 20);
    FdSink sink(to, name);
    while (length > 0) {
        auto got = preadFull(
            from, MutableByteView(buf).first(static_cast<std::size_t>(std::min<std::uint64_t>(length, buf.size()))),
            static_cast<std::uint64_t>(in), name);
        COFFER_TRY(got);
        if (*got == 0)
            return makeError(ErrorCode::Damaged, "the container is shorter than expected");
        COFFER_TRY(sink.write(ByteView(buf).first(*got)));
        in += static_cast<loff_t>(*got);
        length -= *got;
    }
    return Status::success();
}

} // namespace

Result<fs::path> rekeyContainer(const RekeyRequest& request, const crypto::IdentityList& identities)
{
    // Opening finishes an interrupted in-place rekey that our keys verify
    // (FORMAT.md §12.2), and checks the header MAC and the payload's key
    // commitment, so we never re-share a container we could not read ourselves.
    // The header is unwrapped once, here (one Argon2id run for a passphrase):
    // the file key and the payload then come from the file the reader opened.
    auto reader = ContainerReader::open(request.input, identities);
    COFFER_TRY(reader);
    const int in = reader->fd();
    const OpenedHeader& opened = reader->header();
    struct stat st;
    if (::fstat(in, &st) != 0)
        return ioError(errno, "read", request.input);

    crypto::RecipientList recipients = makeRecipients(request.recipients, request.passphrase, request.argon2);
    std::vector<crypto::Stanza> keep;
    if (request.keepExisting)
        for (const auto& stanza : opened.parsed.header.stanzas)
            // One passphrase per container (FORMAT.md §3.2): a new one replaces the old.
            if (!(request.passphrase && stanza.type == crypto::kArgon2StanzaType))
                keep.push_back(stanza);
    // The error_code overloads: a path that cannot be resolved (a folder we may
    // not search) is not the input, and AtomicOutput reports the real error.
    std::error_code inEc, outEc;
    const fs::path canonicalOut = fs::weakly_canonical(request.output, outEc);
    const fs::path canonicalIn = fs::weakly_canonical(request.input, inEc);
    const bool inPlace = !outEc && !inEc && canonicalOut == canonicalIn;
    const std::uint64_t payloadOffset = opened.parsed.length;

    if (inPlace) {
        // Over the original: a header of the old one's length is written in its
        // place and the payload stays where it is (FORMAT.md §12.1).
        auto same = crypto::sealHeaderWithKey(opened.fileKey.clone(), recipients, keep, payloadOffset,
                                              opened.parsed.header.version);
        if (same.ok()) {
            UniqueFd rw(::open(request.input.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW));
            if (!rw.valid())
                return ioError(errno, "write", request.input);
            struct stat now;
            if (::fstat(rw.get(), &now) != 0)
                return ioError(errno, "write", request.input);
            if (now.st_ino != st.st_ino || now.st_dev != st.st_dev)
                return makeError(ErrorCode::Io,
                                 "\"" + request.input.string() + "\" was replaced while Coffer read it; try again");
            Bytes prefix(kJournalPrefixSize);
            auto got = preadFull(rw.get(), prefix, payloadOffset, request.input);
            COFFER_TRY(got);
            if (*got != prefix.size())
                return makeError(ErrorCode::Damaged, "the container is shorter than expected");
            auto rewritten = rewriteHeaderInPlace(rw.get(), request.input, reader->headerBytes(),
                                                  crypto::asBytes(same->text), prefix);
            COFFER_TRY(rewritten);
            if (*rewritten)
                return request.input;
        } else if (same.error().code != ErrorCode::LimitExceeded) {
            return same.error();
        }
        // Too many new recipients for the old header's room, or no journal
        // could be made here (see rewriteHeaderInPlace): a new file, as below.
    }
    auto sealed =
        crypto::sealHeaderWithKey(opened.fileKey.clone(), recipients, std::move(keep), 0, opened.parsed.header.version);
    COFFER_TRY(sealed);
    auto out = AtomicOutput::create(request.output, request.overwrite || inPlace);
    COFFER_TRY(out);
    FdSink sink(out->fd(), out->partPath());
    COFFER_TRY(sink.write(crypto::asBytes(sealed->text)));
    COFFER_TRY(copyRange(in, payloadOffset, static_cast<std::uint64_t>(st.st_size) - payloadOffset, out->fd(),
                         out->partPath()));
    return out->commit();
}

} // namespace coffer
