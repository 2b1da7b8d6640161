// What a mounted container keeps between reads (issue 21), bounded whatever
// the container's size: a few decoded packs, and a few decoders positioned in
// compressed files. Decrypted chunks are cached by the ContainerReader itself
// (two windows of at most 1 MiB). Everything here was authenticated before it
// was kept: packs by their chunks and their stored length (FORMAT.md §5.8),
// compressed data by its chunks as it is decoded (§5.3).
#pragma once

#include "ContainerReader.h"
#include "EntryReader.h"
#include "IndexedReader.h"
#include "PackLoader.h"

#include <memory>
#include <vector>

namespace coffer {

class ZstdEntryDecoder;

/// Decoded packs, least recently used dropped first: at most kMaxPacks of at
/// most 16 MiB each (a small file is read out of its pack, and the files of
/// one pack are usually read one after another).
class PackCache {
public:
    static constexpr std::size_t kMaxPacks = 3;
    /// The content of pack entry `pack`, loaded and decoded if not held.
    Result<const PackContent*> get(IndexedReader& reader, std::size_t pack, JobControl& job);

private:
    struct Held {
        std::size_t pack = 0;
        std::unique_ptr<PackContent> content;
    };
    std::vector<Held> m_held; // most recently used last
};

/// A compressed file read front to back (codec 1 has no seek points): a read
/// at or after the last one continues decoding; one before it starts over.
class ZstdCursor {
public:
    ZstdCursor(ContainerReader& reader, const IndexEntry& file);
    ~ZstdCursor();
    const IndexEntry& file() const { return m_file; }
    /// out.size() bytes from `offset` (checked against the file's size by the caller).
    Status read(std::uint64_t offset, MutableByteView out);

private:
    Status restart();
    Status decodeMore();
    Status checkEnd();

    ContainerReader& m_reader;
    const IndexEntry& m_file;
    std::unique_ptr<RangeSource> m_range;
    std::unique_ptr<BufferedSource> m_in;
    std::unique_ptr<ZstdEntryDecoder> m_decoder;
    Bytes m_buf;                  // decoded bytes from m_bufStart, kept for the next read
    std::uint64_t m_bufStart = 0; // with m_buf empty: decoded bytes before it are dropped
    std::uint64_t m_produced = 0;
};

/// At most kMaxCursors decoders (each holds a zstd window of up to 16 MiB).
class CursorCache {
public:
    static constexpr std::size_t kMaxCursors = 2;
    ZstdCursor& get(ContainerReader& reader, const IndexEntry& file);

private:
    std::vector<std::unique_ptr<ZstdCursor>> m_cursors; // most recently used last
};

} // namespace coffer
