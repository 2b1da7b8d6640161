// Helpers for the age suites (issue 20): keys from the real age-keygen, the
// real `age` driven through a pseudo-terminal for passphrases (age reads
// them from /dev/tty), and hostile tarballs written by Python's tarfile.
#pragma once

#include "CliHarness.h"

#include <cerrno>
#include <cstring>
#include <map>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

namespace coffer::test::cli {

/// An identity made by the real age-keygen: its file and its age1 recipient.
struct AgeKey {
    fs::path file;
    std::string recipient;
};

inline AgeKey ageKeygen(const fs::path& file)
{
    const Outcome r = shell("age-keygen -o " + q(file));
    EXPECT_EQ(r.code, 0) << r.output;
    AgeKey key{file, {}};
    std::istringstream lines(readFile(file));
    for (std::string line; std::getline(lines, line);)
        if (line.rfind("# public key: ", 0) == 0)
            key.recipient = line.substr(14);
    EXPECT_EQ(key.recipient.rfind("age1", 0), 0u) << readFile(file);
    return key;
}

/// Runs `argv` (the real age) on a pseudo-terminal, answering every
/// passphrase prompt with `passphrase`. Returns the exit status; `output`
/// gets what it wrote on the terminal.
inline int runOnTerminal(const std::vector<std::string>& argv, const std::string& passphrase, std::string* output)
{
    int master = -1;
    const pid_t pid = ::forkpty(&master, nullptr, nullptr, nullptr);
    if (pid < 0)
        return -1;
    if (pid == 0) {
        std::vector<char*> args;
        for (const auto& a : argv)
            args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        ::execvp(args[0], args.data());
        ::_exit(127);
    }
    std::string seen;
    std::size_t answered = 0; // prompts answered so far
    char buf[4096];
    while (true) {
        const ssize_t n = ::read(master, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break; // EIO once the child closed the terminal
        seen.append(buf, static_cast<std::size_t>(n));
        std::size_t prompts = 0;
        for (std::size_t at = seen.find("assphrase"); at != std::string::npos; at = seen.find("assphrase", at + 1))
            if (seen.find(':', at) != std::string::npos)
                ++prompts;
        for (; answered < prompts; ++answered) {
            const std::string line = passphrase + "\n";
            EXPECT_EQ(::write(master, line.data(), line.size()), static_cast<ssize_t>(line.size()));
        }
    }
    ::close(master);
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (output)
        *output = seen;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/// Writes a tarball with Python's tarfile; `body` is Python with `t` the open
/// TarFile and `tarfile`, `io` imported (a test's hostile entries).
inline void pythonTar(const fs::path& out, const std::string& body)
{
    const fs::path script = out.string() + ".py";
    writeFile(script, "import tarfile, io, sys\n"
                      "t = tarfile.open(sys.argv[1], 'w', format=tarfile.PAX_FORMAT)\n"
                      "def add(name, data=b'x', **kw):\n"
                      "    i = tarfile.TarInfo(name)\n"
                      "    for k, v in kw.items(): setattr(i, k, v)\n"
                      "    i.size = len(data) if i.isreg() else 0\n"
                      "    t.addfile(i, io.BytesIO(data) if i.isreg() else None)\n" +
                          body + "\nt.close()\n");
    const Outcome r = shell("python3 " + q(script) + " " + q(out));
    ASSERT_EQ(r.code, 0) << r.output;
}

/// Deterministic content of `size` bytes.
inline std::string content(std::size_t size, std::uint64_t seed)
{
    XorShift rng(seed);
    return rng.bytes(size);
}

/// The files under `root` and their contents (folders listed too).
inline std::map<std::string, std::string> snapshot(const fs::path& root)
{
    std::map<std::string, std::string> tree;
    for (const auto& rel : listTree(root))
        tree[rel] = rel.ends_with("/") ? std::string() : readFile(root / rel);
    return tree;
}

} // namespace coffer::test::cli
