// The destination side of extraction (DESIGN §4, SECURITY.md "Extraction
// safety"): everything is written into a hidden staging folder inside the
// destination, ".coffer-extract-XXXXXXXXXXXX", opened without following
// links; only finish(), once every byte authenticated, moves its contents
// into the destination (one rename per top-level name, unless it has to be
// merged into a folder the user already has). Destroyed before finish(), it
// removes the staging folder and undoes what finish() had moved.
#pragma once

#include "ArchiveFormat.h"
#include "AsyncFileWriter.h"
#include "FileIO.h"
#include "Job.h"
#include "SmallFileWriter.h"
#include "StagingFolder.h"
#include "StagingRecord.h"

#include <filesystem>
#include <memory>
#include <string>
#include <sys/types.h>
#include <vector>

namespace coffer {

class ExtractTarget {
public:
    static Result<ExtractTarget> open(const std::filesystem::path& destination, bool overwrite);
    ExtractTarget(ExtractTarget&&) noexcept;
    ~ExtractTarget();

    /// Starts a file; write its bytes with write(), then commitFile().
    Status beginFile(const EntryInfo& info);
    Status write(ByteView data);
    Status commitFile();
    /// As commitFile(), for a file whose size no header declared (a single-file
    /// age stream, FORMAT.md §13): what was written is its size.
    Status commitFileAsWritten();
    /// A file whose bytes are all at hand (a pack member read from a pipe):
    /// copied, and written on the writer threads while the caller goes on.
    Status writeWholeFile(const EntryInfo& info, ByteView bytes);
    /// Runs `task` on the writer threads (a pack to decompress and write out);
    /// `weight`: the bytes it holds and will allocate.
    Status runOnWriters(SmallFileWriter::Task task, std::size_t weight);
    Status makeDirectory(const EntryInfo& info);

    /// Waits until the writer threads have written everything handed to them,
    /// or until `job` is cancelled.
    Status drain(const JobControl* job = nullptr);
    /// Moves everything into the destination, sets folder modes and times.
    /// After this nothing is rolled back.
    Status finish();
    /// Removes everything this extraction created and puts back what it moved aside.
    void rollback();

    /// What finish() put into the destination: its top-level files and
    /// folders, and files merged into folders the user already had.
    const std::vector<std::filesystem::path>& placed() const { return m_placed; }
    /// For the user: stale staging folders that held something Coffer does not make.
    const std::vector<std::string>& notices() const { return m_notices; }

private:
    ExtractTarget() = default;
    Status placeAll();
    Result<bool> place(int from, int to, const std::string& path);
    void unplace();
    Status handOverBatch();
    Status makeStagingFolder();
    void removeStagingFolder();

    struct Batch { // files for the writer threads: a task per file would cost more than its write
        std::vector<EntryInfo> files;
        Bytes bytes; // their contents back to back: only what is extracted is held
    };

    struct DirAttributes {
        std::string path; // archive path
        std::int64_t seconds;
        std::uint32_t nanoseconds;
        std::uint16_t mode;
    };
    struct Moved {
        std::string staged; // relative to the staging folder
        std::string placed; // relative to the destination
    };
    struct Replaced {
        std::string path;  // the user's file, relative to the destination
        std::string aside; // where it waits until finish() (or rollback() restores it)
    };

    std::filesystem::path m_destination;
    UniqueFd m_root;
    std::string m_stagingName;
    StagingRecords m_records; // m_stagingName is recorded there while it exists
    std::vector<std::string> m_notices;
    UniqueFd m_staging; // holds an flock: a live extraction's folder is not "stale"
    std::unique_ptr<FolderCursor> m_folders;
    std::unique_ptr<SmallFileWriter> m_smallFiles;
    Batch m_batch;
    bool m_overwrite = false;
    mode_t m_umask = 022;
    bool m_anyFile = false;
    bool m_finished = false;

    // The file being written by beginFile()/write()/commitFile().
    UniqueFd m_file;
    EntryInfo m_fileInfo;
    std::uint64_t m_fileWritten = 0;
    std::unique_ptr<AsyncFileWriter> m_async; // large files: written on a thread

    std::vector<DirAttributes> m_dirs;
    std::vector<Moved> m_moved;
    std::vector<Replaced> m_replaced;
    std::vector<std::filesystem::path> m_createdAncestors; // the destination and missing parents, deepest first
    std::vector<std::filesystem::path> m_placed;
};

} // namespace coffer
