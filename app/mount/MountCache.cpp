#include "MountCache.h"

#include "Zstd.h"

#include <algorithm>

namespace coffer {

namespace {
// Input fed to the decoder per step: a step's output (held until read) stays
// near what the next reads want, except where data compresses extremely well.
constexpr std::size_t kFeedPiece = 64 * 1024;
} // namespace

Result<const PackContent*> PackCache::get(IndexedReader& reader, std::size_t pack, JobControl& job)
{
    auto it = std::find_if(m_held.begin(), m_held.end(), [&](const Held& h) { return h.pack == pack; });
    if (it != m_held.end()) {
        std::rotate(it, it + 1, m_held.end());
        return m_held.back().content.get();
    }
    if (m_held.size() >= kMaxPacks)
        m_held.erase(m_held.begin()); // freed before the next one is loaded
    const IndexEntry& packEntry = reader.index().entries[pack];
    auto stored = reader.loadPack(packEntry, job);
    COFFER_TRY(stored);
    auto content = std::make_unique<PackContent>();
    COFFER_TRY(content->decode(packEntry, *stored, job));
    m_held.push_back({pack, std::move(content)});
    return m_held.back().content.get();
}

ZstdCursor::ZstdCursor(ContainerReader& reader, const IndexEntry& file) : m_reader(reader), m_file(file) {}

ZstdCursor::~ZstdCursor() = default;

// From the record: checked against the index as IndexedReader::readEntry does.
Status ZstdCursor::restart()
{
    m_decoder.reset();
    m_buf.clear();
    m_bufStart = m_produced = 0;
    m_range = std::make_unique<RangeSource>(m_reader, m_file.offset, m_file.end());
    m_in = std::make_unique<BufferedSource>(*m_range);
    auto info = readRecordHeader(*m_in);
    COFFER_TRY(info);
    if (!(*info == m_file.info))
        return damaged("the entry \"" + m_file.info.path + "\" does not match the index");
    m_decoder = std::make_unique<ZstdEntryDecoder>(m_file.info.size, [this](ByteView d) {
        const std::uint64_t from = m_produced;
        m_produced += d.size();
        if (m_produced > m_bufStart) // with bytes in m_buf, m_bufStart + m_buf.size() == from
            m_buf.insert(m_buf.end(),
                         d.begin() + static_cast<std::ptrdiff_t>(m_bufStart > from ? m_bufStart - from : 0), d.end());
        return Status::success();
    });
    return Status::success();
}

Status ZstdCursor::checkEnd()
{
    auto rest = m_in->peek();
    COFFER_TRY(rest);
    if (m_in->position() != m_file.end() - m_file.offset || !rest->empty())
        return damaged("the entry \"" + m_file.info.path + "\" does not end where the index says");
    return Status::success();
}

Status ZstdCursor::decodeMore()
{
    if (m_decoder->finished())
        return damaged("\"" + m_file.info.path + "\" is shorter than the index says");
    auto view = m_in->peek();
    COFFER_TRY(view);
    if (view->empty())
        return damaged("\"" + m_file.info.path + "\" is truncated");
    auto used = m_decoder->feed(view->first(std::min(view->size(), kFeedPiece)));
    COFFER_TRY(used);
    m_in->consume(*used);
    return m_decoder->finished() ? checkEnd() : Status::success();
}

Status ZstdCursor::read(std::uint64_t offset, MutableByteView out)
{
    if (!m_decoder || offset < m_bufStart) {
        Status st = restart();
        if (!st.ok()) {
            m_decoder.reset(); // the next read starts over
            return st;
        }
    }
    const auto drop = static_cast<std::size_t>(std::min<std::uint64_t>(offset - m_bufStart, m_buf.size()));
    m_buf.erase(m_buf.begin(), m_buf.begin() + static_cast<std::ptrdiff_t>(drop));
    m_bufStart = offset;
    while (m_buf.size() < out.size()) {
        Status st = decodeMore();
        if (!st.ok()) {
            m_decoder.reset();
            return st;
        }
    }
    std::copy_n(m_buf.begin(), out.size(), out.begin());
    return Status::success();
}

ZstdCursor& CursorCache::get(ContainerReader& reader, const IndexEntry& file)
{
    auto it = std::find_if(m_cursors.begin(), m_cursors.end(), [&](const auto& c) { return &c->file() == &file; });
    if (it != m_cursors.end()) {
        std::rotate(it, it + 1, m_cursors.end());
        return *m_cursors.back();
    }
    if (m_cursors.size() >= kMaxCursors)
        m_cursors.erase(m_cursors.begin());
    m_cursors.push_back(std::make_unique<ZstdCursor>(reader, file));
    return *m_cursors.back();
}

} // namespace coffer
