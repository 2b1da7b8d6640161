// Test-only builder of containers whose header and encryption are valid (a
// real X25519 stanza, a real Cobblestone payload) but whose archive -- the
// payload's plaintext (FORMAT.md §5) -- is whatever a test composes: records,
// zstd frames, index and trailer, each with knobs to lie. The readers must
// then refuse it with the right error and leave the disk untouched.
#pragma once

#include "ArchiveFormat.h"
#include "Header.h"
#include "Keys.h"

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace coffer::test {

Bytes bytesOf(std::string_view s);
/// Overwrites `n` little-endian bytes of `bytes` at `offset` with `value`.
void setLe(Bytes& bytes, std::size_t offset, std::uint64_t value, std::size_t n);

/// One entry of a hand-made archive. By default the index tells the truth
/// about the record; each optional field replaces what the index says.
struct HostileEntry {
    EntryInfo record; // what the record header says
    Bytes data;       // the bytes written after the path
    Bytes content;    // the original content (for the SHA-256 in the index)
    bool inRecords = true;
    bool inIndex = true;
    std::optional<EntryInfo> indexInfo;
    std::optional<std::uint64_t> indexStored;
    std::optional<std::uint64_t> indexOffset;
    std::optional<crypto::Digest32> indexSha256;
    /// Raw bytes to use instead of encodeEntryRecordHeader(record).
    std::optional<Bytes> rawRecordHeader;
};

/// The whole plaintext of a hostile archive.
struct HostileArchive {
    std::vector<HostileEntry> entries;
    std::vector<IndexRecipient> recipients;
    bool hashes = false; // index flags bit 0, with each entry's SHA-256

    Bytes afterEntries; // between the last record's data and the index frame (not in the trailer's count)
    Bytes afterTrailer; // after the trailer: the end of the payload
    std::function<void(Bytes&)> editIndexPlain; // the encoded index, before compression
    std::function<void(Bytes&)> editIndexFrame; // the compressed index frame
    std::function<void(Trailer&)> editTrailer;  // the trailer, before encoding
    std::function<void(Bytes&)> editTrailerBytes;

    /// A stored (codec 0) file.
    HostileEntry& file(const std::string& path, std::string_view content = "hello");
    /// A zstd (codec 1) file: `content` compressed as frames of `frameSize` bytes.
    HostileEntry& zstdFile(const std::string& path, std::string_view content, std::size_t frameSize = 4 << 20);
    /// A codec-1 file whose data are the given bytes and whose size is `size`.
    HostileEntry& zstdRaw(const std::string& path, Bytes data, std::uint64_t size);
    HostileEntry& directory(const std::string& path, std::uint16_t mode = 0755);
    /// A pack entry (FORMAT.md §5.8) holding `content` in one zstd frame; its members are added after it.
    HostileEntry& pack(std::string_view content);

    /// Records, index frame and trailer, with every edit applied.
    Bytes plaintext() const;
    /// The index as a reader would expect it (offsets computed from the records).
    ArchiveIndex index() const;
};

/// A zstd frame of `content` that declares its content size.
Bytes zstdFrame(ByteView content, int level = 3);
/// A zstd frame without Frame_Content_Size.
Bytes zstdFrameWithoutSize(ByteView content);
/// A zstd frame with the optional content checksum.
Bytes zstdFrameWithChecksum(ByteView content);
/// A hand-made frame: a header with the given window log (single segment off)
/// and declared size, then raw blocks of `content`. Valid zstd when
/// `declaredSize == content.size()`.
Bytes zstdRawBlockFrame(ByteView content, unsigned windowLog, std::uint64_t declaredSize);
/// A skippable frame of `payloadSize` zero bytes.
Bytes zstdSkippableFrame(std::size_t payloadSize);

/// The plaintext of a valid container, sealed to `identity` (X25519 stanza)
/// and encrypted as the payload: a file any reader can open and authenticate.
/// `version`: the header's version line (crypto::kFormatV1 or kFormatV2).
Bytes sealContainer(ByteView plaintext, const crypto::SecretIdentity& identity,
                    std::uint8_t version = crypto::kFormatV1);
void writeContainer(const std::filesystem::path& path, ByteView plaintext, const crypto::SecretIdentity& identity,
                    std::uint8_t version = crypto::kFormatV1);

/// An IdentityList holding just `identity`.
crypto::IdentityList identitiesOf(const crypto::SecretIdentity& identity);

} // namespace coffer::test
