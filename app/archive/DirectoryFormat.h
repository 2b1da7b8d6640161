// Format v2's final index, the directory (docs/FORMAT-v2.md §3.6): a row per
// segment, then the recipients and signature block as in v1 (FORMAT.md §5.2,
// §5.7) with the v2 signature label; and the version-2 trailer (§3.7). Pure
// encoding and decoding; no I/O.
#pragma once

#include "ArchiveFormat.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace coffer {

/// Where a segment is and what its table must be (v2 §3.6).
struct SegmentRow {
    std::uint64_t offset = 0; // plaintext offset of the segment's "CFSG"
    std::uint32_t storedLength = 0;
    std::uint32_t plainLength = 0;
    std::uint32_t entryCount = 0;
    std::optional<crypto::Digest32> sha256; // of the table (decompressed), when the directory has hashes
    bool operator==(const SegmentRow&) const = default;
};

struct Directory {
    bool hashes = false;
    std::vector<SegmentRow> rows;
    std::vector<IndexRecipient> recipients;
    std::optional<IndexSignature> signature; // decode: present only if it verified
};

inline constexpr std::uint32_t kDirectoryVersion = 3;
inline constexpr std::uint64_t kMaxDirectoryPlain = std::uint64_t(1) << 26;
inline constexpr std::uint32_t kMaxSegments = std::uint32_t(1) << 20;
inline constexpr std::size_t kDirectoryFixedSize = 20; // magic, version, flags, segment_count, entry_count
inline constexpr std::uint32_t kTrailerVersion2 = 2;

/// With a signature, its 64 signature bytes are written as given (the writer
/// signs the bytes before them, crypto::signDirectory(), and patches them in, as
/// ArchiveWriter::finish does for v1). entry_count is the sum of the rows'.
/// Every row has a sha256 exactly when `hashes`; a signature requires hashes.
Bytes encodeDirectory(const Directory& d);

/// All of §3.6: magic, version 3 (else UnsupportedVersion), flags, segment_count <= 2^20
/// (LimitExceeded) and <= P/20, entry_count <= 1,000,000 (LimitExceeded) == sum of rows,
/// each row's lengths and count in range (stored 1..2^25, plain 1..2^24, entries
/// 1..131072: 0 is damaged, over is LimitExceeded), rows in plaintext order without
/// overlap (offset >= previous offset + 8 + previous stored), recipients exactly as v1's
/// §5.2 rules, signature verified with the v2 label, nothing left over. That the rows
/// match the segments and regions (v2 §3.9) is the caller's.
Result<Directory> decodeDirectory(ByteView plain);

/// Trailer version 2 (§3.7): same 32 bytes as v1's with version 2.
Bytes encodeTrailerV2(const Trailer& t);
/// Magic, version 2 (any other, v1's included, is damaged under a coffer/v2
/// header), the directory right before the trailer, both its lengths
/// <= kMaxDirectoryPlain (LimitExceeded; a valid directory's frame is under 56 MB).
Result<Trailer> decodeTrailerV2(ByteView bytes32, std::uint64_t plaintextLength);

} // namespace coffer
