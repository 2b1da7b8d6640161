// Random access to a container file (FORMAT.md §4, §5.6): the header is
// parsed and its MAC checked when opening; after that any plaintext range can
// be read by decrypting only the chunks that cover it. Listing reads only the
// final chunk(s) and the index.
#pragma once

#include "ArchiveFormat.h"
#include "ChunkBatch.h"
#include "FileIO.h"
#include "Recipient.h"
#include "SegmentIndex.h"

#include <filesystem>
#include <optional>

namespace coffer {

/// What can be said of a container without any key.
struct ContainerInfo {
    std::string version;
    std::vector<std::string> stanzaTypes;
    std::optional<crypto::Argon2Params> argon2; // a passphrase stanza's cost (FORMAT.md §3.2)
    std::uint64_t headerBytes = 0;
    std::uint64_t payloadBytes = 0;
    std::uint64_t plaintextBytes = 0; // from the payload length
    bool lengthValid = false;
};
Result<ContainerInfo> inspectContainer(const std::filesystem::path& path);

/// A header whose file key was unwrapped and whose MAC checked out.
struct OpenedHeader {
    crypto::ParsedHeader parsed;
    crypto::FileKey fileKey;
    IndexRecipient openedBy; // the audience entry of the stanza that opened it (§5.7)
};

class ContainerReader {
public:
    static Result<ContainerReader> open(const std::filesystem::path& path, const crypto::IdentityList& identities);
    ContainerReader(ContainerReader&&) noexcept;
    ~ContainerReader();

    std::uint64_t plaintextLength() const { return m_layout.plaintextLength; }
    /// Decrypts and authenticates plaintext [offset, offset + out.size()).
    Status read(std::uint64_t offset, MutableByteView out);
    /// Reads and validates the trailer and index.
    Result<ArchiveIndex> readIndex();
    /// Format v2 only (isSegmented()): the trailer and the directory, read
    /// and verified; its segments are then walked through plaintext().
    Result<SegmentWalk> openSegments();
    bool isSegmented() const { return m_header.parsed.header.version == crypto::kFormatV2; }
    /// read() as a function (valid while this reader stays where it is).
    PlainReader plaintext();
    const std::filesystem::path& path() const { return m_path; }
    /// The header as opened: a rekey re-wraps this file key instead of
    /// unwrapping again (one Argon2id run for a passphrase, FORMAT.md §3.2).
    const OpenedHeader& header() const { return m_header; }
    /// The header's bytes as read and authenticated (exactly its length).
    ByteView headerBytes() const { return m_headerBytes; }
    /// The open file: what the header was read from, for copying its payload.
    int fd() const { return m_fd.get(); }

private:
    ContainerReader() = default;
    /// Makes chunk `index` available, decrypting a window of chunks on all
    /// cores; the window grows while reads are sequential (read-ahead).
    Status loadChunk(std::uint64_t index);

    std::filesystem::path m_path;
    UniqueFd m_fd;
    std::uint64_t m_payloadOffset = 0;
    OpenedHeader m_header;
    Bytes m_headerBytes;
    crypto::PayloadLayout m_layout;
    /// A run of decrypted chunks. Two of them: the one being read, and the next
    /// one being decrypted by the workers meanwhile (read-ahead).
    struct Window {
        Bytes sealed;
        crypto::SecureBytes plain;
        std::uint64_t first = 0;
        std::uint64_t count = 0;
    };
    Status fetch(Window& w, std::uint64_t first, std::uint64_t count, bool wait);
    void startReadAhead();
    void prefetch(std::uint64_t first);
    Status readSealed(Bytes& sealed, std::uint64_t first, std::uint64_t count);

    std::unique_ptr<crypto::ChunkBatch> m_batch;
    Window m_windows[2];
    /// While streaming, the sealed bytes of the window after the read-ahead
    /// one, read from the file while the workers decrypt: reading and
    /// decrypting overlap instead of taking turns.
    struct Prefetched {
        Bytes sealed;
        std::uint64_t first = 0;
        std::uint64_t count = 0; // 0: nothing read
    } m_prefetched;
    int m_current = 0;
    bool m_readAheadBusy = false;
};

/// Reads a plaintext range of a ContainerReader as a stream.
class RangeSource final : public ByteSource {
public:
    RangeSource(ContainerReader& reader, std::uint64_t begin, std::uint64_t end)
        : m_reader(reader), m_pos(begin), m_end(end)
    {}
    Result<std::size_t> read(MutableByteView buffer) override;

private:
    ContainerReader& m_reader;
    std::uint64_t m_pos;
    std::uint64_t m_end;
};

/// Parses the header at the start of `headerBytes` and unwraps the file key.
Result<OpenedHeader> readAndUnwrapHeader(ByteView headerBytes, const crypto::IdentityList& identities);

} // namespace coffer
