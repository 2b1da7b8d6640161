// Varints of format v2 (docs/FORMAT-v2.md §3 "varint"): unsigned LEB128 in
// the shortest form, at most 10 bytes, and zigzag for signed values; plus a
// cursor that reads them (and fixed fields) from untrusted bytes.
#pragma once

#include "Primitives.h"

#include <cstdint>

namespace coffer::varint {

using crypto::Bytes;
using crypto::ByteView;

inline constexpr std::size_t kMaxBytes = 10;

/// Appends `v` as unsigned LEB128, shortest form.
void put(Bytes& out, std::uint64_t v);
/// Appends zigzag(v) = (v << 1) ^ (v >> 63) as a varint.
void putZigzag(Bytes& out, std::int64_t v);
/// How many bytes put() writes for `v` (1 to 10).
std::size_t size(std::uint64_t v);

/// Reads from a view; every getter returns false on truncation, non-shortest form,
/// more than 10 bytes, or a value over 64 bits (FORMAT-v2 §3 "varint"). After a
/// false the position is unspecified: the caller stops reading.
class Cursor {
public:
    explicit Cursor(ByteView in) : m_in(in) {}
    bool u64(std::uint64_t& v);
    bool zigzag(std::int64_t& v);
    bool byte(std::uint8_t& v);
    bool u32le(std::uint32_t& v);           // fixed little-endian
    bool u64le(std::uint64_t& v);           // fixed little-endian
    bool bytes(ByteView& v, std::size_t n); // a view into the input, no copy
    std::size_t left() const { return m_in.size() - m_pos; }
    std::size_t position() const { return m_pos; }

private:
    ByteView m_in;
    std::size_t m_pos = 0;
};

} // namespace coffer::varint
