// Writes the archive (FORMAT.md §5) into the payload stream: one record per
// entry, each file as a sequence of independent zstd frames or raw bytes,
// then the compressed index and the trailer.
#pragma once

#include "ArchiveFormat.h"
#include "FileIO.h"
#include "InputScan.h"
#include "Job.h"
#include "Keys.h"
#include "PayloadStream.h"
#include "Zstd.h"

namespace coffer {

enum class Compression { Auto, Off, Max };

class ArchiveWriter {
public:
    ArchiveWriter(crypto::PayloadWriter& payload, Compression compression, JobControl& job);

    /// Sign the index with this identity; turns on per-entry SHA-256 (FORMAT.md §5.7).
    void setSigner(const crypto::SecretIdentity* signer) { m_signer = signer; }

    /// Streams the scanned entries; files are re-opened and must not change meanwhile.
    Status writeEntries(const ScanResult& scan);
    /// A file whose bytes are in memory, stored without compression (so secret
    /// bytes pass only through the payload's wiped buffers).
    Status writeMemoryFile(const EntryInfo& info, ByteView data);
    /// Index and trailer; call once after the entries.
    Status finish(const std::vector<IndexRecipient>& recipients);

    std::uint64_t plaintextSize() const { return m_offset; }

private:
    struct PendingFile {
        const SourceEntry* entry;
        EntryInfo info;
        Bytes data;
        Bytes frame;
        Status status;
    };
    Status writeDirectory(const EntryInfo& info);
    Status openSource(const SourceEntry& entry, UniqueFd& fd, EntryInfo& info);
    Status checkEndOfFile(int fd, const std::filesystem::path& path);
    bool wantsCompression(const EntryInfo& info) const;
    Status flushSmallFiles();
    Status writeLargeFile(const SourceEntry& entry, int fd, EntryInfo info);
    Status put(ByteView data);

    crypto::PayloadWriter& m_payload;
    Compression m_compression;
    JobControl& m_job;
    ArchiveIndex m_index;
    std::uint64_t m_offset = 0;
    Progress m_progress;
    ZstdCompressor m_compressor;                                      // this thread's
    std::vector<std::unique_ptr<ZstdCompressor>> m_workerCompressors; // one per pool worker
    std::vector<Bytes> m_blocks;                                      // one block per worker
    std::vector<Bytes> m_frames;
    std::vector<PendingFile> m_small;
    std::size_t m_smallBytes = 0;
    const crypto::SecretIdentity* m_signer = nullptr;
};

/// True for names whose content is already compressed (jpg, zip, mp4...).
bool looksCompressed(const std::string& fileName);

} // namespace coffer
