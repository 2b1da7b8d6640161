// Free space before extraction writes (FORMAT.md §5.6, issue 17): a container
// that expands a thousandfold must be refused before it fills the disk, not
// rolled back after. Sizes are what the archive declares, so nothing needs to
// be decompressed to know them.
#pragma once

#include "Result.h"

#include <cstdint>
#include <filesystem>

namespace coffer {

class FreeSpaceGuard {
public:
    /// Kept free on top of what is written: room for metadata, for writes still
    /// queued when free space was last asked, and for everyone else; 1% of a
    /// small file system.
    static constexpr std::uint64_t kMargin = 64 * 1024 * 1024;

    explicit FreeSpaceGuard(std::filesystem::path where) : m_where(std::move(where)) {}
    /// Refuses (Io: "needs X, Y free") unless `bytes` in `files` files fit, with
    /// the margin, in what is free now less what was reserved since it was asked.
    Status reserve(std::uint64_t bytes, std::uint64_t files = 1);

private:
    Status refresh();

    std::filesystem::path m_where;
    bool m_known = false;
    std::uint64_t m_free = 0; // at the last statvfs
    std::uint64_t m_margin = kMargin;
    std::uint64_t m_reserved = 0; // since then
};

} // namespace coffer
