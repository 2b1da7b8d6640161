// Copies of entries handed to other programs (SECURITY.md "Opened copies"):
// a file opened with a double click, or dragged out, is extracted with the
// usual rules (authenticated whole before it appears at its name) into a
// private folder "open-XXXXXXXXXXXX" (mode 0700, held with an flock while
// its window lives) under a base folder of ours (mode 0700):
// $XDG_RUNTIME_DIR/coffer, memory-backed on most desktops. The window removes
// its folder when it closes; a crash leaves it for the sweep at the next start.
#pragma once

#include "Extract.h"
#include "FileIO.h"
#include "Paths.h"
#include "Primitives.h"

#include <filesystem>
#include <string>
#include <vector>

namespace coffer {

/// $XDG_RUNTIME_DIR/coffer; Coffer's own temporary folder in portable mode
/// or under COFFER_HOME (nothing is written elsewhere); else the cache folder's
/// coffer/ ($XDG_CACHE_HOME or ~/.cache).
std::filesystem::path openCopiesBase(const DataLocations& locations);

/// True for "open-" and 12 lowercase hex digits.
bool isOpenCopiesName(std::string_view name);

/// What a copy was when it was handed over, to tell on close whether the
/// other program changed it.
struct CopySnapshot {
    std::filesystem::path path;
    std::uint64_t size = 0;
    std::int64_t mtimeNs = 0;
    crypto::Digest32 sha256{};
};

/// Reads `path` (a regular file, not through a link) for its snapshot.
Result<CopySnapshot> snapshotOf(const std::filesystem::path& path);
/// True if the file is gone, or its size, time or content differ.
bool differsFrom(const CopySnapshot& snapshot);

/// Extracts `only` (archive paths; a folder brings what is under it) into
/// `slot`, a folder that must not exist yet. Returns what appeared there.
Result<ExtractSummary> extractCopy(const std::filesystem::path& container, const crypto::IdentityList& identities,
                                   std::vector<std::string> only, const std::filesystem::path& slot, JobControl& job);

/// One window's private folder. Move-only; destroying it removes the folder.
class OpenCopies {
public:
    /// Makes `base` if missing (every level made here 0700) and checks it is a
    /// folder of ours, not a link, that only we can enter; then makes a fresh
    /// open-XXXXXXXXXXXX in it and holds it with an flock.
    static Result<OpenCopies> create(const std::filesystem::path& base);
    OpenCopies(OpenCopies&&) noexcept = default;
    OpenCopies& operator=(OpenCopies&&) noexcept;
    ~OpenCopies();

    const std::filesystem::path& folder() const { return m_folder; }
    /// A new, not yet existing folder inside folder() for one extraction.
    std::filesystem::path nextSlot();
    /// Remembers a copy handed to another program, for changedCopies().
    void remember(CopySnapshot snapshot) { m_handedOut.push_back(std::move(snapshot)); }
    /// The copies another program changed (or removed) since they were handed over.
    std::vector<std::filesystem::path> changedCopies() const;
    /// Removes the folder and everything in it, without following links.
    void removeAll();

private:
    OpenCopies() = default;

    std::filesystem::path m_folder;
    UniqueFd m_base;
    UniqueFd m_lock; // the folder itself, flocked: the startup sweep leaves it alone
    std::string m_name;
    int m_slots = 0;
    std::vector<CopySnapshot> m_handedOut;
};

/// Removes the open-* folders in `base` left by a Coffer that stopped without
/// cleaning up (a crash, a kill): only folders (never links) of this user that
/// no running Coffer holds. Does nothing if `base` is not a folder of ours.
/// Returns how many it removed.
int sweepStaleOpenCopies(const std::filesystem::path& base);

} // namespace coffer
