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

#include <functional>
#include <memory>

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
    Status writeDirectory(const EntryInfo& info);
    Status openSource(const SourceEntry& entry, UniqueFd& fd, EntryInfo& info);
    Status checkEndOfFile(int fd, const std::filesystem::path& path);
    bool wantsCompression(const EntryInfo& info) const;
    using BeforeData = std::function<Status(EntryInfo&)>;
    using DataSink = std::function<Status(ByteView)>;
    /// Opens a file of at most 4 MiB (`info` gets what fstat says), calls
    /// `before`, then hands its bytes to `consume` in pieces.
    Status readSmallFile(const SourceEntry& entry, EntryInfo& info, const BeforeData& before, const DataSink& consume);
    Status writeSmallFile(const SourceEntry& entry, Codec codec); // Stored or Zstd
    Status writePack(const std::vector<const SourceEntry*>& members, std::uint64_t contentSize);
    /// Copies `size` more bytes of `fd` into the payload without a copy of our own.
    Status putFromFile(int fd, const std::string& source, std::uint64_t size, crypto::Sha256* hash);
    Status writeLargeFile(const SourceEntry& entry, int fd, EntryInfo info);
    Status put(ByteView data);

    crypto::PayloadWriter& m_payload;
    Compression m_compression;
    JobControl& m_job;
    ArchiveIndex m_index;
    std::uint64_t m_offset = 0;
    Progress m_progress;
    ZstdCompressor m_probe;                    // does a big file compress?
    std::unique_ptr<ZstdFrameStream> m_stream; // every zstd frame, on zstd's threads
    Bytes m_piece;                             // what files are read into
    const crypto::SecretIdentity* m_signer = nullptr;
};

/// True for names whose content is already compressed (jpg, zip, mp4...).
bool looksCompressed(const std::string& fileName);

} // namespace coffer
