// Packs of small files (FORMAT.md §5.8): decoding a pack's stored bytes and
// holding its content while its members are read. Both readers load packs
// through here: the indexed reader reads a pack's stored bytes
// (IndexedReader::loadPack) and decodes them with decodePack, on the writer
// threads or into a PackContent; the sequential reader, which learns a
// pack's stored length only by decoding it, fills a PackContent as it reads.
#pragma once

#include "EntryReader.h"

namespace coffer {

// A pack's content compressed can take a little more than its 16 MiB
// (zstd's bound is 1/256 more); a hostile index may claim any length.
inline constexpr std::uint64_t kMaxPackStored = kMaxPackContent + kMaxPackContent / 128 + 64 * 1024;

/// Decodes a pack's stored bytes (already authenticated) into `sink`, block by
/// block; refuses a pack that ends before or after its declared content.
/// `contentHash` (format v2, signed): the SHA-256 the whole content must have;
/// a mismatch fails at the end, after `sink` was given the bytes (a caller
/// writing them out keeps them staged until then).
Status decodePack(const EntryInfo& pack, ByteView stored, const DataSink& sink, JobControl& job,
                  const std::optional<crypto::Digest32>& contentHash = std::nullopt);
/// What a pack's content must hash to: format v2's signed pack hash, or none
/// (v1 hashes each member instead).
std::optional<crypto::Digest32> packContentHash(const IndexEntry& pack);

/// The decoded content of one pack: at most 16 MiB.
class PackContent {
public:
    /// Starts over for a pack of `size` bytes (filled through sink()).
    void renew(std::uint64_t size);
    DataSink sink();
    /// Decodes `stored` (see decodePack) in place of what was held; on
    /// failure nothing is held.
    Status decode(const IndexEntry& pack, ByteView stored, JobControl& job);
    /// A member's bytes; its position and size were checked against the pack (PackTracker).
    ByteView member(const IndexEntry& e) const;
    ByteView content() const { return m_content; }

private:
    Bytes m_content;
};

} // namespace coffer
