// The two ends of a byte stream, as the payload reader and writer see them
// (FORMAT.md §4): files, pipes, parts of a container and memory buffers all
// implement them.
#pragma once

#include "Result.h"
#include "SecureMemory.h"

#include <cstddef>

namespace coffer::crypto {

/// Somewhere to put bytes (a file, a pipe, a buffer).
class ByteSink {
public:
    virtual ~ByteSink() = default;
    virtual Status write(ByteView data) = 0;
};

/// Somewhere to get bytes. read() returns 0 only at the end.
class ByteSource {
public:
    virtual ~ByteSource() = default;
    virtual Result<std::size_t> read(MutableByteView buffer) = 0;
};

} // namespace coffer::crypto
