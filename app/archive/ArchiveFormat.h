// The archive inside the payload (FORMAT.md §5): entry records, then a
// compressed index, then a 32-byte trailer. Pure encoding and decoding here;
// no I/O.
#pragma once

#include "Primitives.h"
#include "Recipient.h"
#include "Result.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace coffer {

using crypto::Bytes;
using crypto::ByteView;

/// Pack: one zstd frame holding the contents of the small files whose
/// entries follow it (FORMAT.md §5.8); not a file of its own.
enum class EntryKind : std::uint8_t { File = 1, Directory = 2, Pack = 3 };
/// Packed: the file's bytes are the next `size` bytes of the preceding pack.
enum class Codec : std::uint8_t { Stored = 0, Zstd = 1, Packed = 2 };

inline constexpr std::size_t kEntryFixedSize = 30;
inline constexpr std::size_t kTrailerSize = 32;
// What a listing can afford (FORMAT.md §8): a million entries; format v1's
// one index also at most 128 MiB (paths of up to 4096 bytes make entries of
// any size). v2 is read a segment at a time: a million entries list in
// 111 MiB, under 2 s, on the 2-core reference machine (bench/scale.sh).
inline constexpr std::uint64_t kMaxIndexPlainSize = std::uint64_t(128) << 20;
inline constexpr std::uint32_t kMaxEntries = 1'000'000;
inline constexpr std::size_t kMaxFrameContent = 16 * 1024 * 1024;
inline constexpr int kMaxWindowLog = 24;
inline constexpr std::uint64_t kMaxPackContent = 16 * 1024 * 1024;

/// What an entry record and its index entry share.
struct EntryInfo {
    EntryKind kind = EntryKind::File;
    Codec codec = Codec::Stored;
    std::uint16_t mode = 0644;
    std::int64_t mtimeSeconds = 0;
    std::uint32_t mtimeNanoseconds = 0;
    std::uint64_t size = 0;
    std::string path;

    bool operator==(const EntryInfo&) const = default;
    std::size_t recordHeaderSize() const { return kEntryFixedSize + path.size(); }
};

struct IndexEntry {
    EntryInfo info;
    std::uint64_t storedSize = 0;
    std::uint64_t offset = 0; // plaintext offset of the record's magic
    std::optional<crypto::Digest32> sha256;
    // For packed files (not stored in the index: derived while decoding it):
    std::size_t packEntry = 0;      // index of the pack entry in ArchiveIndex::entries
    std::uint64_t packPosition = 0; // where this file's bytes start in the pack's content
    /// What precedes the data at `offset`: a v1 record ("CFEN", §5.1), nothing
    /// (format v2's folders, empty files and pack members, described only by
    /// their segment), or a v2 pack's 9-byte header ("CFPK", §5.8).
    enum class Layout : std::uint8_t { Record, None, Pack } layout = Layout::Record;

    bool isPack() const { return info.kind == EntryKind::Pack; }
    std::uint64_t headerSize() const
    {
        return layout == Layout::Record ? info.recordHeaderSize() : layout == Layout::Pack ? 9 : 0;
    }
    std::uint64_t dataOffset() const { return offset + headerSize(); }
    std::uint64_t end() const { return dataOffset() + storedSize; }
};

/// One member of the signed audience (FORMAT.md §5.2): type 1 = an X25519
/// public key; type 2 (index version 2 only) = a passphrase's audience tag.
/// The key's length follows from the type (crypto::findAudienceType): 32
/// bytes for both; a registered recipient kind may add a type.
struct IndexRecipient {
    std::uint8_t type = crypto::kAudienceX25519;
    Bytes key;

    IndexRecipient() = default;
    IndexRecipient(std::uint8_t t, Bytes k) : type(t), key(std::move(k)) {}
    template <std::size_t N>
    IndexRecipient(std::uint8_t t, const std::array<std::uint8_t, N>& k) : type(t), key(k.begin(), k.end())
    {}
    explicit IndexRecipient(const crypto::AudienceTag& tag) : type(tag.type), key(tag.value) {}
    bool operator==(const IndexRecipient&) const = default;
};

/// The sender's signature over the index (FORMAT.md §5.7).
struct IndexSignature {
    crypto::PublicKey32 signerX25519{};
    crypto::PublicKey32 signerEd25519{};
    crypto::Signature64 signature{};
};

inline constexpr std::size_t kSignatureBlockSize = 1 + 32 + 32 + 64;

/// Index version 2 (written when signing) may name passphrase tags, and its
/// audience is complete: every stanza the sender wrote is in it (§5.7).
inline constexpr std::uint32_t kIndexVersion1 = 1;
inline constexpr std::uint32_t kIndexVersion2 = 2;

struct ArchiveIndex {
    std::uint32_t version = kIndexVersion1;
    std::vector<IndexEntry> entries;
    std::vector<IndexRecipient> recipients;
    bool hasHashes = false;
    /// Present after decodeIndex() only if the signature verified.
    std::optional<IndexSignature> signature;
    /// Not encoded: who the stanza that opened this container was for (the
    /// reader's X25519 key, or the passphrase's tag), set by the reader.
    std::optional<IndexRecipient> openedBy;
    /// The container's format (the header's version line): 1, or 2 (compact
    /// metadata: no records for folders, empty files and packed files; a
    /// signature binds one SHA-256 per pack, kept on the pack's entry).
    std::uint32_t format = 1;
};

struct Trailer {
    std::uint64_t indexOffset = 0;
    std::uint64_t indexLength = 0;
    std::uint64_t indexPlainLength = 0;
};

Bytes encodeEntryRecordHeader(const EntryInfo& info);
/// Decodes the fixed part (30 bytes); the path follows and is read by the caller.
struct RecordFixed {
    EntryInfo info; // path empty
    std::uint16_t pathLength = 0;
};
Result<RecordFixed> decodeEntryRecordFixed(ByteView fixed30);

/// Serialises the index (uncompressed). With a signature, the last
/// kSignatureBlockSize bytes are the signature block; the signature (its last
/// 64 bytes) covers everything before it, the signer's keys included.
Bytes encodeIndex(const ArchiveIndex& index);
/// Parses and validates the index against the rules of FORMAT.md §5.2 and §5.4.
Result<ArchiveIndex> decodeIndex(ByteView plain, std::uint64_t indexOffset);

Bytes encodeTrailer(const Trailer& trailer);
/// Checks magic, version and that the index sits right before the trailer.
Result<Trailer> decodeTrailer(ByteView bytes32, std::uint64_t plaintextLength);

Error damaged(std::string what);

/// Checks the packed-file bookkeeping of a run of entries (FORMAT.md §5.8) and
/// fills packEntry/packPosition. Used by the index decoder and the pipe reader.
class PackTracker {
public:
    Status add(IndexEntry& entry, std::size_t entryIndex);
    Status finish() const;

private:
    std::size_t m_pack = 0;
    std::uint64_t m_size = 0;
    std::uint64_t m_remaining = 0;
};

} // namespace coffer
