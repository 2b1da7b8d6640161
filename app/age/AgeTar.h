// The tar inside a .tar.age (FORMAT.md §13): several files or a folder sent
// as one age file are a POSIX pax tar, which `age -d | tar -x` opens. Written
// and read with libarchive, streaming (no temporary file). Reading applies
// the rules of a Coffer container (FORMAT.md §5.5): every path is checked,
// links are never made, and the caller stages everything until the age
// stream authenticated to its end.
#pragma once

#include "ArchiveFormat.h"
#include "EntryReader.h"
#include "FileIO.h"
#include "InputScan.h"
#include "Job.h"
#include "PathRules.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>

struct archive;
struct archive_entry;

namespace coffer {

/// Writes every entry of `scan` into `sink` as a pax tar, each file read
/// without following a link and checked against what the scan saw.
Status writeTar(ScanStream& scan, ByteSink& sink, JobControl& job);

/// Tests only: the entry count above which a tar is refused (kMaxEntries by default).
void setTarEntryLimitForTests(std::uint64_t limit);

/// One tar entry that passed the path rules: a file or a folder. Links and
/// special files are skipped by next() with a warning (Coffer makes neither).
struct TarEntry {
    EntryInfo info;
};

/// Reads a tar from a stream of untrusted bytes, entry by entry.
class TarReader {
public:
    static Result<std::unique_ptr<TarReader>> open(ByteSource& source, JobControl& job);
    ~TarReader();
    TarReader(const TarReader&) = delete;
    TarReader& operator=(const TarReader&) = delete;

    /// The next file or folder, or nullopt at the tar's end. Refuses (Damaged)
    /// a path that breaks FORMAT.md §5.5, a duplicate, an entry under a
    /// skipped link, a hard link to outside the archive, too many entries.
    Result<std::optional<TarEntry>> next();
    /// The current file's bytes, exactly its declared size.
    Status readData(const DataSink& sink);
    /// Reads the source to its end past the tar's end marker: for an age
    /// stream, the only proof that nothing was cut off (Age.h).
    Status drain();

    struct Source;

private:
    TarReader() = default;
    Error failure(const char* what);
    Result<std::optional<TarEntry>> classify(::archive_entry* entry);

    std::unique_ptr<Source> m_source;
    ::archive* m_archive = nullptr;
    JobControl* m_job = nullptr;
    PathSet m_paths;
    std::set<std::string> m_links; // skipped links and special files
    std::uint64_t m_count = 0;
    std::uint64_t m_size = 0; // the current file's declared size
};

} // namespace coffer
