#include "Zstd.h"

#define ZSTD_STATIC_LINKING_ONLY // ZSTD_getFrameHeader
#include <zstd.h>

#include <algorithm>

namespace coffer {

struct ZstdCompressor::Impl {
    ZSTD_CCtx* cctx = ZSTD_createCCtx();
    ~Impl() { ZSTD_freeCCtx(cctx); }
};

ZstdCompressor::ZstdCompressor(int level) : m_impl(std::make_unique<Impl>())
{
    ZSTD_CCtx_setParameter(m_impl->cctx, ZSTD_c_compressionLevel, level);
    ZSTD_CCtx_setParameter(m_impl->cctx, ZSTD_c_contentSizeFlag, 1);
    ZSTD_CCtx_setParameter(m_impl->cctx, ZSTD_c_checksumFlag, 0); // the AEAD authenticates
    // No window setting needed: frames hold at most 4 MiB of input, and levels up
    // to 19 use windows of at most 2^23, under the readers' cap of 2^24.
}

ZstdCompressor::~ZstdCompressor() = default;

Status ZstdCompressor::compress(ByteView data, Bytes& out)
{
    if (!m_impl->cctx)
        return makeError(ErrorCode::Internal, "out of memory");
    out.resize(ZSTD_compressBound(data.size()));
    const std::size_t n = ZSTD_compress2(m_impl->cctx, out.data(), out.size(), data.data(), data.size());
    if (ZSTD_isError(n))
        return makeError(ErrorCode::Internal, std::string("zstd: ") + ZSTD_getErrorName(n));
    out.resize(n);
    return Status::success();
}

struct ZstdFrameStream::Impl {
    ZSTD_CCtx* cctx = ZSTD_createCCtx();
    int windowLog = 0;
    Bytes out = Bytes(ZSTD_CStreamOutSize());
    ~Impl() { ZSTD_freeCCtx(cctx); }
};

ZstdFrameStream::ZstdFrameStream(int level, int windowLog, int hashLog) : m_impl(std::make_unique<Impl>())
{
    ZSTD_CCtx_setParameter(m_impl->cctx, ZSTD_c_compressionLevel, level);
    ZSTD_CCtx_setParameter(m_impl->cctx, ZSTD_c_contentSizeFlag, 1);
    ZSTD_CCtx_setParameter(m_impl->cctx, ZSTD_c_checksumFlag, 0); // the AEAD authenticates
    // The readers' cap is 2^24 (level 19 alone takes 2^23).
    m_impl->windowLog = windowLog;
    if (hashLog != 0)
        ZSTD_CCtx_setParameter(m_impl->cctx, ZSTD_c_hashLog, hashLog);
}

ZstdFrameStream::~ZstdFrameStream() = default;

Status ZstdFrameStream::beginFrame(std::uint64_t contentSize, int windowLog)
{
    if (!m_impl->cctx)
        return makeError(ErrorCode::Internal, "out of memory");
    ZSTD_CCtx_reset(m_impl->cctx, ZSTD_reset_session_only); // drops a frame left unended
    std::size_t r = ZSTD_CCtx_setParameter(m_impl->cctx, ZSTD_c_windowLog, windowLog ? windowLog : m_impl->windowLog);
    if (!ZSTD_isError(r))
        r = ZSTD_CCtx_setPledgedSrcSize(m_impl->cctx, contentSize);
    if (ZSTD_isError(r))
        return makeError(ErrorCode::Internal, std::string("zstd: ") + ZSTD_getErrorName(r));
    return Status::success();
}

Status ZstdFrameStream::prepare(std::uint64_t contentSize)
{
    // zstd sizes its buffers when a frame's first input arrives, from the
    // size declared: start one, give it nothing, and drop it.
    COFFER_TRY(beginFrame(contentSize));
    ZSTD_inBuffer input{nullptr, 0, 0};
    ZSTD_outBuffer output{m_impl->out.data(), m_impl->out.size(), 0};
    const std::size_t r = ZSTD_compressStream2(m_impl->cctx, &output, &input, ZSTD_e_continue);
    ZSTD_CCtx_reset(m_impl->cctx, ZSTD_reset_session_only);
    if (ZSTD_isError(r))
        return makeError(ErrorCode::Internal, std::string("zstd: ") + ZSTD_getErrorName(r));
    return Status::success();
}

std::size_t ZstdFrameStream::frameBound(std::size_t contentSize)
{
    return ZSTD_compressBound(contentSize);
}

Status ZstdFrameStream::feed(ByteView data, const Output& out)
{
    return run(data, Step::Continue, out);
}

Status ZstdFrameStream::endFrame(const Output& out)
{
    return run({}, Step::End, out);
}

Status ZstdFrameStream::run(ByteView data, Step step, const Output& out)
{
    const ZSTD_EndDirective directive = step == Step::End ? ZSTD_e_end : ZSTD_e_continue;
    ZSTD_inBuffer input{data.data(), data.size(), 0};
    while (true) {
        ZSTD_outBuffer output{m_impl->out.data(), m_impl->out.size(), 0};
        const std::size_t left = ZSTD_compressStream2(m_impl->cctx, &output, &input, directive);
        if (ZSTD_isError(left))
            return makeError(ErrorCode::Internal, std::string("zstd: ") + ZSTD_getErrorName(left));
        if (output.pos > 0)
            COFFER_TRY(out(ByteView(m_impl->out.data(), output.pos)));
        if (step == Step::Continue ? input.pos == input.size : left == 0)
            return Status::success();
    }
}

struct ZstdEntryDecoder::Impl {
    ZSTD_DCtx* dctx = ZSTD_createDCtx();
    Bytes out = Bytes(ZSTD_DStreamOutSize());
    Bytes headerBuf; // the start of a frame, until its header can be read
    ~Impl() { ZSTD_freeDCtx(dctx); }
};

ZstdEntryDecoder::ZstdEntryDecoder(std::uint64_t size, Output output)
    : m_impl(std::make_unique<Impl>()), m_remaining(size), m_output(std::move(output))
{
    ZSTD_DCtx_setParameter(m_impl->dctx, ZSTD_d_windowLogMax, kMaxWindowLog);
}

ZstdEntryDecoder::~ZstdEntryDecoder() = default;

Result<std::size_t> ZstdEntryDecoder::feed(ByteView in)
{
    if (!m_impl->dctx)
        return makeError(ErrorCode::Internal, "out of memory");
    std::size_t used = 0;
    while (used < in.size() && !m_finished) {
        ByteView input = in.subspan(used);
        if (m_atFrameStart) {
            // Gather exactly the frame header (never a byte past it) and check that
            // the frame declares a content size within the limits: the zstd-bomb guard.
            auto& hb = m_impl->headerBuf;
            std::size_t want = 5; // ZSTD_FRAMEHEADERSIZE_PREFIX for the zstd1 format
            if (hb.size() >= want) {
                want = ZSTD_frameHeaderSize(hb.data(), hb.size());
                if (ZSTD_isError(want))
                    return damaged("compressed data is malformed");
            }
            const std::size_t take = std::min(want - hb.size(), input.size());
            hb.insert(hb.end(), input.begin(), input.begin() + static_cast<std::ptrdiff_t>(take));
            used += take;
            if (hb.size() < want || want == 5)
                continue;
            ZSTD_frameHeader fh;
            if (ZSTD_getFrameHeader(&fh, hb.data(), hb.size()) != 0 || fh.frameType != ZSTD_frame)
                return damaged("compressed data is malformed");
            if (fh.frameContentSize == ZSTD_CONTENTSIZE_UNKNOWN || fh.frameContentSize == 0 ||
                fh.frameContentSize > kMaxFrameContent || fh.frameContentSize > m_remaining)
                return damaged("compressed data declares a wrong size");
            m_atFrameStart = false;
            input = hb;
            auto consumed = decode(input);
            COFFER_TRY(consumed);
            if (*consumed != hb.size())
                return damaged("compressed data is malformed");
            hb.clear();
            continue;
        }
        auto consumed = decode(input);
        COFFER_TRY(consumed);
        used += *consumed;
    }
    return used;
}

Result<std::size_t> ZstdEntryDecoder::decode(ByteView in)
{
    ZSTD_inBuffer input{in.data(), in.size(), 0};
    // Loop while zstd may still hold output, even after the input is used up.
    while (!m_atFrameStart) {
        ZSTD_outBuffer output{m_impl->out.data(), m_impl->out.size(), 0};
        const std::size_t ret = ZSTD_decompressStream(m_impl->dctx, &output, &input);
        if (ZSTD_isError(ret))
            return damaged(std::string("compressed data is corrupt (") + ZSTD_getErrorName(ret) + ")");
        if (output.pos > m_remaining)
            return damaged("compressed data is larger than its declared size");
        m_remaining -= output.pos;
        if (output.pos)
            COFFER_TRY(m_output(ByteView(m_impl->out.data(), output.pos)));
        if (ret == 0) { // a frame ended; zstd stops right after it
            m_atFrameStart = true;
            m_finished = m_remaining == 0;
        } else if (output.pos < output.size && input.pos == input.size) {
            break; // needs more input
        }
    }
    return input.pos;
}

Result<Bytes> decompressSingleFrame(ByteView frame, std::uint64_t maxContent)
{
    const std::size_t frameSize = ZSTD_findFrameCompressedSize(frame.data(), frame.size());
    if (ZSTD_isError(frameSize) || frameSize != frame.size())
        return damaged("a compressed block is malformed");
    const unsigned long long content = ZSTD_getFrameContentSize(frame.data(), frame.size());
    if (content == ZSTD_CONTENTSIZE_UNKNOWN || content == ZSTD_CONTENTSIZE_ERROR)
        return damaged("a compressed block does not declare its size");
    if (content > maxContent)
        return damaged("a compressed block is larger than its declared size"); // FORMAT.md §9 item 31
    Bytes out(static_cast<std::size_t>(content));
    ZSTD_DCtx* dctx = ZSTD_createDCtx();
    if (!dctx)
        return makeError(ErrorCode::Internal, "out of memory");
    const std::size_t n = ZSTD_decompressDCtx(dctx, out.data(), out.size(), frame.data(), frame.size());
    ZSTD_freeDCtx(dctx);
    if (ZSTD_isError(n) || n != content)
        return damaged("a compressed block does not decompress to its declared size");
    return out;
}

} // namespace coffer
