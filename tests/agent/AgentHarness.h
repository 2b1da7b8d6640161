// Helpers for the key agent suites: a person with a keyring (cheap KDF, made
// in C++) and a private XDG_RUNTIME_DIR, the real `coffer` run detached from
// any terminal (so a missing agent shows as "cannot ask", never as a prompt),
// and the agent's pid read from the socket (SO_PEERCRED).
#pragma once

#include "AgentSocket.h"
#include "KeyringHarness.h"

#include <chrono>
#include <csignal>
#include <cstring>
#include <fstream>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <thread>
#include <unistd.h>

namespace coffer::test::agent {

using namespace coffer::test::keyring;

struct AgentUser {
    TempDir root;
    Person person{root.path(), "alice"};
    fs::path runtime = root.path() / "run";
    crypto::SecretIdentity identity = crypto::SecretIdentity::generate("Alice");
    crypto::SecretIdentity bob = crypto::SecretIdentity::generate("Bob");

    AgentUser()
    {
        fs::create_directories(runtime);
        fs::permissions(runtime, fs::perms::owner_all);
        createKeyring(person, identity, {contactFor("Bob", bob, true)});
    }
    ~AgentUser() { run("lock"); } // a failed test leaves no agent running

    /// `coffer ARGS` with no keyring passphrase at hand, and no terminal to ask on.
    Outcome run(const std::string& args, bool withRuntimeDir = true) const
    {
        const std::string runtimeDir = withRuntimeDir ? "XDG_RUNTIME_DIR=" + q(runtime) : "-u XDG_RUNTIME_DIR";
        return shell("env " + runtimeDir + " COFFER_HOME=" + q(person.home) + " setsid -w " + cofferCommand() + " " +
                     args + " </dev/null");
    }
    /// The same with the passphrase file, as scripts unlock.
    Outcome runWithPassphrase(const std::string& args) const
    {
        return run(args + " --keyring-passphrase-file " + q(person.passFile));
    }
    fs::path socket() const
    {
        ::setenv("XDG_RUNTIME_DIR", runtime.c_str(), 1);
        auto p = coffer::agent::agentSocketPath(person.dataDir() / "keyring.coffer", false);
        ::unsetenv("XDG_RUNTIME_DIR");
        EXPECT_TRUE(p.ok());
        return p.ok() ? *p : fs::path();
    }
    Outcome unlock(const std::string& extra = "") const { return runWithPassphrase("unlock " + extra); }

    /// `content` in root/NAME, and root/NAME.age made from it by the real
    /// `age` for this person's age address (what `id show` prints).
    fs::path ageFile(const std::string& name, const std::string& content) const
    {
        const Outcome shown = runWithPassphrase("id show");
        EXPECT_EQ(shown.code, kExitOk) << shown.output;
        const auto at = shown.output.find("age1");
        EXPECT_NE(at, std::string::npos) << shown.output;
        const std::string address = shown.output.substr(at, shown.output.find('\n', at) - at);
        writeFile(root / name, content);
        const fs::path sealed = root / (name + ".age");
        const Outcome made = shell("age -r " + shellQuote(address) + " -o " + q(sealed) + " " + q(root / name));
        EXPECT_EQ(made.code, 0) << made.output;
        return sealed;
    }
};

/// The pid serving `socket` (0 if none answers).
inline pid_t agentPid(const fs::path& socket)
{
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, socket.c_str(), sizeof addr.sun_path - 1);
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return 0;
    }
    ucred cred{};
    socklen_t len = sizeof cred;
    ::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len);
    ::close(fd);
    return cred.pid;
}

/// True while any thread of `pid` runs. A killed process's main thread can
/// show as a zombie while its other threads still exit and hold its open files
/// (its listening socket among them); a zombie waiting for its reaper has ended.
inline bool running(pid_t pid)
{
    std::error_code ec;
    for (const auto& task : fs::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
        std::ifstream status(task.path() / "status");
        for (std::string line; std::getline(status, line);)
            if (line.rfind("State:", 0) == 0 && line.find('Z') == std::string::npos &&
                line.find('X') == std::string::npos)
                return true;
    }
    return false;
}

/// Waits (at most 20 s) for `done()`: an event in another process, not a timing assumption.
template <typename Done> bool eventually(Done done)
{
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!done()) {
        if (std::chrono::steady_clock::now() > deadline)
            return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return true;
}

} // namespace coffer::test::agent
