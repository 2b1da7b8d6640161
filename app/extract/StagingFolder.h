// Folder plumbing for extraction's staging folder (SECURITY.md "Extraction
// safety"): walking to a file's folder without following links, creating
// files that never replace anything, and removing a staging folder that an
// interrupted extraction left behind.
#pragma once

#include "FileIO.h"

#include <cstdint>
#include <dirent.h>
#include <filesystem>
#include <string>
#include <sys/stat.h>
#include <vector>

namespace coffer {

/// Hidden folders ".coffer-extract-XXXXXXXXXXXX" in the destination hold an
/// extraction until it is complete.
inline constexpr std::string_view kStagingPrefix = ".coffer-extract-";

/// True if `fd` is open on the folder `expected` was taken of (same device and inode).
bool sameFolder(int fd, const struct stat& expected);

/// Opens `dirFd` itself for readdir (closedir() it); null (no descriptor left open) on failure.
DIR* openDirAt(int dirFd);

/// 12 random lowercase hex digits: the unique part of our bookkeeping names.
std::string randomSuffix();

/// True for exactly kStagingPrefix and 12 lowercase hex digits.
bool isStagingName(std::string_view name);

/// The components of an archive path, its folder part and its last component.
std::vector<std::string> splitPath(const std::string& path);
std::string parentPath(const std::string& path);
std::string lastComponent(const std::string& path);

/// One call for a whole folder path, refusing links and anything outside
/// `root` (openat2, Linux 5.6); -1 when it cannot (a missing folder, a link,
/// an older kernel, a path longer than PATH_MAX).
int openBeneath(int root, const std::string& path);

/// An existing folder under `root`, opened without following a link in any
/// component; invalid (errno set) if there is none.
UniqueFd openExistingFolder(int root, const std::string& path);

/// Opens the folders that hold files, relative to a root folder, creating the
/// missing ones, never through a link. Files arrive folder by folder, so the
/// last folder stays open.
class FolderCursor {
public:
    FolderCursor(int rootFd, std::filesystem::path shownRoot) : m_root(rootFd), m_shown(std::move(shownRoot)) {}

    /// The folder that holds `path` (relative to the root). Borrowed: valid
    /// until the next call or reset().
    Result<int> parentOf(const std::string& path);
    /// Opens (creating if missing) the folder `path` itself.
    Result<UniqueFd> openFolder(const std::string& path);
    /// Makes sure the folder `path` exists, and keeps it open as the last one.
    Status makeFolder(const std::string& path);
    void reset()
    {
        m_last.reset();
        m_lastPath.clear();
    }

private:
    int m_root;
    std::filesystem::path m_shown;
    UniqueFd m_last;
    std::string m_lastPath;
};

/// Creates `name` in `dirFd` for writing with `mode` (the umask applies),
/// never replacing anything: a taken name (a file system that folds case,
/// say) gets the first free "name (N)".
Result<UniqueFd> createFileAt(int dirFd, const std::string& name, std::uint16_t mode,
                              const std::filesystem::path& shown);

/// Sets a written file's modification time.
void setFileTime(int fd, std::int64_t seconds, std::uint32_t nanoseconds);

/// Removes `name` in `dirFd` and everything under it, never following a link
/// and holding two descriptors at most, whatever the depth. Best effort.
/// `onlyOurs`: leaves what Coffer never creates (links, special files, a
/// file with other names elsewhere, anything of another owner) and the
/// folders that hold it. True if everything is gone.
bool removeTreeAt(int dirFd, const std::string& name, bool onlyOurs = false);

class StagingRecords;

/// Removes the staging folders in `dirFd` that Coffer recorded making there
/// (StagingRecord.h) and that no running Coffer holds (each holds an flock on
/// its own): what a killed extraction left. Only folders owned by this user,
/// mode 0700, and only what Coffer makes inside them; returns the names of
/// those it had to leave something in.
std::vector<std::string> removeStaleStagingFolders(int dirFd, StagingRecords& records);

} // namespace coffer
