#include "ListingLines.h"

#include "AgeCommands.h"
#include "DisplayText.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <ctime>

namespace coffer::cli {

void ListingLines::add(const IndexEntry& e)
{
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
        m_blocks.push_back(std::make_unique<char[]>(m_room));
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
}

void ListingLines::print()
{
    std::sort(m_starts.begin(), m_starts.end(), [](const char* a, const char* b) { return std::strcmp(a, b) < 0; });
    for (const char* record : m_starts) {
        const char* line = record + std::strlen(record) + 1;
        std::fwrite(line, 1, static_cast<std::size_t>(std::strchr(line, '\n') - line + 1), stdout);
    }
}

void printEntries(const ArchiveIndex& index, bool longFormat)
{
    ListingLines lines(longFormat);
    for (const auto& e : index.entries)
        if (!e.isPack()) // storage, not a file
            lines.add(e);
    lines.print();
}

} // namespace coffer::cli
