#include "PackJob.h"

#include "Zstd.h"

namespace coffer {

Status PackJob::run(SmallFileWriter::Context& context, JobControl& job) const
{
    Bytes& carry = context.scratch(); // a member split across decoded blocks; kept by the thread
    std::size_t next = 0;             // the member being assembled
    std::uint64_t at = 0;             // content position of the next decoded byte
    const auto emit = [&](const Member& m, ByteView bytes) -> Status {
        if (m.sha256) {
            crypto::Sha256 hash;
            hash.update(bytes);
            if (hash.finish() != *m.sha256)
                return damaged("the content of \"" + m.info.path + "\" does not match its hash");
        }
        return context.writeFile(m.info.path, m.info.mode, m.info.mtimeSeconds, m.info.mtimeNanoseconds, bytes);
    };
    const DataSink sink = [&](ByteView d) -> Status {
        const std::uint64_t end = at + d.size();
        while (next < members.size()) {
            const Member& m = members[next];
            const std::uint64_t from = std::max<std::uint64_t>(m.position, at);
            const std::uint64_t to = std::min<std::uint64_t>(m.position + m.info.size, end);
            if (m.position >= end)
                break; // starts in a later block
            const ByteView part = d.subspan(static_cast<std::size_t>(from - at), static_cast<std::size_t>(to - from));
            if (carry.empty() && m.position >= at && to == m.position + m.info.size) {
                COFFER_TRY(emit(m, part)); // whole in this block: straight from the decoder's buffer
            } else {
                carry.insert(carry.end(), part.begin(), part.end());
                if (to < m.position + m.info.size)
                    break; // continues in the next block
                COFFER_TRY(emit(m, carry));
                carry.clear();
            }
            ++next;
        }
        at = end;
        return Status::success();
    };
    carry.clear();
    ByteView rest(stored);
    if (pack.size == 0)
        return damaged("an empty entry claims to be compressed");
    ZstdEntryDecoder decoder(pack.size, sink);
    constexpr std::size_t kPiece = 256 * 1024; // a cancel is seen within a piece
    while (!decoder.finished()) {
        if (rest.empty())
            return damaged("\"" + pack.path + "\" is truncated");
        auto used = decoder.feed(rest.first(std::min(rest.size(), kPiece)));
        COFFER_TRY(used);
        rest = rest.subspan(*used);
        if (job.isCancelled())
            return makeError(ErrorCode::Cancelled, "cancelled");
    }
    if (!rest.empty() || at != pack.size || next != members.size())
        return damaged("the entry \"" + pack.path + "\" does not end where the index says");
    return Status::success();
}

} // namespace coffer
