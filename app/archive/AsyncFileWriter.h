// Writes one large file on a thread of its own (crypto::WriteBehind), so that
// extraction decrypts the next bytes while the kernel copies the last ones
// into the page cache. Data is copied into a ring of 1 MiB buffers; write()
// waits only when all of them are still being written. Used for files of
// several MiB: for small files a thread costs more than it saves.
#pragma once

#include "FileIO.h"

#include <array>
#include <filesystem>
#include <memory>

namespace coffer::crypto {
class WriteBehind;
}

namespace coffer {

class AsyncFileWriter {
public:
    AsyncFileWriter(int fd, std::filesystem::path name);
    /// Stops after the write in progress (an abandoned file).
    ~AsyncFileWriter();
    AsyncFileWriter(const AsyncFileWriter&) = delete;
    AsyncFileWriter& operator=(const AsyncFileWriter&) = delete;

    /// Queues `data`; reports an earlier write's error.
    Status write(ByteView data);
    /// Writes what is left and waits for every write.
    Status finish();

    static constexpr std::uint64_t kWorthItFrom = 8 * 1024 * 1024; // bytes

private:
    struct Buffer {
        Bytes bytes;
        std::size_t used = 0;
        std::uint64_t ticket = 0;
    };
    Status post();

    FdSink m_sink;
    std::array<Buffer, 4> m_ring;
    std::size_t m_current = 0;
    std::unique_ptr<crypto::WriteBehind> m_writer; // last: destroyed first
};

} // namespace coffer
