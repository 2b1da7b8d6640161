// Blocks set aside on disk while memory is short, encrypted under a key made
// for this file alone and never stored: `coffer list` of an index whose paths
// do not fit in memory keeps its sorted runs here (FORMAT.md §8 allows
// 2,000,000 paths of 4 KiB each). The file has no name (O_TMPFILE, else
// unlinked as soon as it is made): nothing is left behind, whatever ends the
// process, and no other process can open it by a path.
#pragma once

#include "FileIO.h"
#include "Primitives.h"
#include "Result.h"

#include <cstdint>
#include <filesystem>
#include <vector>

namespace coffer {

class SpillFile {
public:
    /// An empty spill file in `dir` (made, mode 0700, if missing).
    static Result<SpillFile> create(const std::filesystem::path& dir);

    /// Seals `block` and appends it: its number (0, 1, 2, ...).
    Result<std::uint64_t> append(crypto::ByteView block);
    /// Block `number` as it was appended, or Damaged if the file no longer
    /// holds exactly what this process sealed there.
    Status read(std::uint64_t number, crypto::Bytes& out);
    std::uint64_t blockCount() const { return m_blocks.size(); }
    /// The descriptor (tests read the raw file through it).
    int fd() const { return m_fd.get(); }

private:
    SpillFile(UniqueFd fd, crypto::AesGcm256 aead) : m_fd(std::move(fd)), m_aead(std::move(aead)) {}
    struct Block {
        std::uint64_t offset;
        std::uint64_t sealedSize;
    };
    UniqueFd m_fd;
    crypto::AesGcm256 m_aead;
    std::vector<Block> m_blocks;
    std::uint64_t m_end = 0;
};

} // namespace coffer
