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

/// Checks one archive path; the error says which rule it breaks.
Status checkArchivePath(std::string_view path);

/// The set of paths of one archive: refuses unsafe paths, duplicates (also
/// after case folding and NFC normalisation), and a file that is also the
/// parent of another entry.
class PathSet {
public:
    Status add(std::string_view path, bool isDirectory);

private:
    enum class Kind { File, Directory, ImpliedDirectory };
    std::unordered_map<std::string, Kind> m_folded;
};

/// The folded form used to detect collisions on case-insensitive or
/// normalising file systems.
std::string foldPath(std::string_view path);

} // namespace coffer
