// Test-only builder of format-v2 archive plaintexts (FORMAT.md §5) from parts:
// regions of records and an optional pack, each closed by a segment whose
// table and directory row are computed truthfully from what was laid out,
// then the directory (optionally signed with the v2 label) and the trailer.
// Every stage has a knob to lie, after the truthful value is computed, so a
// reader's checks can be reached one at a time (tests/app/HostileSegmentTest).
#pragma once

#include "DirectoryFormat.h"
#include "ExtractHarness.h"
#include "HostileContainer.h"
#include "SegmentTable.h"

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace coffer::test {

/// One item laid out in a region, in plaintext order.
struct V2Part {
    enum class Kind { Record, Pack, Raw } kind = Kind::Raw;
    EntryInfo info;                 // Record: what its header says
    Bytes data;                     // Record: its data; Pack: its stored bytes; Raw: the bytes
    PackHeader pack;                // Pack: its header
    std::optional<Bytes> rawHeader; // Record: bytes instead of encodeEntryRecordHeader(info)
};

/// A region and the segment after it.
struct V2Region {
    std::vector<V2Part> parts;
    SegmentTable table;  // built as parts are added: the truth
    bool segment = true; // false: no segment closes this region

    /// A file with its own record (codec 0, or 1 as one zstd frame); its table entry.
    V2Region& record(const std::string& path, std::string_view content, bool zstd = false);
    /// The region's pack holding `files` (path, content) in order, zstd or stored; their Member entries.
    V2Region& pack(const std::vector<std::pair<std::string, std::string>>& files, bool zstd = true);
    V2Region& directory(const std::string& path);
    V2Region& emptyFile(const std::string& path);
    /// Bytes laid out here that no table accounts for.
    V2Region& raw(Bytes bytes);

    V2Part& lastPart() { return parts.back(); }
    SegmentEntry& entry(const std::string& path);

    std::function<void(SegmentTable&)> editTable; // before encoding (hashes already set)
    std::function<void(Bytes&)> editTablePlain;   // the encoded table, before compression
    Bytes afterSegment;                           // after the segment, before the next region
};

struct HostileArchiveV2 {
    std::vector<V2Region> regions;
    bool hashes = false;                            // directory flag bit 0 and tables' bit 1
    const crypto::SecretIdentity* signer = nullptr; // signs the directory (v2 label); implies hashes

    std::function<void(Directory&)> editDirectory;  // rows and flags, before encoding and signing
    std::function<void(Bytes&)> editDirectoryPlain; // after signing
    std::function<void(Trailer&)> editTrailer;
    std::function<void(Bytes&)> editTrailerBytes;

    V2Region& region();
    /// The archive's plaintext with every edit applied; `rows`: the truthful directory rows.
    Bytes plaintext(std::vector<SegmentRow>* rows = nullptr) const;
};

/// A plaintext that a format-v2 reader sees, written into `scene`'s container.
void writeV2(const ExtractScene& scene, ByteView plain, std::uint8_t version = crypto::kFormatV2);
/// Both readers must refuse `plain` (sealed under `version`) with `code` and a
/// message containing `says`, and leave the whole sandbox as it was.
/// `streamSays`: what the stream reader says instead, if it sees the lie elsewhere.
void expectRefusedV2(const ExtractScene& scene, ByteView plain, ErrorCode code, std::string_view says,
                     std::string_view streamSays = {}, std::uint8_t version = crypto::kFormatV2);
/// Listing alone must already refuse it.
void expectListRefusedV2(const ExtractScene& scene, ByteView plain, ErrorCode code, std::string_view says,
                         std::uint8_t version = crypto::kFormatV2);
/// Both readers must extract it.
void expectAcceptedV2(const ExtractScene& scene, ByteView plain);

} // namespace coffer::test
