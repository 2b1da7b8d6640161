#include "PackLoader.h"

#include "Zstd.h"

namespace coffer {

std::optional<crypto::Digest32> packContentHash(const IndexEntry& pack)
{
    if (pack.layout != IndexEntry::Layout::Pack)
        return std::nullopt;
    return pack.sha256;
}

Status decodePack(const EntryInfo& pack, ByteView stored, const DataSink& sink, JobControl& job,
                  const std::optional<crypto::Digest32>& contentHash)
{
    if (pack.size == 0)
        return damaged("an empty entry claims to be compressed");
    std::optional<crypto::Sha256> hash;
    if (contentHash)
        hash.emplace();
    std::uint64_t decoded = 0;
    const DataSink counted = [&](ByteView d) {
        decoded += d.size();
        if (hash)
            hash->update(d);
        return sink(d);
    };
    const auto checkHash = [&]() -> Status {
        if (hash && hash->finish() != *contentHash)
            return damaged("the content of a pack of small files does not match its hash");
        return Status::success();
    };
    constexpr std::size_t kPiece = 256 * 1024; // a cancel is seen within a piece
    if (pack.codec == Codec::Stored) {         // format v2's pack of files that do not compress
        if (stored.size() != pack.size)
            return damaged("a pack does not end where the index says");
        for (std::size_t at = 0; at < stored.size(); at += kPiece) {
            COFFER_TRY(counted(stored.subspan(at, std::min(kPiece, stored.size() - at))));
            if (job.isCancelled())
                return makeError(ErrorCode::Cancelled, "cancelled");
        }
        return checkHash();
    }
    ZstdEntryDecoder decoder(pack.size, counted);
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
    return checkHash();
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

Status PackContent::decode(const IndexEntry& pack, ByteView stored, JobControl& job)
{
    renew(pack.info.size);
    Status status = decodePack(pack.info, stored, sink(), job, packContentHash(pack));
    if (!status.ok())
        m_content.clear();
    return status;
}

ByteView PackContent::member(const IndexEntry& e) const
{
    return ByteView(m_content).subspan(static_cast<std::size_t>(e.packPosition), static_cast<std::size_t>(e.info.size));
}

} // namespace coffer
