// Runs an extraction through either reader -- the random-access file reader
// or the front-to-back stream reader fed through standard input -- inside a
// sandbox whose every byte is compared before and after.
#pragma once

#include "Extract.h"
#include "HostileContainer.h"
#include "TestSupport.h"

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace coffer::test {

/// Makes `job`'s first progress report sleep for `wait`: the scan runs on
/// ahead meanwhile (as far as it may), which tests of a layout that must not
/// depend on the scan's pace use to push the timing one way.
void waitOnFirstReport(JobControl& job, std::chrono::milliseconds wait);

enum class ReaderMode { File, Stream };
const char* readerName(ReaderMode mode);
inline constexpr ReaderMode kBothReaders[] = {ReaderMode::File, ReaderMode::Stream};

/// Puts a file on STDIN_FILENO for the lifetime of the object, then restores it.
class StdinFromFile {
public:
    explicit StdinFromFile(const std::filesystem::path& path);
    ~StdinFromFile();
    StdinFromFile(const StdinFromFile&) = delete;
    StdinFromFile& operator=(const StdinFromFile&) = delete;

private:
    int m_saved = -1;
};

/// extractContainer on `container`, as a path or (Stream) as "-" with the file on stdin.
Result<ExtractSummary> extractWith(ReaderMode mode, const std::filesystem::path& container, ExtractRequest request,
                                   const crypto::IdentityList& identities, JobControl& job);
Result<ExtractSummary> extractWith(ReaderMode mode, const std::filesystem::path& container,
                                   const std::filesystem::path& destination, const crypto::IdentityList& identities);

/// Flips the lowest bit of the byte at `offset` of the file (a damaged chunk, say).
void flipByte(const std::filesystem::path& path, std::uint64_t offset);

/// The index entry with this path, or null.
const IndexEntry* findEntry(const ArchiveIndex& index, const std::string& path);

/// Every path under `root` with its type, permission bits, and (files) size and
/// content hash, or (links) target: what "untouched" means. Folder times are
/// left out, as creating and removing a temporary file changes them.
std::vector<std::string> snapshotTree(const std::filesystem::path& root);

/// root/top/dest (holding a marker file), root/top/sibling and root/outside
/// (both empty), and the container at root/hostile.coffer, sealed to `identity`.
class ExtractScene {
public:
    ExtractScene();

    TempDir root;
    std::filesystem::path top, dest, sibling, outside, container;
    crypto::SecretIdentity identity;

    void write(const HostileArchive& archive) const;
    Result<ExtractSummary> extract(ReaderMode mode) const;
    /// Both readers must refuse `archive` with these codes and leave the whole sandbox as it was.
    void expectRefused(const HostileArchive& archive, ErrorCode fileCode, ErrorCode streamCode) const;
    void expectRefused(const HostileArchive& archive, ErrorCode code) const { expectRefused(archive, code, code); }
    /// Both readers must refuse `archive` with one of `codes` and leave the sandbox as it was.
    void expectRefusedWithAnyOf(const HostileArchive& archive, const std::vector<ErrorCode>& codes) const;
    /// Both readers must accept `archive`; the destination is reset in between.
    void expectAccepted(const HostileArchive& archive) const;
};

} // namespace coffer::test
