// `coffer unlock`, `coffer lock` and the internal `coffer agent` (issue 22,
// item 3; docs/AGENT.md): unlock asks for the keyring passphrase and starts
// the agent, handing it the passphrase through a pipe (never argv, the
// environment or a file); the agent opens the keyring, listens, tells unlock
// it is ready and goes into the background.
#include "AgentClient.h"
#include "AgentServer.h"
#include "AgentSocket.h"
#include "Cli.h"
#include "CliSupport.h"
#include "CommandTable.h"
#include "Commands.h"
#include "Paths.h"
#include "ScreenLockWatch.h"
#include "Terminal.h"

#include <QSettings>
#include <QString>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace coffer::cli {

namespace fs = std::filesystem;

namespace {

constexpr int kReadyFd = 3; // the agent's word to unlock: one byte, its exit code (0: listening)

/// The idle time: --idle-timeout SECONDS, else the GUI's auto-lock setting (minutes; 0: never).
Result<std::chrono::milliseconds> idleTime(const Args& args)
{
    if (auto v = args.one("--idle-timeout")) {
        char* end = nullptr;
        errno = 0;
        const long seconds = std::strtol(v->c_str(), &end, 10);
        if (v->empty() || *end || errno || seconds < 0 || seconds > 7 * 24 * 3600)
            return makeError(ErrorCode::InvalidArgument, "--idle-timeout takes seconds, from 0 (never) to 604800",
                             "for example --idle-timeout 900");
        return std::chrono::milliseconds(seconds * 1000);
    }
    const fs::path ini = resolveDataLocations().configDir / "coffer.ini";
    const QSettings settings(QString::fromStdString(ini.string()), QSettings::IniFormat);
    bool ok = false;
    const int minutes = settings.value(QStringLiteral("security/autoLockMinutes"), 15).toInt(&ok);
    return std::chrono::milliseconds(std::int64_t{ok && minutes >= 0 ? minutes : 15} * 60 * 1000);
}

void tellUnlock(int& fd, int code)
{
    if (fd < 0)
        return;
    const auto byte = static_cast<unsigned char>(code);
    [[maybe_unused]] const ssize_t n = ::write(fd, &byte, 1);
    ::close(fd);
    fd = -1;
}

/// Starts `coffer agent`, writes the passphrase into its standard input and
/// waits for its word. The agent reports its own errors on our stderr.
int startAgent(const crypto::SecureString& passphrase, const Args& args)
{
    char self[PATH_MAX];
    const ssize_t len = ::readlink("/proc/self/exe", self, sizeof self - 1);
    if (len <= 0)
        return reportError(makeError(ErrorCode::Internal, "cannot find the coffer program to start the agent"));
    self[len] = 0;
    int secretPipe[2], readyPipe[2];
    if (::pipe2(secretPipe, O_CLOEXEC) != 0 || ::pipe2(readyPipe, O_CLOEXEC) != 0)
        return reportError(makeError(ErrorCode::Io, "cannot start the key agent: no pipe"));
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, secretPipe[0], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, readyPipe[1], kReadyFd);
    std::vector<std::string> argvText{self, "agent"};
    if (auto v = args.one("--idle-timeout")) {
        argvText.push_back("--idle-timeout");
        argvText.push_back(*v);
    }
    std::vector<char*> argv;
    for (auto& a : argvText)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = 0;
    const int err = ::posix_spawn(&pid, self, &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(secretPipe[0]);
    ::close(readyPipe[1]);
    if (err != 0) {
        ::close(secretPipe[1]);
        ::close(readyPipe[0]);
        return reportError(makeError(ErrorCode::Io, "cannot start the key agent"));
    }
    // A passphrase is at most 4 KiB: it fits in the pipe, so this never blocks.
    [[maybe_unused]] const ssize_t w1 = ::write(secretPipe[1], passphrase.data(), passphrase.size());
    [[maybe_unused]] const ssize_t w2 = ::write(secretPipe[1], "\n", 1);
    ::close(secretPipe[1]);
    unsigned char code = kExitInternal;
    ssize_t n;
    do
        n = ::read(readyPipe[0], &code, 1);
    while (n < 0 && errno == EINTR);
    ::close(readyPipe[0]);
    int status = 0;
    if (n != 1 || code != kExitOk)
        ::waitpid(pid, &status, 0); // it stopped: reap it (a running agent has left our session)
    if (n != 1) {
        std::fprintf(stderr, "error: the key agent stopped before it was ready\n");
        return kExitInternal;
    }
    return code;
}

} // namespace

