#include "PackJob.h"

namespace coffer {

Status PackJob::run(SmallFileWriter::Context& context, JobControl& job) const
{
    std::size_t next = 0; // the member being written
    std::uint64_t at = 0; // content position of the next decoded byte
    // A member split across decoded blocks is written piece by piece (nothing
    // waits in memory, whatever its size) and hashed on the way; until the
    // extraction finishes it is only in the staging folder.
    struct Split {
        UniqueFd fd;
        std::optional<crypto::Sha256> hash;
    };
    std::optional<Split> split;
    const auto checkHash = [](const Member& m, crypto::Sha256& hash) -> Status {
        if (hash.finish() != *m.sha256)
            return damaged("the content of \"" + m.info.path + "\" does not match its hash");
        return Status::success();
    };
    const DataSink sink = [&](ByteView d) -> Status {
        const std::uint64_t end = at + d.size();
        while (next < members.size()) {
            const Member& m = members[next];
            const std::uint64_t memberEnd = m.position + m.info.size;
            if (m.position >= end)
                break; // starts in a later block
            const std::uint64_t from = std::max<std::uint64_t>(m.position, at);
            const std::uint64_t to = std::min<std::uint64_t>(memberEnd, end);
            const ByteView part = d.subspan(static_cast<std::size_t>(from - at), static_cast<std::size_t>(to - from));
            if (!split && m.position >= at && to == memberEnd) {
                // Whole in this block: straight from the decoder's buffer.
                if (m.sha256) {
                    crypto::Sha256 hash;
                    hash.update(part);
                    COFFER_TRY(checkHash(m, hash));
                }
                COFFER_TRY(
                    context.writeFile(m.info.path, m.info.mode, m.info.mtimeSeconds, m.info.mtimeNanoseconds, part));
            } else {
                if (!split) {
                    auto fd = context.createFile(m.info.path, m.info.mode);
                    COFFER_TRY(fd);
                    split.emplace(Split{std::move(*fd), std::nullopt});
                    if (m.sha256)
                        split->hash.emplace();
                }
                if (split->hash)
                    split->hash->update(part);
                FdSink out(split->fd.get(), context.shownRoot() / m.info.path);
                COFFER_TRY(out.write(part));
                if (to < memberEnd)
                    break; // continues in the next block
                if (split->hash)
                    COFFER_TRY(checkHash(m, *split->hash));
                setFileTime(split->fd.get(), m.info.mtimeSeconds, m.info.mtimeNanoseconds);
                split.reset();
            }
            ++next;
        }
        at = end;
        return Status::success();
    };
    COFFER_TRY(decodePack(pack, stored, sink, job, contentHash));
    if (next != members.size())
        return damaged("the entry \"" + pack.path + "\" does not end where the index says");
    return Status::success();
}

} // namespace coffer
