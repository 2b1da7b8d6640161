// LineSource and MemorySource (LineSource.h).
#include "LineSource.h"

#include <algorithm>
#include <cstring>

namespace coffer::crypto {

Status LineSource::fill(std::size_t count)
{
    if (m_pos > 0 && m_pos == m_buffer.size()) {
        m_buffer.clear();
        m_pos = 0;
    }
    while (!m_eof && m_buffer.size() - m_pos < count) {
        const std::size_t have = m_buffer.size();
        m_buffer.resize(have + std::max<std::size_t>(count, 4096));
        auto n = m_input.read(MutableByteView(m_buffer).subspan(have));
        m_buffer.resize(have + (n.ok() ? *n : 0));
        if (!n.ok())
            return n.error();
        m_eof = *n == 0;
    }
    return Status::success();
}

Result<std::optional<std::string>> LineSource::readLine(std::size_t max)
{
    std::size_t scanned = 0;
    while (true) {
        const auto begin = m_buffer.begin() + static_cast<std::ptrdiff_t>(m_pos);
        const auto lf = std::find(begin + static_cast<std::ptrdiff_t>(scanned), m_buffer.end(), '\n');
        if (lf != m_buffer.end()) {
            std::string line(begin, lf);
            m_pos += line.size() + 1;
            return std::optional<std::string>(std::move(line));
        }
        scanned = m_buffer.size() - m_pos;
        if (scanned > max)
            return makeError(ErrorCode::Damaged, "a header line is too long");
        if (m_eof) {
            if (scanned == 0)
                return std::optional<std::string>{};
            return makeError(ErrorCode::Damaged, "the header ends inside a line");
        }
        COFFER_TRY(fill(scanned + 1));
    }
}

Result<ByteView> LineSource::peek(std::size_t count)
{
    COFFER_TRY(fill(count));
    const std::size_t have = std::min(count, m_buffer.size() - m_pos);
    return ByteView(m_buffer.data() + m_pos, have);
}

Result<std::size_t> LineSource::read(MutableByteView buffer)
{
    if (m_pos < m_buffer.size()) {
        const std::size_t take = std::min(buffer.size(), m_buffer.size() - m_pos);
        std::memcpy(buffer.data(), m_buffer.data() + m_pos, take);
        m_pos += take;
        return take;
    }
    if (m_eof)
        return std::size_t{0};
    return m_input.read(buffer);
}

Result<std::size_t> MemorySource::read(MutableByteView buffer)
{
    const std::size_t take = std::min(buffer.size(), m_bytes.size() - m_pos);
    if (take > 0)
        std::memcpy(buffer.data(), m_bytes.data() + m_pos, take);
    m_pos += take;
    return take;
}

} // namespace coffer::crypto
