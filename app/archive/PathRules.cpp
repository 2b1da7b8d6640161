#include "PathRules.h"

#include "Utf8.h"

#include <algorithm>

namespace coffer {

namespace {

Error unsafe(std::string_view path, const char* why)
{
    std::string shown(path.substr(0, 200));
    for (auto& c : shown)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
            c = '?';
    return makeError(ErrorCode::UnsafePath, "unsafe path \"" + shown + "\": " + why);
}

bool equalsIgnoringAsciiCase(std::string_view a, std::string_view b)
{
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [&](char x, char y) { return lower(x) == lower(y); });
}

} // namespace

bool isBookkeepingName(std::string_view component)
{
    constexpr std::string_view staging = ".coffer-extract-";
    constexpr std::string_view journal = ".rekey-journal";
    if (component.size() >= staging.size() && equalsIgnoringAsciiCase(component.substr(0, staging.size()), staging))
        return true;
    return component.size() > journal.size() && component.front() == '.' &&
           equalsIgnoringAsciiCase(component.substr(component.size() - journal.size()), journal);
}

Status checkArchivePath(std::string_view path)
{
    if (path.empty())
        return unsafe(path, "it is empty");
    if (path.size() > kMaxPathBytes)
        return unsafe(path, "it is longer than 4096 bytes");
    if (!crypto::isValidUtf8(path))
        return unsafe(path, "it is not valid UTF-8");
    for (const char c : path) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
            return unsafe(path, "it contains a control character");
        if (c == '\\')
            return unsafe(path, "it contains a backslash");
    }
    if (path.front() == '/')
        return unsafe(path, "it is absolute");
    if (path.size() >= 2 && path[1] == ':' &&
        ((path[0] >= 'A' && path[0] <= 'Z') || (path[0] >= 'a' && path[0] <= 'z')))
        return unsafe(path, "it starts with a drive letter");
    std::size_t start = 0;
    while (true) {
        const auto slash = path.find('/', start);
        const auto component = path.substr(start, slash - start);
        if (component.empty())
            return unsafe(path, "it has an empty component");
        if (component == "." || component == "..")
            return unsafe(path, "it has a \".\" or \"..\" component");
        if (component.size() > kMaxComponentBytes)
            return unsafe(path, "a component is longer than 255 bytes");
        if (isBookkeepingName(component))
            return unsafe(path, "it uses a name Coffer keeps for its own files");
        if (slash == std::string_view::npos)
            break;
        start = slash + 1;
    }
    return Status::success();
}

PathSet::PathSet()
{
    grow(64);
}

void PathSet::reserve(std::size_t paths)
{
    std::size_t slots = m_slots.size();
    while (slots / 4 * 3 < paths)
        slots *= 2;
    if (slots != m_slots.size())
        grow(slots);
}

void PathSet::grow(std::size_t slots)
{
    std::vector<Slot> old = std::exchange(m_slots, std::vector<Slot>(slots));
    const std::size_t mask = slots - 1;
    for (const Slot& s : old) {
        if (s.plain == 0)
            continue;
        std::size_t i = s.keyed & mask;
        while (m_slots[i].plain != 0)
            i = (i + 1) & mask;
        m_slots[i] = s;
    }
}

PathSet::Slot& PathSet::find(std::string_view path)
{
    const std::uint64_t keyed = m_hash(path);
    const std::uint64_t plain = std::hash<std::string_view>{}(path) & ~std::uint64_t(3);
    const std::size_t mask = m_slots.size() - 1;
    for (std::size_t i = keyed & mask;; i = (i + 1) & mask) {
        Slot& s = m_slots[i];
        if (s.plain == 0) {
            s.keyed = keyed; // where it goes: the caller sets the kind, or leaves it empty
            return s;
        }
        if (s.keyed == keyed && (s.plain & ~std::uint64_t(3)) == plain)
            return s;
    }
}

Status PathSet::add(std::string_view path, bool isDirectory)
{
    COFFER_TRY(checkArchivePath(path));
    // Exact names: Linux trees legitimately hold names that differ only in case
    // or normalisation (the kernel's xt_connmark.h and xt_CONNMARK.h). On a disk
    // that folds them, extraction gives the second one a free name; it never
    // overwrites or follows a link (FORMAT.md §5.5, §10).
    // Every ancestor is (or becomes) a directory; none may be a file. A parent
    // already known as a folder had its own ancestors checked when it came.
    // A path adds itself and at most all its ancestors: room for them first,
    // so that no slot found below moves.
    // The table never holds more than kMaxPathSetPaths.
    const std::size_t most = m_used + 1 + static_cast<std::size_t>(std::count(path.begin(), path.end(), '/'));
    reserve(std::min(most, kMaxPathSetPaths));
    const auto kindOf = [](const Slot& s) { return static_cast<Kind>(s.plain & 3); };
    const auto claim = [&](Slot& s, std::string_view p, Kind kind) -> Status {
        if (m_used >= kMaxPathSetPaths)
            return makeError(ErrorCode::LimitExceeded, "the archive names more than 2,000,000 files and folders "
                                                       "(counting the folders its paths imply)");
        s.plain = (std::hash<std::string_view>{}(p) & ~std::uint64_t(3)) | static_cast<std::uint64_t>(kind);
        ++m_used;
        return Status::success();
    };
    const auto slash = path.rfind('/');
    bool parentKnown = false;
    if (slash != std::string_view::npos) {
        const Slot& parent = find(path.substr(0, slash));
        parentKnown = parent.plain != 0 && kindOf(parent) != Kind::File;
    }
    for (std::size_t pos = path.find('/'); !parentKnown && pos != std::string_view::npos;
         pos = path.find('/', pos + 1)) {
        Slot& s = find(path.substr(0, pos));
        if (s.plain == 0)
            COFFER_TRY(claim(s, path.substr(0, pos), Kind::ImpliedDirectory));
        else if (kindOf(s) == Kind::File)
            return unsafe(path, "a file of the same name is also used as a folder");
    }
    Slot& s = find(path);
    if (s.plain == 0)
        return claim(s, path, isDirectory ? Kind::Directory : Kind::File);
    if (kindOf(s) == Kind::ImpliedDirectory && isDirectory) {
        s.plain = (s.plain & ~std::uint64_t(3)) | static_cast<std::uint64_t>(Kind::Directory);
        return Status::success();
    }
    return unsafe(path, kindOf(s) == Kind::ImpliedDirectory ? "a file of the same name is also used as a folder"
                                                            : "another entry has the same name");
}

} // namespace coffer
