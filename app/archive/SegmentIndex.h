// Format v2's index (FORMAT.md §5.5-5.9) turned into the ArchiveIndex every
// reader works on: the directory's rows, each segment's table, and the
// locations derived from their lengths (§5.9) — nothing stored twice, so
// everything that does not add up is refused before a byte is given out.
#pragma once

#include "ArchiveFormat.h"
#include "DirectoryFormat.h"
#include "PathRules.h"
#include "SegmentTable.h"

#include <functional>

namespace coffer {

/// Reads authenticated plaintext [offset, offset + out.size()).
using PlainReader = std::function<Status(std::uint64_t offset, crypto::MutableByteView out)>;

/// Adds the entries of one segment to `index` (a pack entry first, then its
/// entries in table order), with their locations derived from `regionStart`
/// (where the segment's region begins) and checked to end at `segmentOffset`.
/// A record's header is read through `read` (its codec is said only there)
/// and must agree with the table. Paths go through `paths` (§5.5, across all
/// segments), or, with no set, through checkArchivePath() alone.
class SegmentAppender {
public:
    SegmentAppender(ArchiveIndex& index, PathSet* paths) : m_index(index), m_paths(paths) {}
    Status append(SegmentTable table, std::uint64_t regionStart, std::uint64_t segmentOffset, const PlainReader& read);

private:
    ArchiveIndex& m_index;
    PathSet* m_paths;
};

/// The trailer at the end of a plaintext of `length` bytes (decoded by
/// `decode`, v1's or v2's, which bounds both lengths) and the one zstd frame
/// it points at, decompressed: the index (v1) or the directory (v2).
struct FinalFrame {
    Trailer trailer;
    Bytes plain;
};
using TrailerDecoder = Result<Trailer> (*)(ByteView bytes32, std::uint64_t plaintextLength);
/// `sizeMismatch`: what a frame of another size than the trailer says is.
Result<FinalFrame> readFinalFrame(std::uint64_t length, const PlainReader& read, TrailerDecoder decode,
                                  const char* sizeMismatch);

/// A v2 container's index, one segment at a time (FORMAT.md §5.9): open()
/// reads the trailer and the directory (its signature verified); walk() then
/// reads every segment in order, each checked against its row, its paths
/// against all before them, so that a reader can go through a million entries
/// without holding them all.
/// `PathCheck::SyntaxOnly` walks again what a whole walk of the same open
/// container checked already: every segment is still read, authenticated and
/// checked against its row, and against its hash in the directory (signed)
/// or the digest the first walk noted (unsigned), each path's syntax too, but
/// the set of all paths (32 MiB for a million) is not built again. For
/// showing only: extraction always checks the set.
enum class PathCheck { AgainstAllBefore, SyntaxOnly };

class SegmentWalk {
public:
    static Result<SegmentWalk> open(std::uint64_t plaintextLength, const PlainReader& read);
    /// What the directory says: format, hashes, version, recipients, the
    /// verified signature; no entries.
    const ArchiveIndex& header() const { return m_header; }
    /// The entries the rows announce (checked against each segment as it is read).
    std::uint64_t entryCount() const { return m_entryCount; }
    std::size_t segmentCount() const { return m_rows.size(); }
    /// Appends each segment's entries to `into` (its pack first: packEntry
    /// counts in `into`), then calls `done(into)`, which may clear
    /// into.entries to walk in the memory of one segment. `into` gets the
    /// header's fields first. Walking again reads and checks everything again.
    /// `read` reads the same plaintext as open()'s.
    Status walk(ArchiveIndex& into, const PlainReader& read, const std::function<Status(ArchiveIndex&)>& done,
                PathCheck check = PathCheck::AgainstAllBefore) const;

private:
    SegmentWalk(Trailer trailer, Directory directory);

    Trailer m_trailer;
    std::vector<SegmentRow> m_rows;
    mutable std::vector<crypto::Digest32> m_pins; // unsigned: each segment's digest, noted by a checked walk
    ArchiveIndex m_header;
    std::uint64_t m_entryCount = 0;
};

/// The index of a v2 container of `plaintextLength` bytes, all of it: the
/// directory and every segment. Listing reads nothing else but the records' headers.
Result<ArchiveIndex> readSegmentedIndex(std::uint64_t plaintextLength, const PlainReader& read);

/// A segment's table digest (SHA-256 of its plaintext), noted on one read
/// (`seen`) and required on a later one (`expected`).
struct SegmentPin {
    crypto::Digest32* seen = nullptr;
    const crypto::Digest32* expected = nullptr;
};

/// Reads and checks one segment at `row` (its header, frame, lengths, count
/// and hash; and its pin, if given).
Result<SegmentTable> readSegment(const SegmentRow& row, bool hashes, const PlainReader& read,
                                 SegmentPin* pin = nullptr);

} // namespace coffer
