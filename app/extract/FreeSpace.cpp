#include "FreeSpace.h"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <sys/statvfs.h>

namespace coffer {

namespace {

constexpr std::uint64_t kBlock = 4096;                // a file takes at least a block
constexpr std::uint64_t kAskEvery = 64 * 1024 * 1024; // bytes reserved between statvfs calls

std::uint64_t addSaturating(std::uint64_t a, std::uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b; // sizes are what a hostile archive declares
}

std::string size(std::uint64_t bytes)
{
    char text[32];
    if (bytes >= 1'000'000'000)
        std::snprintf(text, sizeof text, "%.1f GB", static_cast<double>(bytes) / 1e9);
    else
        std::snprintf(text, sizeof text, "%.1f MB", static_cast<double>(bytes) / 1e6);
    return text;
}

} // namespace

Status FreeSpaceGuard::refresh()
{
    struct statvfs st {};
    if (::statvfs(m_where.c_str(), &st) != 0)
        return makeError(ErrorCode::Io,
                         "cannot tell the free space in \"" + m_where.string() + "\": " + std::strerror(errno));
    m_free = std::uint64_t{st.f_bavail} * st.f_frsize;
    m_margin = std::min(kMargin, std::uint64_t{st.f_blocks} * st.f_frsize / 100);
    m_reserved = 0;
    m_known = true;
    return Status::success();
}

Status FreeSpaceGuard::reserve(std::uint64_t bytes, std::uint64_t files)
{
    const std::uint64_t need = addSaturating(bytes, (files > UINT64_MAX / kBlock ? UINT64_MAX : files * kBlock));
    if (!m_known || addSaturating(m_reserved, need) > kAskEvery)
        COFFER_TRY(refresh());
    const std::uint64_t available = m_free > m_margin + m_reserved ? m_free - m_margin - m_reserved : 0;
    if (need > available)
        return makeError(ErrorCode::Io, "not enough free space in \"" + m_where.string() + "\": the container needs " +
                                            size(need) + ", " + size(m_free > m_reserved ? m_free - m_reserved : 0) +
                                            " is free");
    m_reserved += need;
    return Status::success();
}

} // namespace coffer
