// Helpers for the fault tests: they run the real `coffer` executable
// (COFFER_BINARY) in a forked child with a fault applied -- a file size limit,
// another user, a kill at a chosen moment -- and look at what is left on disk.
// No mocks: real files, real file systems, real signals.
#pragma once

#include "TestSupport.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <filesystem>
#include <functional>
#include <grp.h>
#include <optional>
#include <random>
#include <signal.h>
#include <string>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace coffer::test::faults {

namespace fs = std::filesystem;

inline constexpr int kExitOk = 0;
inline constexpr int kExitIo = 6;

/// How to run the child.
struct RunOptions {
    std::vector<std::string> env;        // extra "NAME=VALUE"
    std::optional<rlim_t> fileSizeLimit; // RLIMIT_FSIZE, with SIGXFSZ ignored: writes fail with EFBIG
    std::optional<uid_t> uid;            // run as this user (and its group 65534 for nobody)
    std::optional<fs::path> stdinFile;   // standard input from this file (else /dev/null)
    std::optional<fs::path> cwd;
};

/// The binary another user can run. The build tree may sit in a folder closed
/// to others (CI clones into a 0700 `mktemp -d`; a newcomer may clone into
/// /root), so a copy goes into a folder everyone can search, once per process.
inline const std::string& binaryForAnotherUser()
{
    static const std::string path = [] {
        static TempDir dir;
        ::chmod(dir.path().c_str(), 0755);
        const fs::path copy = dir.path() / "coffer";
        fs::copy_file(COFFER_BINARY, copy, fs::copy_options::overwrite_existing);
        ::chmod(copy.c_str(), 0755);
        return copy.string();
    }();
    return path;
}

/// A started `coffer` child; its output goes to files in a scratch folder.
class Child {
public:
    Child(const std::vector<std::string>& args, const RunOptions& options = {})
    {
        const fs::path out = m_scratch / "stdout";
        const fs::path err = m_scratch / "stderr";
        std::vector<std::string> argv{options.uid ? binaryForAnotherUser() : std::string(COFFER_BINARY)};
        argv.insert(argv.end(), args.begin(), args.end());
        if (options.uid)
            ::chmod(m_scratch.path().c_str(), 0777);
        // Everything the child needs is prepared before fork(): after it, only exec.
        std::vector<std::string> envStrings;
        for (char** e = environ; *e; ++e) {
            const std::string kv = *e;
            const std::string name = kv.substr(0, kv.find('='));
            const bool replaced = std::any_of(options.env.begin(), options.env.end(), [&](const std::string& o) {
                return o.compare(0, name.size() + 1, name + "=") == 0;
            });
            if (!replaced && name != "BOTAN_MLOCK_POOL_SIZE")
                envStrings.push_back(kv);
        }
        envStrings.insert(envStrings.end(), options.env.begin(), options.env.end());
        envStrings.push_back("BOTAN_MLOCK_POOL_SIZE=0");
        std::vector<char*> cenv;
        for (auto& kv : envStrings)
            cenv.push_back(kv.data());
        cenv.push_back(nullptr);
        std::vector<char*> cargv;
        for (auto& a : argv)
            cargv.push_back(a.data());
        cargv.push_back(nullptr);
        const std::string inPath = options.stdinFile ? options.stdinFile->string() : "/dev/null";
        const std::string cwd = options.cwd ? options.cwd->string() : std::string();
        m_start = std::chrono::steady_clock::now();
        m_pid = ::fork();
        if (m_pid == 0) {
            const int in = ::open(inPath.c_str(), O_RDONLY);
            const int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0666);
            const int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0666);
            if (in < 0 || o < 0 || e < 0)
                ::_exit(120);
            ::dup2(in, 0);
            ::dup2(o, 1);
            ::dup2(e, 2);
            if (!cwd.empty() && ::chdir(cwd.c_str()) != 0)
                ::_exit(121);
            if (options.fileSizeLimit) {
                ::signal(SIGXFSZ, SIG_IGN); // ignored dispositions survive exec
                const struct rlimit lim = {*options.fileSizeLimit, *options.fileSizeLimit};
                if (::setrlimit(RLIMIT_FSIZE, &lim) != 0)
                    ::_exit(122);
            }
            if (options.uid) {
                if (::setgroups(0, nullptr) != 0 || ::setgid(65534) != 0 || ::setuid(*options.uid) != 0)
                    ::_exit(123);
            }
            ::execve(cargv[0], cargv.data(), cenv.data());
            ::_exit(127);
        }
    }
    ~Child()
    {
        if (m_pid > 0 && !m_reaped) {
            ::kill(m_pid, SIGKILL);
            wait();
        }
    }
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;

    pid_t pid() const { return m_pid; }
    /// Waits; returns the exit code, or 128 + signal.
    int wait()
    {
        if (!m_reaped) {
            int status = 0;
            while (::waitpid(m_pid, &status, 0) < 0 && errno == EINTR) {
            }
            m_reaped = true;
            m_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            m_elapsed = std::chrono::steady_clock::now() - m_start;
        }
        return m_code;
    }
    /// Still running?
    bool running()
    {
        if (m_reaped)
            return false;
        int status = 0;
        const pid_t r = ::waitpid(m_pid, &status, WNOHANG);
        if (r == m_pid) {
            m_reaped = true;
            m_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            m_elapsed = std::chrono::steady_clock::now() - m_start;
            return false;
        }
        return true;
    }
    void kill(int sig = SIGKILL) { ::kill(m_pid, sig); }
    std::string out() const { return readFile(m_scratch / "stdout"); }
    std::string err() const { return readFile(m_scratch / "stderr"); }
    double seconds() const { return std::chrono::duration<double>(m_elapsed).count(); }

