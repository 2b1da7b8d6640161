#include "ListingLines.h"

#include "DisplayText.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <queue>

namespace coffer::cli {

namespace {

/// The printed line of a record ("path\0line\n"), newline included. Not
/// strchr: a line read back from the spill file may end its buffer, with no
/// NUL after it, and a C string function may read on to one (ASan's strict
/// string checks do, and refuse).
std::size_t lineLength(const char* line)
{
    const char* end = line;
    while (*end != '\n')
        ++end;
    return static_cast<std::size_t>(end - line + 1);
}
const char* lineOf(const char* record)
{
    return record + std::strlen(record) + 1;
}
/// A whole record's bytes.
std::size_t recordLength(const char* record)
{
    const char* line = lineOf(record);
    return static_cast<std::size_t>(line - record) + lineLength(line);
}

constexpr std::size_t kSpillBlock = 64 * 1024;

/// One sorted run being merged: lines held in memory, or blocks read back from the spill file.
class RunCursor {
public:
    RunCursor(const std::vector<const char*>& held) : m_held(&held) {}
    RunCursor(SpillFile& file, const std::vector<std::uint64_t>& blocks) : m_file(&file), m_blocks(&blocks) {}

    /// The current record, or null past the end.
    const char* record() const { return m_record; }
    Status next()
    {
        if (m_held) {
            m_record = m_at < m_held->size() ? (*m_held)[m_at++] : nullptr;
            return Status::success();
        }
        if (m_record)
            m_pos += recordLength(m_record);
        while (m_pos >= m_plain.size()) {
            if (m_nextBlock == m_blocks->size()) {
                m_record = nullptr;
                return Status::success();
            }
            COFFER_TRY(m_file->read((*m_blocks)[m_nextBlock++], m_plain));
            m_pos = 0;
        }
        m_record = reinterpret_cast<const char*>(m_plain.data()) + m_pos;
        return Status::success();
    }

private:
    const std::vector<const char*>* m_held = nullptr;
    std::size_t m_at = 0;
    SpillFile* m_file = nullptr;
    const std::vector<std::uint64_t>* m_blocks = nullptr;
    std::size_t m_nextBlock = 0;
    crypto::Bytes m_plain;
    std::size_t m_pos = 0;
    const char* m_record = nullptr;
};

} // namespace

ListingLines::ListingLines(bool longFormat, std::filesystem::path spillDir, std::size_t budget)
    : m_long(longFormat), m_spillDir(std::move(spillDir)), m_budget(budget)
{}

void ListingLines::add(const IndexEntry& e)
{
    if (m_error)
        return;
    const bool dir = e.info.kind == EntryKind::Directory;
    const std::string path = displayable(e.info.path); // the container's text, not ours
    char head[64] = "";
    if (m_long) {
        // A time no calendar holds (the container chose it) shows as unknown.
        char date[32] = "(unknown)";
        const std::time_t t = static_cast<std::time_t>(e.info.mtimeSeconds);
        std::tm local{};
        if (::localtime_r(&t, &local) && std::strftime(date, sizeof date, "%Y-%m-%d %H:%M", &local) == 0)
            std::strcpy(date, "(unknown)");
        std::snprintf(head, sizeof head, "%c%03o %12llu  %-16s  ", dir ? 'd' : '-', e.info.mode,
                      static_cast<unsigned long long>(e.info.size), date);
    }
    const std::size_t size = e.info.path.size() + 1 + std::strlen(head) + path.size() + (dir ? 2 : 1);
    if (m_room < size) { // a line of over 1 MiB gets a block of its own size
        m_room = std::max(kBlock, size);
        m_blocks.push_back(std::make_unique_for_overwrite<char[]>(m_room)); // not zeroed: every byte used is written
        m_next = m_blocks.back().get();
    }
    char* at = m_next;
    m_starts.push_back(at);
    // Archive paths hold no NUL or newline (FORMAT.md §5.5): the key ends at the NUL, the line at the newline.
    at = std::copy(e.info.path.begin(), e.info.path.end(), at);
    *at++ = '\0';
    at = std::copy(head, head + std::strlen(head), at);
    at = std::copy(path.begin(), path.end(), at);
    if (dir)
        *at++ = '/';
    *at++ = '\n';
    m_next = at;
    m_room -= size;
    m_peakHeld = std::max(m_peakHeld, heldBytes());
    if (heldBytes() > m_budget && !m_spillDir.empty() && !m_spillBroken)
        spillRun();
    if (m_spillBroken && heldBytes() > 8 * m_budget) {
        m_error = makeError(ErrorCode::LimitExceeded,
                            "the listing does not fit in memory, and Coffer cannot set it aside in \"" +
                                m_spillDir.string() + "\"",
                            "free some disk space there, or list fewer entries with \"decrypt --only\"");
        m_blocks.clear();
        m_starts = {};
    }
}

void ListingLines::sortHeld()
{
    std::sort(m_starts.begin(), m_starts.end(), [](const char* a, const char* b) { return std::strcmp(a, b) < 0; });
}

void ListingLines::spillRun()
{
    if (!m_spill) {
        auto made = SpillFile::create(m_spillDir);
        if (!made.ok()) {
            m_spillBroken = true; // listed all the same, in memory (up to a point)
            return;
        }
        m_spill.emplace(std::move(*made));
    }
    sortHeld();
    std::vector<std::uint64_t> run;
    crypto::Bytes block;
    block.reserve(kSpillBlock);
    const auto flush = [&]() {
        auto number = m_spill->append(block);
        if (number.ok())
            run.push_back(*number);
        block.clear();
        return number.ok();
    };
    for (const char* record : m_starts) {
        const std::size_t length = recordLength(record);
        if (!block.empty() && block.size() + length > kSpillBlock && !flush()) {
            m_spillBroken = true; // the held lines stay where they are
            return;
        }
        block.insert(block.end(), record, record + length); // a record over 64 KiB makes a block of its own
    }
    if (!block.empty() && !flush()) {
        m_spillBroken = true;
        return;
    }
    m_runs.push_back(std::move(run));
    m_blocks.clear();
    m_starts = {};
    m_next = nullptr;
    m_room = 0;
}

Status ListingLines::print(std::FILE* out)
{
    if (m_error)
        return *m_error;
    sortHeld();
    if (m_runs.empty()) {
        for (const char* record : m_starts) {
            const char* line = lineOf(record);
            std::fwrite(line, 1, lineLength(line), out);
        }
        return Status::success();
    }
    // Merge: each run's next line, the smallest path first.
    std::vector<RunCursor> runs;
    runs.reserve(m_runs.size() + 1);
    for (const auto& blocks : m_runs)
        runs.emplace_back(*m_spill, blocks);
    runs.emplace_back(m_starts);
    const auto later = [&](std::size_t a, std::size_t b) {
        return std::strcmp(runs[a].record(), runs[b].record()) > 0;
    };
    std::priority_queue<std::size_t, std::vector<std::size_t>, decltype(later)> next(later);
    for (std::size_t i = 0; i < runs.size(); ++i) {
        COFFER_TRY(runs[i].next());
        if (runs[i].record())
            next.push(i);
    }
    while (!next.empty()) {
        const std::size_t i = next.top();
        next.pop();
        const char* line = lineOf(runs[i].record());
        std::fwrite(line, 1, lineLength(line), out);
        if (auto st = runs[i].next(); !st.ok())
            return makeError(st.error().code, st.error().message + " (the lines above it are all that was listed)");
        if (runs[i].record())
            next.push(i);
    }
    return Status::success();
}

} // namespace coffer::cli
