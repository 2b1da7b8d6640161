// The destination side of extraction (DESIGN §4): every file is written under
// a temporary name inside the destination, opened relative to the
// destination folder without following links, and renamed to its real (or a
// free) name only once its bytes authenticated. Destroyed before finish(),
// it removes everything it created.
#pragma once

#include "ArchiveFormat.h"
#include "AsyncFileWriter.h"
#include "FileIO.h"

#include <filesystem>
#include <string>
#include <unordered_set>
#include <vector>

namespace coffer {

class ExtractTarget {
public:
    /// `deferRenames`: keep temporary names until finish() (reading from a pipe,
    /// where the index is checked only at the end).
    static Result<ExtractTarget> open(const std::filesystem::path& destination, bool overwrite, bool deferRenames);
    ExtractTarget(ExtractTarget&&) noexcept;
    ~ExtractTarget();

    /// Starts a file; write its bytes with write(), then commitFile().
    Status beginFile(const EntryInfo& info);
    Status write(ByteView data);
    Status commitFile();
    Status makeDirectory(const EntryInfo& info);

    /// Renames deferred files, sets folder times. After this nothing is rolled back.
    Status finish();
    /// Removes every file and folder this extraction created.
    void rollback();

    const std::vector<std::filesystem::path>& written() const { return m_written; }

private:
    ExtractTarget() = default;
    /// The folder that holds `path`, walked to without following links. The
    /// descriptor is borrowed: valid until the next call or rollback().
    Result<int> openParent(const std::string& path, bool create);
    Status renameIntoPlace(const std::string& tempName, const std::string& path);

    struct Pending {
        std::string tempName; // relative to the destination
        std::string path;     // archive path
    };
    struct DirTime {
        std::string path;
        std::int64_t seconds;
        std::uint32_t nanoseconds;
        std::uint16_t mode;
    };

    std::filesystem::path m_destination;
    UniqueFd m_root;
    UniqueFd m_lastParent;        // the folder openParent() walked to last...
    std::string m_lastParentPath; // ...and its archive path
    bool m_overwrite = false;
    std::uint16_t m_umask = 022;
    bool m_defer = false;
    bool m_finished = false;

    // The file being written.
    UniqueFd m_file;
    std::string m_fileTemp;
    EntryInfo m_fileInfo;
    std::uint64_t m_fileWritten = 0;
    std::unique_ptr<AsyncFileWriter> m_async; // large files: written on a thread

    struct Replaced {
        std::string path;  // the user's file, relative to the destination
        std::string aside; // where it waits until finish() (or rollback() restores it)
    };
    std::vector<Replaced> m_replaced;
    std::vector<Pending> m_pending;                        // deferred renames
    std::vector<std::string> m_createdFiles;               // final names, relative to the destination
    std::vector<std::string> m_createdDirs;                // in creation order
    std::vector<std::filesystem::path> m_createdAncestors; // the destination and missing parents, deepest first
    std::unordered_set<std::string> m_cleanedDirs;         // folders cleared of stale temporaries
    std::vector<DirTime> m_dirTimes;
    std::vector<std::filesystem::path> m_written;
};

/// Removes ".NAME.coffer-tmp-*" leftovers of an interrupted extraction in `dir`.
void removeStaleTemporaries(const std::filesystem::path& dir);

} // namespace coffer