private:
    TempDir m_scratch;
    pid_t m_pid = -1;
    bool m_reaped = false;
    int m_code = -1;
    std::chrono::steady_clock::time_point m_start;
    std::chrono::steady_clock::duration m_elapsed{};
};

struct Outcome {
    int code = -1;
    std::string out;
    std::string err;
};

inline Outcome runCoffer(const std::vector<std::string>& args, const RunOptions& options = {})
{
    Child child(args, options);
    Outcome o;
    o.code = child.wait();
    o.out = child.out();
    o.err = child.err();
    return o;
}

/// `bytes` of incompressible data (so zstd does not shrink it below a limit).
inline void writeRandomFile(const fs::path& path, std::size_t bytes, unsigned seed = 1)
{
    std::mt19937_64 rng(seed);
    std::string data(bytes, '\0');
    for (std::size_t i = 0; i + 8 <= bytes; i += 8) {
        const std::uint64_t v = rng();
        std::memcpy(&data[i], &v, 8);
    }
    writeFile(path, data);
}

/// Names under `root` that are temporaries of Coffer: an extraction's staging
/// folder ".coffer-extract-*" and all in it, ".NAME.coffer-old-*", "*.part".
inline std::vector<std::string> temporaries(const fs::path& root)
{
    std::vector<std::string> found;
    for (const auto& rel : listTree(root)) {
        const std::string name = fs::path(rel).filename().string();
        if (rel.find(".coffer-extract-") != std::string::npos || name.find(".coffer-old-") != std::string::npos ||
            (name.size() > 5 && name.compare(name.size() - 5, 5, ".part") == 0))
            found.push_back(rel);
    }
    return found;
}

/// A key pair made by `coffer keygen -o FILE`.
struct Key {
    fs::path file;
    std::string card;
};

inline Key makeKey(const fs::path& file)
{
    const Outcome r = runCoffer({"keygen", "-o", file.string()});
    EXPECT_EQ(r.code, kExitOk) << r.err;
    Key key{file, r.out};
    while (!key.card.empty() && (key.card.back() == '\n' || key.card.back() == '\r'))
        key.card.pop_back();
    return key;
}

/// Every file under `root` with its content, folders marked "/".
inline std::vector<std::pair<std::string, std::string>> contents(const fs::path& root)
{
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& rel : listTree(root))
        out.emplace_back(rel, rel.back() == '/' ? std::string() : readFile(root / rel));
    return out;
}

/// Removes `name` in `dirFd` and everything under it, one component at a time
/// (so paths longer than PATH_MAX go too).
inline void removeAt(int dirFd, const std::string& name)
{
    if (::unlinkat(dirFd, name.c_str(), 0) == 0 || (errno != EISDIR && errno != EPERM))
        return;
    const int fd = ::openat(dirFd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    if (fd < 0)
        return;
    ::fchmod(fd, 0700);
    std::vector<std::string> names;
    if (DIR* d = ::fdopendir(::dup(fd))) {
        while (const dirent* e = ::readdir(d))
            if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0)
                names.emplace_back(e->d_name);
        ::closedir(d);
    }
    for (const auto& n : names)
        removeAt(fd, n);
    ::close(fd);
    ::unlinkat(dirFd, name.c_str(), AT_REMOVEDIR);
}

/// Every path under `dir` (relative, sorted; folders end in '/'), however deep:
/// walked with openat, so paths longer than PATH_MAX are listed too.
inline void listAt(int dirFd, const std::string& prefix, std::vector<std::string>& out)
{
    std::vector<std::pair<std::string, bool>> names;
    if (DIR* d = ::fdopendir(::dup(dirFd))) {
        while (const dirent* e = ::readdir(d))
            if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0)
                names.emplace_back(e->d_name, e->d_type == DT_DIR);
        ::closedir(d);
    }
    for (const auto& [name, isDir] : names) {
        out.push_back(prefix + name + (isDir ? "/" : ""));
        if (isDir) {
            const int fd = ::openat(dirFd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
            if (fd >= 0) {
                listAt(fd, prefix + name + "/", out);
                ::close(fd);
            }
        }
    }
}

inline std::vector<std::string> listDeep(const fs::path& dir)
{
    std::vector<std::string> out;
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        listAt(fd, "", out);
        ::close(fd);
    }
    std::sort(out.begin(), out.end());
    return out;
}

/// Removes `path` and everything under it, however deep.
inline void wipeDeep(const fs::path& path)
{
    const fs::path parent = path.parent_path();
    const int fd = ::open(parent.c_str(), O_RDONLY | O_DIRECTORY);
    if (fd < 0)
        return;
    removeAt(fd, path.filename().string());
    ::close(fd);
}

inline bool skipSlow()
{
    const char* v = std::getenv("COFFER_SKIP_SLOW");
    return v && *v && std::string(v) != "0";
}

} // namespace coffer::test::faults
