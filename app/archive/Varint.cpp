// Varints of format v2 (docs/FORMAT-v2.md §3): LEB128 and zigzag.
#include "Varint.h"

namespace coffer::varint {

void put(Bytes& out, std::uint64_t v)
{
    std::uint8_t buf[kMaxBytes];
    std::size_t n = 0;
    while (v >= 0x80) {
        buf[n++] = static_cast<std::uint8_t>(v | 0x80);
        v >>= 7;
    }
    buf[n++] = static_cast<std::uint8_t>(v);
    out.insert(out.end(), buf, buf + n);
}

void putZigzag(Bytes& out, std::int64_t v)
{
    const auto u = static_cast<std::uint64_t>(v);
    put(out, (u << 1) ^ (v < 0 ? ~std::uint64_t(0) : 0));
}

std::size_t size(std::uint64_t v)
{
    std::size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        ++n;
    }
    return n;
}

bool Cursor::u64(std::uint64_t& v)
{
    const std::uint8_t* p = m_in.data() + m_pos;
    const std::size_t avail = m_in.size() - m_pos;
    if (avail != 0 && p[0] < 0x80) { // the common case: one byte
        v = p[0];
        ++m_pos;
        return true;
    }
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < kMaxBytes; ++i) {
        if (i == avail)
            return false; // truncated
        const std::uint8_t b = p[i];
        if (i == kMaxBytes - 1 && b > 1)
            return false; // bits beyond 64, or a continuation past 10 bytes
        value |= static_cast<std::uint64_t>(b & 0x7F) << (7 * i);
        if (b < 0x80) {
            if (b == 0 && i != 0)
                return false; // not the shortest form
            v = value;
            m_pos += i + 1;
            return true;
        }
    }
    return false; // unreachable: the 10th byte is 0 or 1, so it ends the loop
}

bool Cursor::zigzag(std::int64_t& v)
{
    std::uint64_t u = 0;
    if (!u64(u))
        return false;
    v = static_cast<std::int64_t>((u >> 1) ^ (~(u & 1) + 1));
    return true;
}

bool Cursor::byte(std::uint8_t& v)
{
    if (m_pos == m_in.size())
        return false;
    v = m_in[m_pos++];
    return true;
}

bool Cursor::u32le(std::uint32_t& v)
{
    if (left() < 4)
        return false;
    const std::uint8_t* p = m_in.data() + m_pos;
    v = std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 | std::uint32_t(p[3]) << 24;
    m_pos += 4;
    return true;
}

bool Cursor::u64le(std::uint64_t& v)
{
    std::uint32_t lo = 0, hi = 0;
    if (left() < 8)
        return false;
    u32le(lo);
    u32le(hi);
    v = std::uint64_t(lo) | std::uint64_t(hi) << 32;
    return true;
}

bool Cursor::bytes(ByteView& v, std::size_t n)
{
    if (left() < n)
        return false;
    v = m_in.subspan(m_pos, n);
    m_pos += n;
    return true;
}

} // namespace coffer::varint
