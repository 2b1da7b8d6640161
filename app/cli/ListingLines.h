// The lines `coffer list` prints, kept until they can be sorted by path:
// "path\0line" records in blocks of 1 MiB and pointers to them, so a million
// entries cost some tens of MiB (no string or entry of its own per line).
// Past a budget (32 MiB), the lines held are sorted and set aside as a run in
// an encrypted, nameless spill file (SpillFile), and print() merges the runs:
// a hostile index of 2,000,000 paths of 4 KiB lists in the budget plus 64 KiB
// a run instead of 8 GiB.
#pragma once

#include "ArchiveFormat.h"
#include "SpillFile.h"

#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

namespace coffer::cli {

class ListingLines {
public:
    static constexpr std::size_t kDefaultBudget = std::size_t(32) << 20;

    /// Runs go to a spill file in `spillDir` (none: everything stays in memory).
    explicit ListingLines(bool longFormat, std::filesystem::path spillDir = {}, std::size_t budget = kDefaultBudget);

    /// One file or folder (a pack is the caller's to leave out).
    void add(const IndexEntry& e);
    /// By path, as people read a folder; storage order is the writer's business.
    /// Fails if the lines outgrew 8 times the budget with no spill file to be
    /// had (LimitExceeded, before a line is printed), or if the spill file
    /// cannot be read back as written.
    Status print(std::FILE* out = stdout);

    /// Sorted runs set aside so far.
    std::size_t runCount() const { return m_runs.size(); }
    /// The most bytes of lines (and pointers to them) held in memory at once.
    std::size_t peakHeldBytes() const { return m_peakHeld; }

private:
    static constexpr std::size_t kBlock = 1 << 20;
    std::size_t heldBytes() const { return m_blocks.size() * kBlock + m_starts.capacity() * sizeof(const char*); }
    void sortHeld();
    /// Writes the held lines, sorted, as one run; if the file refuses, they
    /// stay and m_spillBroken is set.
    void spillRun();

    bool m_long;
    std::filesystem::path m_spillDir;
    std::size_t m_budget;
    std::vector<std::unique_ptr<char[]>> m_blocks;
    char* m_next = nullptr; // where the next record goes in the last block
    std::size_t m_room = 0; // and the bytes left there
    std::vector<const char*> m_starts;
    std::size_t m_peakHeld = 0;
    std::optional<SpillFile> m_spill;
    bool m_spillBroken = false;                     // could not be made or written: keep in memory, up to a point
    std::optional<Error> m_error;                   // past that point: nothing more is kept
    std::vector<std::vector<std::uint64_t>> m_runs; // each run's block numbers
};

} // namespace coffer::cli
