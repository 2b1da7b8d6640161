// Reading entry records and their data from the decrypted payload (FORMAT.md
// §5.2-5.4), shared by the indexed and the sequential reader.
#pragma once

#include "ArchiveFormat.h"
#include "FileIO.h"
#include "Job.h"

#include <algorithm>
#include <cstring>
#include <functional>

namespace coffer {

inline constexpr std::size_t kBufferSize = 256 * 1024;
inline constexpr std::size_t kMinBufferSize = 64; // above every peek(min)

/// A read buffer over a source, with peek/consume for parsing records.
class BufferedSource {
public:
    /// `capacity` bounds the buffer (callers that know the source is short pass
    /// its length: a buffer of 256 KiB cleared for each small entry costs more
    /// than the entry). peek(min) needs min <= capacity.
    explicit BufferedSource(ByteSource& source, std::size_t capacity = kBufferSize) : m_source(source)
    {
        m_buf.resize(std::clamp<std::size_t>(capacity, kMinBufferSize, kBufferSize));
    }

    /// At least `min` bytes unless the source ends first; empty only at the end.
    Result<ByteView> peek(std::size_t min = 1)
    {
        if (m_end - m_begin < min) {
            std::memmove(m_buf.data(), m_buf.data() + m_begin, m_end - m_begin);
            m_end -= m_begin;
            m_begin = 0;
            while (m_end < min) {
                auto n = m_source.read(MutableByteView(m_buf).subspan(m_end));
                COFFER_TRY(n);
                if (*n == 0)
                    break;
                m_end += *n;
            }
        }
        return ByteView(m_buf.data() + m_begin, m_end - m_begin);
    }
    void consume(std::size_t n)
    {
        m_begin += n;
        m_position += n;
    }
    Status readExact(MutableByteView out)
    {
        std::size_t done = 0;
        while (done < out.size()) {
            auto view = peek(1);
            COFFER_TRY(view);
            if (view->empty())
                return damaged("an entry is truncated");
            const std::size_t take = std::min(view->size(), out.size() - done);
            std::memcpy(out.data() + done, view->data(), take);
            consume(take);
            done += take;
        }
        return Status::success();
    }
    std::uint64_t position() const { return m_position; }

private:
    ByteSource& m_source;
    Bytes m_buf;
    std::size_t m_begin = 0;
    std::size_t m_end = 0;
    std::uint64_t m_position = 0;
};

/// Leftover bytes first, then the rest of a stream.
class ChainSource final : public ByteSource {
public:
    ChainSource(Bytes first, ByteSource& rest) : m_first(std::move(first)), m_rest(rest) {}
    Result<std::size_t> read(MutableByteView buffer) override
    {
        if (m_pos < m_first.size()) {
            const std::size_t n = std::min(buffer.size(), m_first.size() - m_pos);
            std::memcpy(buffer.data(), m_first.data() + m_pos, n);
            m_pos += n;
            return n;
        }
        return m_rest.read(buffer);
    }

private:
    Bytes m_first;
    std::size_t m_pos = 0;
    ByteSource& m_rest;
};

Result<EntryInfo> readRecordHeader(BufferedSource& in);

using DataSink = std::function<Status(ByteView)>;
inline const DataSink kDiscard = [](ByteView) { return Status::success(); };

/// Reads one entry's data; returns the stored length consumed.
Result<std::uint64_t> readEntryData(BufferedSource& in, const EntryInfo& info, const DataSink& sink, JobControl& job);

} // namespace coffer
