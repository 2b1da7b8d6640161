#include "PackLoader.h"

#include "Zstd.h"

namespace coffer {

Status decodePack(const EntryInfo& pack, ByteView stored, const DataSink& sink, JobControl& job)
{
    if (pack.size == 0)
        return damaged("an empty entry claims to be compressed");
    std::uint64_t decoded = 0;
    const DataSink counted = [&](ByteView d) {
        decoded += d.size();
        return sink(d);
    };
    ZstdEntryDecoder decoder(pack.size, counted);
    constexpr std::size_t kPiece = 256 * 1024; // a cancel is seen within a piece
    ByteView rest = stored;
    while (!decoder.finished()) {
        if (rest.empty())
            return damaged("\"" + pack.path + "\" is truncated");
        auto used = decoder.feed(rest.first(std::min(rest.size(), kPiece)));
        COFFER_TRY(used);
        rest = rest.subspan(*used);
        if (job.isCancelled())
            return makeError(ErrorCode::Cancelled, "cancelled");
    }
    if (!rest.empty() || decoded != pack.size)
        return damaged("the entry \"" + pack.path + "\" does not end where the index says");
    return Status::success();
}

void PackContent::renew(std::uint64_t size)
{
    m_content.clear();
    m_content.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(size, kMaxPackContent)));
}

DataSink PackContent::sink()
{
    return [this](ByteView d) {
        m_content.insert(m_content.end(), d.begin(), d.end());
        return Status::success();
    };
}

Status PackContent::decode(const EntryInfo& pack, ByteView stored, JobControl& job)
{
    renew(pack.size);
    return decodePack(pack, stored, sink(), job);
}

ByteView PackContent::member(const IndexEntry& e) const
{
    return ByteView(m_content).subspan(static_cast<std::size_t>(e.packPosition), static_cast<std::size_t>(e.info.size));
}

} // namespace coffer
