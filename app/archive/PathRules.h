// Archive path rules (FORMAT.md §5.5): what a path inside a container may be,
// so that extraction can never leave the chosen destination.
#pragma once

#include "Primitives.h"
#include "Result.h"

#include <string>
#include <string_view>
#include <vector>

namespace coffer {

inline constexpr std::size_t kMaxPathBytes = 4096;
inline constexpr std::size_t kMaxComponentBytes = 255;
/// Paths one archive may name, the folders its paths imply included (a
/// million entries whose folders are not listed may imply a thousand times
/// more): PathSet's table stays under 64 MiB.
inline constexpr std::size_t kMaxPathSetPaths = 2'000'000;

/// True for a name Coffer gives its own bookkeeping beside the user's files
/// (FORMAT.md §5.5): a staging folder ".coffer-extract-*" or a rekey journal
/// ".*.rekey-journal", in any ASCII case (a disk that folds case finds them so).
bool isBookkeepingName(std::string_view component);

/// Checks one archive path; the error says which rule it breaks.
Status checkArchivePath(std::string_view path);

/// The set of paths of one archive: refuses unsafe paths, duplicates, and a
/// file that is also the parent of another entry. Names that differ only in
/// case or Unicode normalisation are distinct, as on Linux.
///
/// It keeps no names: each path is a 128-bit hash (SipHash-2-4 under a key
/// of this set's own, and std::hash) in a flat table, 16 bytes a slot, at
/// most 3/4 full: a million paths in 32 MiB instead of the ~100 bytes a path
/// that a map of strings takes. Two paths that differ can only be taken for
/// one another if both halves collide; a sender who does not know the key
/// cannot aim for that, and by chance it is about 2^-86 for a million paths.
/// Such a collision could only refuse an archive, or skip checking the
/// ancestors of a path whose parent is already known as a folder.
class PathSet {
public:
    PathSet();
    Status add(std::string_view path, bool isDirectory);
    /// Room for about `paths` paths (an index says how many it holds): no rehashing on the way.
    void reserve(std::size_t paths);
    std::size_t size() const { return m_used; }

private:
    enum class Kind : std::uint8_t { File = 1, Directory = 2, ImpliedDirectory = 3 };
    struct Slot {
        std::uint64_t keyed = 0;
        std::uint64_t plain = 0; // std::hash with its low two bits replaced by the Kind: 0 = empty
    };
    Slot& find(std::string_view path); // its slot, or the empty one where it would go
    void grow(std::size_t slots);

    crypto::KeyedHash m_hash;
    std::vector<Slot> m_slots;
    std::size_t m_used = 0;
};

} // namespace coffer
