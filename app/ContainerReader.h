// Random access to a container file (FORMAT.md §4, §5.6): the header is
// parsed and its MAC checked when opening; after that any plaintext range can
// be read by decrypting only the chunks that cover it. Listing reads only the
// final chunk(s) and the index.
#pragma once

#include "ArchiveFormat.h"
#include "FileIO.h"
#include "Recipient.h"

#include <filesystem>

namespace coffer {

/// What can be said of a container without any key.
struct ContainerInfo {
    std::string version;
    std::vector<std::string> stanzaTypes;
    std::uint64_t headerBytes = 0;
    std::uint64_t payloadBytes = 0;
    std::uint64_t plaintextBytes = 0; // from the payload length
    bool lengthValid = false;
};
Result<ContainerInfo> inspectContainer(const std::filesystem::path& path);

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
    const std::filesystem::path& path() const { return m_path; }

private:
    ContainerReader() = default;
    Status loadChunk(std::uint64_t index);

    std::filesystem::path m_path;
    UniqueFd m_fd;
    std::uint64_t m_payloadOffset = 0;
    crypto::PayloadLayout m_layout;
    std::optional<crypto::ChunkCipher> m_cipher;
    Bytes m_sealed;
    crypto::SecureBytes m_plain;
    std::optional<std::uint64_t> m_cachedChunk;
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

/// Reads the header from a stream into `headerBytes` (and whatever followed it
/// into `rest`), then unwraps the file key.
struct OpenedHeader {
    crypto::ParsedHeader parsed;
    crypto::FileKey fileKey;
};
Result<OpenedHeader> readAndUnwrapHeader(ByteView headerBytes, const crypto::IdentityList& identities);

} // namespace coffer
