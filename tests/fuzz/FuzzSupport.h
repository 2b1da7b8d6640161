// Shared by the fuzz targets (libFuzzer) and their replay builds: a fixed
// identity that the seed containers are encrypted to, in-memory files, a
// scratch folder, and FUZZ_CHECK, which crashes on a broken invariant so the
// fuzzer keeps the input.
#pragma once

#include "Bech32.h"
#include "Keys.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <sys/mman.h>
#include <unistd.h>

/// A property the code must keep for every input; a failure is a bug.
#define FUZZ_CHECK(cond)                                                                                               \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            std::fprintf(stderr, "FUZZ_CHECK failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__);                        \
            __builtin_trap();                                                                                          \
        }                                                                                                              \
    } while (false)

namespace coffer::fuzz {

/// A little-endian 64-bit field of an input (trailers and segment headers).
inline std::uint64_t le64(const std::uint8_t* p)
{
    std::uint64_t v = 0;
    for (int i = 7; i >= 0; --i)
        v = (v << 8) | p[i];
    return v;
}

/// The fuzzing identity: a fixed, public test key (never use it for anything
/// real). The seed containers of make-seeds.sh are encrypted to its card.
inline crypto::SecretIdentity fixedIdentity()
{
    crypto::Bytes raw;
    raw.push_back(1); // secret key version
    for (int i = 0; i < 64; ++i)
        raw.push_back(static_cast<std::uint8_t>(0x11 + i));
    auto id = crypto::SecretIdentity::decode(crypto::bech32Encode(crypto::kSecretHrp, raw, true));
    if (!id.ok())
        std::abort();
    return std::move(*id);
}

inline crypto::IdentityList fixedIdentities()
{
    crypto::IdentityList list;
    list.push_back(fixedIdentity().makeIdentity());
    return list;
}

/// An anonymous in-memory file, reachable by path through /proc/self/fd.
class MemFile {
public:
    MemFile()
    {
        m_fd = ::memfd_create("coffer-fuzz", MFD_CLOEXEC);
        if (m_fd < 0)
            std::abort();
        m_path = "/proc/self/fd/" + std::to_string(m_fd);
    }
    ~MemFile() { ::close(m_fd); }
    MemFile(const MemFile&) = delete;
    MemFile& operator=(const MemFile&) = delete;

    void assign(const std::uint8_t* data, std::size_t size)
    {
        if (::ftruncate(m_fd, 0) != 0)
            std::abort();
        std::size_t done = 0;
        while (done < size) {
            const ssize_t n = ::pwrite(m_fd, data + done, size - done, static_cast<off_t>(done));
            if (n <= 0)
                std::abort();
            done += static_cast<std::size_t>(n);
        }
    }
    int fd() const { return m_fd; }
    const std::filesystem::path& path() const { return m_path; }

private:
    int m_fd = -1;
    std::filesystem::path m_path;
};

/// A scratch folder (on /dev/shm when there is one: extraction fsyncs every file),
/// removed at exit.
inline const std::filesystem::path& scratchDir()
{
    static const std::filesystem::path dir = [] {
        std::error_code ec;
        std::string base = std::filesystem::is_directory("/dev/shm", ec) ? "/dev/shm" : "/tmp";
        if (const char* t = std::getenv("COFFER_FUZZ_SCRATCH"))
            base = t;
        std::string pattern = base + "/coffer-fuzz-XXXXXX";
        if (!::mkdtemp(pattern.data()))
            std::abort();
        return std::filesystem::path(pattern);
    }();
    // Registered once `dir` is built, so it runs before `dir` is destroyed (exit
    // runs both in reverse order); registered inside dir's initializer, it ran
    // after, on a destroyed path, and every replay left its folder behind.
    static const bool removedAtExit = std::atexit([] {
                                          std::error_code e;
                                          std::filesystem::remove_all(scratchDir(), e);
                                      }) == 0;
    (void)removedAtExit;
    return dir;
}

/// Removes `path` and everything under it, making read-only folders writable first.
inline void wipe(const std::filesystem::path& path)
{
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!fs::exists(fs::symlink_status(path, ec)))
        return;
    for (fs::recursive_directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec))
        if (it->is_directory(ec) && !it->is_symlink(ec))
            fs::permissions(it->path(), fs::perms::owner_all, fs::perm_options::add, ec);
    fs::permissions(path, fs::perms::owner_all, fs::perm_options::add, ec);
    fs::remove_all(path, ec);
}

} // namespace coffer::fuzz
