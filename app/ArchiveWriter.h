// Writes the archive (FORMAT.md §5) into the payload stream: one record per
// entry, each file as a sequence of independent zstd frames or raw bytes,
// then the compressed index and the trailer.
#pragma once

#include "ArchiveFormat.h"
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
    Status writeFile(const SourceEntry& entry);
    Status put(ByteView data);

    crypto::PayloadWriter& m_payload;
    Compression m_compression;
    JobControl& m_job;
    ArchiveIndex m_index;
    std::uint64_t m_offset = 0;
    Progress m_progress;
    ZstdCompressor m_compressor;
    Bytes m_frame;
    const crypto::SecretIdentity* m_signer = nullptr;
};

/// True for names whose content is already compressed (jpg, zip, mp4...).
bool looksCompressed(const std::string& fileName);

} // namespace coffer
