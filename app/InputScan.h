// Turns the paths a user chose into archive entries: folders are walked,
// names become '/'-separated archive paths, symlinks and special files are
// skipped with a warning (FORMAT.md §5.5).
#pragma once

#include "ArchiveFormat.h"
#include "Job.h"

#include <filesystem>
#include <sys/stat.h>
#include <vector>

namespace coffer {

struct SourceEntry {
    std::string source; // a string, not a path: a path keeps a list of its components (400 B per file)
    EntryInfo info;     // size as seen by the scan; re-read when the file is opened
};

struct ScanResult {
    std::vector<SourceEntry> entries;
    std::uint64_t totalBytes = 0;
    std::uint64_t fileCount = 0;
};

/// Walks `inputs` in a stable (sorted) order. Warnings go to `job`.
Result<ScanResult> scanInputs(const std::vector<std::filesystem::path>& inputs, JobControl& job);

/// The archive mode/mtime fields for a stat result.
void fillInfoFromStat(EntryInfo& info, const struct stat& st);

} // namespace coffer
