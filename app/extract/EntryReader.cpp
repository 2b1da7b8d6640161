#include "EntryReader.h"

#include "Zstd.h"

namespace coffer {

Result<EntryInfo> readRecordHeader(BufferedSource& in)
{
    std::uint8_t fixed[kEntryFixedSize];
    COFFER_TRY(in.readExact(fixed));
    auto rec = decodeEntryRecordFixed(fixed);
    COFFER_TRY(rec);
    rec->info.path.resize(rec->pathLength);
    COFFER_TRY(in.readExact(MutableByteView(reinterpret_cast<std::uint8_t*>(rec->info.path.data()), rec->pathLength)));
    return rec->info;
}

/// Reads one entry's data; returns the stored length consumed.
Result<std::uint64_t> readEntryData(BufferedSource& in, const EntryInfo& info, const DataSink& sink, JobControl& job)
{
    const std::uint64_t start = in.position();
    if (info.kind == EntryKind::Directory || info.codec == Codec::Packed)
        return std::uint64_t{0}; // no data of their own
    if (info.codec == Codec::Stored) {
        std::uint64_t remaining = info.size;
        while (remaining > 0) {
            auto view = in.peek();
            COFFER_TRY(view);
            if (view->empty())
                return damaged("\"" + info.path + "\" is truncated");
            const std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(view->size(), remaining));
            COFFER_TRY(sink(view->first(take)));
            in.consume(take);
            remaining -= take;
            if (job.isCancelled())
                return makeError(ErrorCode::Cancelled, "cancelled");
        }
        return in.position() - start;
    }
    if (info.size == 0)
        return damaged("an empty entry claims to be compressed");
    // Polled per block of output too: 256 KiB of input can hold gigabytes of zeros.
    const DataSink polled = [&](ByteView data) -> Status {
        if (job.isCancelled())
            return makeError(ErrorCode::Cancelled, "cancelled");
        return sink(data);
    };
    ZstdEntryDecoder decoder(info.size, polled);
    while (!decoder.finished()) {
        auto view = in.peek();
        COFFER_TRY(view);
        if (view->empty())
            return damaged("\"" + info.path + "\" is truncated");
        auto used = decoder.feed(*view);
        COFFER_TRY(used);
        in.consume(*used);
        if (job.isCancelled())
            return makeError(ErrorCode::Cancelled, "cancelled");
    }
    return in.position() - start;
}

} // namespace coffer
