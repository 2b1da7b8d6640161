// Format v2's segment table (docs/FORMAT-v2.md §3.5) and the headers of the
// pack and segment items (§3.2): the index of one region, columnar, paths
// front-coded, numbers as varints. Pure encoding and decoding; no I/O.
#pragma once

#include "ArchiveFormat.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace coffer {

/// An entry's kind in a segment table (v2 §3.5). Member: a non-empty file in
/// the region's pack; Record: a regular file with its own "CFEN" record.
enum class SegmentKind : std::uint8_t { Directory = 0, EmptyFile = 1, Member = 2, Record = 3 };

struct SegmentEntry {
    SegmentKind kind = SegmentKind::Directory;
    std::string path;
    std::uint16_t mode = 0;
    std::int64_t mtimeSeconds = 0;
    std::uint32_t mtimeNanoseconds = 0;
    std::uint64_t size = 0;                 // Member and Record; 0 otherwise
    std::uint64_t stored = 0;               // Record only: its record's data length
    std::optional<crypto::Digest32> sha256; // Record only, when the table has hashes
    bool operator==(const SegmentEntry&) const = default;
};

struct SegmentTable {
    bool hashes = false;               // flags bit 1
    std::optional<Codec> packCodec;    // Codec::Stored or Codec::Zstd; nullopt = 0xFF, no pack
    std::uint64_t packStored = 0;      // only with a pack
    crypto::Digest32 packSha256{};     // only with a pack and hashes
    std::vector<SegmentEntry> entries; // in table order
    bool operator==(const SegmentTable&) const = default;
};

inline constexpr std::uint32_t kMaxSegmentEntries = 131072;
inline constexpr std::size_t kMaxSegmentPlain = std::size_t(1) << 24;
inline constexpr std::uint32_t kMaxSegmentStored = std::uint32_t(1) << 25;
inline constexpr std::size_t kPackHeaderSize = 9;    // "CFPK" codec u32
inline constexpr std::size_t kSegmentHeaderSize = 8; // "CFSG" u32
inline constexpr std::uint32_t kMaxPackMembers = 65536;
/// A kind-3 entry's size and stored length: 1 to 2^63 (v2 §3.5).
inline constexpr std::uint64_t kMaxRecordSize = std::uint64_t(1) << 63;

/// The table's plain bytes (v2 §3.5): mtime_ns column only if some entry has ns != 0;
/// prefixes are the longest shared with the previous path. Every invariant of the
/// struct is the caller's (asserted), including that consecutive entries' mtimes
/// differ by no more than an i64 holds (a file's time comes from a time_t).
Bytes encodeSegmentTable(const SegmentTable& table);

/// Parses and checks everything local to one table (§3.5, §3.12): magic, flags, counts
/// before reserving, kinds, varints, prefix <= previous path length, 1..4096-byte paths
/// each passing checkArchivePath() on the decoded whole path, mode <= 0777, ns < 1e9,
/// mtime overflow, sizes in range (Member 1..16 MiB, Record 1..2^63, stored 1..2^63),
/// r = number of Record kinds, a Member without a pack, a pack without members or
/// with more than 65536, members summing over 16 MiB, for a stored pack (codec 0)
/// pack_stored == the members' sum; no bytes left over. Member sizes == the pack's
/// content_size is NOT checked here (the pack header says it: the caller checks), nor
/// are paths unique (that holds across all segments: the caller's PathSet).
/// `expectHashes`: the directory's flags bit 0; a table whose bit 1 differs is damaged.
/// Errors via damaged() (ArchiveFormat.h), LimitExceeded for more than 131072 entries
/// or 16 MiB, or ErrorCode::UnsafePath from checkArchivePath.
Result<SegmentTable> decodeSegmentTable(ByteView plain, bool expectHashes);

struct PackHeader {
    Codec codec = Codec::Zstd;
    std::uint32_t contentSize = 0;
};
Bytes encodePackHeader(const PackHeader& h);                // 9 bytes
Result<PackHeader> decodePackHeader(ByteView bytes9);       // magic, codec 0/1, 1..16 MiB
Bytes encodeSegmentHeader(std::uint32_t storedLength);      // 8 bytes
Result<std::uint32_t> decodeSegmentHeader(ByteView bytes8); // magic, 1..2^25

} // namespace coffer