int commandUnlock(const std::vector<std::string>& argv)
{
    Args args = parseArgs("unlock", argv);
    if (!args.ok() || !args.positional().empty())
        return usageError(args.ok() ? "unlock takes no file" : args.error(), usageOf("unlock"));
    if (auto st = checkKeyringExists(); !st.ok())
        return reportError(st.error());
    if (auto idle = idleTime(args); !idle.ok())
        return reportError(idle.error());
    auto socket = agent::agentSocketPath(keyringStore().path(), true);
    if (!socket.ok())
        return reportError(socket.error());
    if (agent::probeAgent(*socket) == agent::AgentPresence::Answering) {
        std::fprintf(stderr, "The keyring is already unlocked.\n");
        return kExitOk;
    }
    auto passphrase = keyringPassphrase(args);
    if (!passphrase.ok())
        return reportError(passphrase.error());
    const int code = startAgent(*passphrase, args);
    if (code == kExitOk)
        std::fprintf(stderr, "The keyring is unlocked: commands use it without asking until \"coffer lock\".\n");
    return code;
}

int commandLock(const std::vector<std::string>& argv)
{
    Args args = parseArgs("lock", argv);
    if (!args.ok() || !args.positional().empty())
        return usageError(args.ok() ? "lock takes no file" : args.error(), usageOf("lock"));
    auto socket = agent::agentSocketPath(keyringStore().path(), false);
    if (socket.ok() && agent::lockAgent(*socket)) {
        std::fprintf(stderr, "The keyring is locked.\n");
        return kExitOk;
    }
    std::fprintf(stderr, "The keyring was not unlocked.\n");
    return kExitOk;
}

int commandAgent(const std::vector<std::string>& argv)
{
    agent::blockStopSignals(); // before the unlock starts any thread
    Args args = parseArgs("agent", argv);
    if (!args.ok() || !args.positional().empty())
        return usageError(args.ok() ? "agent takes no file" : args.error(), usageOf("agent"));
    struct stat in {};
    if (::fstat(STDIN_FILENO, &in) != 0 || !S_ISFIFO(in.st_mode))
        return usageError("the agent is started by \"coffer unlock\"", usageOf("unlock"));
    int ready = ::fcntl(kReadyFd, F_GETFD) >= 0 ? kReadyFd : -1;
    if (ready >= 0)
        ::fcntl(ready, F_SETFD, FD_CLOEXEC);
    const auto fail = [&](const Error& e) {
        const int code = reportError(e);
        tellUnlock(ready, code);
        return code;
    };
    auto idle = idleTime(args);
    if (!idle.ok())
        return fail(idle.error());
    auto passphrase = readPassphraseFile("/dev/stdin");
    if (const int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC); null >= 0) { // the pipe closed, fd 0 kept
        ::dup2(null, STDIN_FILENO);
        ::close(null);
    }
    if (!passphrase.ok())
        return fail(passphrase.error());
    auto socket = agent::agentSocketPath(keyringStore().path(), true);
    if (!socket.ok())
        return fail(socket.error());
    auto keyring = unlockWithPassphrase(*passphrase);
    passphrase = crypto::SecureString(); // wiped: the agent keeps keys, not the passphrase
    if (!keyring.ok())
        return fail(keyring.error());
    // Best effort: keep the keys out of swap (refused beyond RLIMIT_MEMLOCK; they are wiped either way).
    ::mlockall(MCL_CURRENT);
    // The desktop's screen lock locks the agent too; no session bus, no watch.
    const auto screenLock = agent::ScreenLockWatch::start(agent::sessionBusAddress());
    const agent::AgentOptions options{*idle, screenLock ? screenLock->fd() : -1};
    const Status served = agent::serveAgent(std::move(*keyring), *socket, options, [&] {
        tellUnlock(ready, kExitOk);
        detachFromTerminal();
    });
    if (!served.ok())
        return fail(served.error());
    return kExitOk;
}

} // namespace coffer::cli
