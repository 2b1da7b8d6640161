// Archive path rules (FORMAT.md §5.5): what a path inside a container may be,
// so that extraction can never leave the chosen destination.
#pragma once

#include "Result.h"

#include <string>
#include <string_view>
#include <unordered_map>

namespace coffer {

inline constexpr std::size_t kMaxPathBytes = 4096;
inline constexpr std::size_t kMaxComponentBytes = 255;

/// True for a name Coffer gives its own bookkeeping beside the user's files
/// (FORMAT.md §5.5): a staging folder ".coffer-extract-*" or a rekey journal
/// ".*.rekey-journal", in any ASCII case (a disk that folds case finds them so).
bool isBookkeepingName(std::string_view component);

/// Checks one archive path; the error says which rule it breaks.
Status checkArchivePath(std::string_view path);

/// The set of paths of one archive: refuses unsafe paths, duplicates, and a
/// file that is also the parent of another entry. Names that differ only in
/// case or Unicode normalisation are distinct, as on Linux.
class PathSet {
public:
    Status add(std::string_view path, bool isDirectory);
    /// Room for about `paths` paths (an index says how many it holds): no rehashing on the way.
    void reserve(std::size_t paths) { m_paths.reserve(paths); }

private:
    enum class Kind { File, Directory, ImpliedDirectory };
    struct Hash { // looks up string_views without building a string
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };
    std::unordered_map<std::string, Kind, Hash, std::equal_to<>> m_paths;
};

} // namespace coffer
