// zstd with the format's limits (FORMAT.md §5.1): frames that declare their
// content size, a capped window, and decoding that stops at the declared size.
#pragma once

#include "ArchiveFormat.h"

#include <functional>
#include <memory>

namespace coffer {

/// Compresses blocks into independent frames with a reusable context.
class ZstdCompressor {
public:
    explicit ZstdCompressor(int level);
    ~ZstdCompressor();
    ZstdCompressor(const ZstdCompressor&) = delete;
    ZstdCompressor& operator=(const ZstdCompressor&) = delete;
    /// One frame holding `data` (content size declared). Output replaces `out`.
    Status compress(ByteView data, Bytes& out);

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

/// Compresses a stream into frames of a declared size, fed in pieces as the
/// caller reads them, on the caller's thread, with a window running through
/// each frame (several frames are made at once by PackCompressor's threads).
class ZstdFrameStream {
public:
    using Output = std::function<Status(ByteView)>;
    /// Frames declare a window of 2^`windowLog` bytes (readers accept up to
    /// 2^24). `hashLog` other than 0 replaces the level's size of the match
    /// finder's table.
    ZstdFrameStream(int level, int windowLog, int hashLog = 0);
    ~ZstdFrameStream();
    ZstdFrameStream(const ZstdFrameStream&) = delete;
    ZstdFrameStream& operator=(const ZstdFrameStream&) = delete;

    /// Starts a frame that will hold exactly `contentSize` bytes (declared in
    /// it), with a window of 2^`windowLog` bytes if not 0, else the stream's.
    Status beginFrame(std::uint64_t contentSize, int windowLog = 0);
    /// Takes now the memory that frames of up to `contentSize` bytes need, so
    /// that smaller frames first and larger ones later do not each take it anew.
    Status prepare(std::uint64_t contentSize);
    /// The most a frame of `contentSize` bytes can take.
    static std::size_t frameBound(std::size_t contentSize);
    /// Content for the current frame; compressed bytes go to `out` when ready.
    Status feed(ByteView data, const Output& out);
    /// Ends the frame once all its content was fed, and hands out the rest.
    /// (A frame left unended is dropped by the next beginFrame.)
    Status endFrame(const Output& out);

private:
    enum class Step { Continue, End };
    Status run(ByteView data, Step step, const Output& out);

    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

/// Decodes one entry's zstd data, pushed in pieces. The data ends at the
/// first frame boundary where `size` bytes have been produced; producing more,
/// or a frame without a declared size, is damage.
class ZstdEntryDecoder {
public:
    using Output = std::function<Status(ByteView)>;
    ZstdEntryDecoder(std::uint64_t size, Output output);
    ~ZstdEntryDecoder();
    ZstdEntryDecoder(const ZstdEntryDecoder&) = delete;
    ZstdEntryDecoder& operator=(const ZstdEntryDecoder&) = delete;

    /// Consumes from `in`; returns how many bytes it used (less than in.size()
    /// only once finished()).
    Result<std::size_t> feed(ByteView in);
    bool finished() const { return m_finished; }

private:
    Result<std::size_t> decode(ByteView in);

    struct Impl;
    std::unique_ptr<Impl> m_impl;
    std::uint64_t m_remaining;
    Output m_output;
    bool m_finished = false;
    bool m_atFrameStart = true;
};

/// One whole frame -> its content, for the index.
Result<Bytes> decompressSingleFrame(ByteView frame, std::uint64_t maxContent);

} // namespace coffer
