#include "StagingRecord.h"

#include "Paths.h"
#include "StagingFolder.h"

#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>

namespace coffer {

namespace {

// What a record holds: the destination folder's inode. Not its device
// number, which may differ after a reboot (a USB disk), when a killed
// extraction's folder is most likely to be found.
std::string recordFor(int destFd)
{
    struct stat st;
    if (::fstat(destFd, &st) != 0)
        return {};
    return "coffer-staging/1 " + std::to_string(st.st_ino) + "\n";
}

} // namespace

StagingRecords StagingRecords::open()
{
    StagingRecords records;
    const std::filesystem::path state = resolveDataLocations().stateDir;
    if (state.empty())
        return records;
    std::error_code ec;
    std::filesystem::create_directories(state, ec);
    const std::filesystem::path dir = state / "staging";
    ::mkdir(dir.c_str(), 0700);
    UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    struct stat st;
    // Only a folder nobody else can write to holds records worth believing.
    if (fd.valid() && ::fstat(fd.get(), &st) == 0 && st.st_uid == ::geteuid() && (st.st_mode & 077) == 0)
        records.m_dir = std::move(fd);
    return records;
}

bool StagingRecords::add(const std::string& name, int destFd)
{
    const std::string record = recordFor(destFd);
    if (!m_dir.valid() || !isStagingName(name) || record.empty())
        return false;
    UniqueFd fd(::openat(m_dir.get(), name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!fd.valid())
        return false;
    if (::write(fd.get(), record.data(), record.size()) == static_cast<ssize_t>(record.size()))
        return true;
    ::unlinkat(m_dir.get(), name.c_str(), 0);
    return false;
}

void StagingRecords::remove(const std::string& name)
{
    if (m_dir.valid() && isStagingName(name))
        ::unlinkat(m_dir.get(), name.c_str(), 0);
}

bool StagingRecords::has(const std::string& name, int destFd) const
{
    const std::string expected = recordFor(destFd);
    if (!m_dir.valid() || !isStagingName(name) || expected.empty())
        return false;
    UniqueFd fd(::openat(m_dir.get(), name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    if (!fd.valid())
        return false;
    std::string got(expected.size() + 1, '\0');
    const ssize_t n = ::read(fd.get(), got.data(), got.size());
    return n == static_cast<ssize_t>(expected.size()) && got.compare(0, expected.size(), expected) == 0;
}

} // namespace coffer
