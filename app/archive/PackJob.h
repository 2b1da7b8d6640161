// A pack read from a container file and the members to extract from it
// (FORMAT.md §5.8), run on the extraction target's writer threads.
#pragma once

#include "PackLoader.h"
#include "Primitives.h"
#include "SmallFileWriter.h"

#include <optional>
#include <vector>

namespace coffer {

/// A pack read from a file (its stored bytes decrypted and authenticated) and
/// the members to extract from it: decompressed, checked and written out on
/// the target's writer threads while the next pack is decrypted.
struct PackJob {
    std::size_t packEntry = 0;
    EntryInfo pack;
    Bytes stored;
    struct Member {
        EntryInfo info;
        std::size_t position;
        std::optional<crypto::Digest32> sha256;
    };
    std::vector<Member> members;
    /// Format v2, signed: the SHA-256 of the whole content (decodePack).
    std::optional<crypto::Digest32> contentHash;

    /// Decompresses the pack, writing each member out as soon as its bytes
    /// are decoded (the whole 16 MiB never needs to be in memory at once).
    Status run(SmallFileWriter::Context& context, JobControl& job) const;
};

} // namespace coffer
