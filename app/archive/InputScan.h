// Turns the paths a user chose into archive entries: folders are walked,
// names become '/'-separated archive paths, symlinks (unless followed: see
// LinkPolicy) and special files are skipped with a warning (FORMAT.md §5.5). The walk runs on a thread of its
// own and hands entries over in batches, so that encryption starts on the
// first files while the rest are still being found.
#pragma once

#include "ArchiveFormat.h"
#include "FileIO.h"
#include "Job.h"
#include "WorkerThreads.h"

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <sys/stat.h>
#include <vector>

namespace coffer {

/// A folder the user chose, held open from the scan to the reading: what is
/// under it is opened relative to it, never through a link (SourceFile.h).
struct ScanRoot {
    UniqueFd fd;
    std::size_t prefix = 0; // bytes of an entry's `source` before its path below the root
};

struct SourceEntry {
    std::string source; // a string, not a path: a path keeps a list of its components (400 B per file)
    EntryInfo info;     // size as seen by the scan; re-read when the file is opened
    std::shared_ptr<const ScanRoot> root; // null for an input the user named itself
    // The file the scan found (for a followed link, its target): the one read must be it.
    dev_t device = 0;
    ino_t inode = 0;
};

/// An entry the scan handed over, holding the batch it came in (an aliasing
/// shared_ptr): a batch goes once its last entry is written, not at the end.
using EntryRef = std::shared_ptr<const SourceEntry>;

/// What the scan does with a symbolic link. A followed link is stored as what
/// it points to, under the link's own name; the link itself is never stored.
/// A link back into a folder that contains it (a loop) is always skipped, and
/// the scan stops at kMaxEntries, so links that fan out cannot run it away.
enum class LinkPolicy {
    Skip,         // skipped with a warning (the default)
    FollowInside, // followed if it points inside the chosen inputs (a chosen link always is)
    FollowAll,    // followed wherever it points
};

/// Walks `inputs` in a stable (sorted) order. Warnings go to `job` (from the
/// scan's thread: read them once the scan ended).
class ScanStream {
public:
    using Batch = std::vector<SourceEntry>;
    /// Destroying it stops the walk if it still runs, and waits for it.
    ScanStream(std::vector<std::filesystem::path> inputs, JobControl& job, LinkPolicy links = LinkPolicy::Skip);
    ScanStream(const ScanStream&) = delete;
    ScanStream& operator=(const ScanStream&) = delete;

    /// Waits until every input was found (the walk has started below them);
    /// fails if one is missing or cannot be stored as a whole.
    Status started() const;
    /// The next entries, in order, waiting for them; nullopt once all were
    /// handed over, or if the walk failed (status() says which).
    std::optional<Batch> next();
    Status status() const;
    /// What the entries handed over so far add up to (all, after the last batch).
    std::uint64_t totalBytes() const;
    std::uint64_t fileCount() const;

private:
    void run(const std::vector<std::filesystem::path>& inputs, JobControl& job, LinkPolicy links);

    static constexpr std::size_t kQueuedBatches = 64; // of 256 entries: about 3 MiB

    mutable std::condition_variable m_ready;
    std::deque<Batch> m_batches;
    Status m_status = Status::success();
    bool m_checked = false; // every input exists
    bool m_ended = false;
    std::uint64_t m_totalBytes = 0;
    std::uint64_t m_fileCount = 0;
    crypto::WorkerThreads m_thread; // last: stops before the state above goes
};

/// Tests only: runs on the scan's thread once the walk has found everything and
/// before it hands over its last batch (all of a tree under 256 entries), so a
/// test can change the tree between the scan and the reading.
void setScanEndHookForTests(std::function<void()> hook);

/// The archive mode/mtime fields for a stat result.
void fillInfoFromStat(EntryInfo& info, const struct stat& st);

} // namespace coffer
