// What an extraction takes and where it goes, apart from how the container is
// read: the selection (ExtractRequest::only), and the destination side that
// both readers feed (the staging target, progress and the summary). Extract.cpp
// pulls entries from an IndexedReader (a file) or a SequentialReader (a
// stream) and hands them to an Extraction.
#pragma once

#include "EntryReader.h"
#include "Extract.h"
#include "ExtractTarget.h"

#include <string>
#include <vector>

namespace coffer {

struct ExtractPlan {
    const ExtractRequest& request;

    /// An archive path named in `only`, or under a folder named there (all when `only` is empty).
    bool selects(const std::string& path) const;
    /// Refuses a name in `only` that the container does not hold.
    Status checkFound(const std::vector<IndexEntry>& entries) const;
    /// The same over a container read a part at a time: `found` (one flag
    /// per name in `only`) is marked for each part, then checked.
    void markFound(const std::vector<IndexEntry>& entries, std::vector<bool>& found) const;
    void markFound(const std::string& path, std::vector<bool>& found) const;
    Status checkFound(const std::vector<bool>& found) const;
    /// The selected files' count and size as the index declares them (hostile sizes saturate).
    void countSelected(const ArchiveIndex& index, Progress& progress) const;
};

/// The destination side of one extraction: entries go into the staging
/// target, counted for progress and the summary; finish() places them.
class Extraction {
public:
    Extraction(ExtractTarget target, JobControl& job);
    Extraction(const Extraction&) = delete;
    Extraction& operator=(const Extraction&) = delete;

    ExtractTarget& target() { return m_target; }
    Progress& progress() { return m_progress; }
    /// Starts a file whose bytes come through sink(), then target().commitFile().
    Status beginFile(const EntryInfo& info);
    DataSink sink();
    /// A file whose bytes are all at hand (a pack member): counted here,
    /// written by the target's threads.
    void account(const EntryInfo& info);
    /// One more file in the summary.
    void fileDone(const EntryInfo& info);
    /// Waits for the writer threads and places everything (nothing is rolled back after this).
    Result<ExtractSummary> finish(ArchiveIndex index);

private:
    ExtractTarget m_target;
    JobControl& m_job;
    Progress m_progress;
    ExtractSummary m_summary;
};

} // namespace coffer
