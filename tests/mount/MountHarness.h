// Helpers for the mount tests: a real `coffer mount` (FUSE 3, /dev/fuse), the
// daemon it leaves found by its command line, and a guard that unmounts
// whatever a failed test left mounted.
#pragma once

#include "cli/CliHarness.h"

#include <cerrno>
#include <chrono>
#include <fcntl.h>
#include <fstream>
#include <thread>
#include <unistd.h>

namespace coffer::test::cli {

inline bool fuseUsable()
{
    return ::access("/dev/fuse", R_OK | W_OK) == 0;
}

/// True if something is mounted at `dir` (an absolute, canonical path).
inline bool isMountPoint(const fs::path& dir)
{
    std::ifstream info("/proc/self/mountinfo");
    for (std::string line; std::getline(info, line);) {
        std::istringstream fields(line);
        std::string id, parent, device, root, point;
        fields >> id >> parent >> device >> root >> point;
        if (point == dir.string())
            return true;
    }
    return false;
}

/// The processes running `coffer mount ... DIR`.
inline std::vector<int> mountDaemons(const fs::path& dir)
{
    std::vector<int> pids;
    for (const auto& p : fs::directory_iterator("/proc")) {
        const std::string name = p.path().filename().string();
        if (name.find_first_not_of("0123456789") != std::string::npos)
            continue;
        std::error_code ec;
        if (!fs::exists(p.path() / "cmdline", ec))
            continue;
        const std::string cmdline = readFile(p.path() / "cmdline");
        std::vector<std::string> args;
        for (std::size_t pos = 0; pos < cmdline.size();) {
            const std::size_t end = cmdline.find('\0', pos);
            args.push_back(cmdline.substr(pos, end - pos));
            pos = end == std::string::npos ? cmdline.size() : end + 1;
        }
        if (args.size() >= 3 && args[1] == "mount" && fs::path(args.back()) == dir)
            pids.push_back(std::stoi(name));
    }
    return pids;
}

/// Waits (up to 10 s) until no `coffer mount ... DIR` runs any more.
inline bool daemonsGone(const fs::path& dir)
{
    for (int i = 0; i < 200; ++i) {
        if (mountDaemons(dir).empty())
            return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
}

/// Unmounts `dir` on destruction if a test left it mounted (so the TempDir can go).
struct MountGuard {
    fs::path dir;
    ~MountGuard()
    {
        if (isMountPoint(dir))
            runCommand("fusermount3 -u -z " + shellQuote(dir.string()));
    }
};

/// Reads `size` bytes at `offset` of `path` with pread: the bytes, or the errno of the failure.
struct ReadOutcome {
    std::string bytes;
    int error = 0;
};
inline ReadOutcome preadRange(const fs::path& path, std::uint64_t offset, std::size_t size)
{
    ReadOutcome r;
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        r.error = errno;
        return r;
    }
    r.bytes.resize(size);
    std::size_t done = 0;
    while (done < size) {
        const ssize_t n = ::pread(fd, r.bytes.data() + done, size - done, static_cast<off_t>(offset + done));
        if (n < 0) {
            r.error = errno;
            break;
        }
        if (n == 0)
            break;
        done += static_cast<std::size_t>(n);
    }
    r.bytes.resize(done);
    ::close(fd);
    return r;
}

} // namespace coffer::test::cli
