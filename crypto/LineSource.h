// A byte source read line by line and then as plain bytes: the age header
// (FORMAT.md §13) and the ASCII armors (FORMAT.md §13, §14) are read through it.
#pragma once

#include "ByteStream.h"

#include <optional>
#include <string>

namespace coffer::crypto {

/// A source that can be read line by line (a header) and then as plain
/// bytes (a payload), with what was read ahead given back first.
class LineSource final : public ByteSource {
public:
    explicit LineSource(ByteSource& input) : m_input(input) {}
    /// The bytes up to the next LF (not included); nullopt at a clean end of
    /// input. Fails (Damaged) on a line longer than `max` or an input that
    /// ends inside a line.
    Result<std::optional<std::string>> readLine(std::size_t max);
    /// Up to `count` bytes without consuming them (fewer only at the end).
    Result<ByteView> peek(std::size_t count);
    Result<std::size_t> read(MutableByteView buffer) override;

private:
    Status fill(std::size_t count);
    ByteSource& m_input;
    Bytes m_buffer;
    std::size_t m_pos = 0;
    bool m_eof = false;
};

/// A source over bytes in memory (not copied: they must outlive it).
class MemorySource final : public ByteSource {
public:
    explicit MemorySource(ByteView bytes) : m_bytes(bytes) {}
    Result<std::size_t> read(MutableByteView buffer) override;

private:
    ByteView m_bytes;
    std::size_t m_pos = 0;
};

} // namespace coffer::crypto
