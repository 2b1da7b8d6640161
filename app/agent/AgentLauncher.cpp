// Starting the key agent from the desktop app (docs/AGENT.md, "Start"):
// `coffer unlock` run as a child, the passphrase on its standard input.
#include "AgentLauncher.h"

#include <cerrno>
#include <csignal>
#include <ctime>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

extern char** environ;

namespace coffer::agent {

namespace {

/// Writes all of `data` to a pipe without SIGPIPE if the reader is gone.
bool writeAll(int fd, const char* data, std::size_t size)
{
    sigset_t pipeSignal, old;
    sigemptyset(&pipeSignal);
    sigaddset(&pipeSignal, SIGPIPE);
    ::pthread_sigmask(SIG_BLOCK, &pipeSignal, &old);
    bool ok = true;
    while (size > 0) {
        const ssize_t n = ::write(fd, data, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            ok = false;
            break;
        }
        data += n;
        size -= static_cast<std::size_t>(n);
    }
    if (!ok) { // take the SIGPIPE this thread caused before letting it through again
        const timespec none{};
        while (::sigtimedwait(&pipeSignal, nullptr, &none) == SIGPIPE) {
        }
    }
    ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
    return ok;
}

} // namespace

Result<int> unlockAgentWith(const std::filesystem::path& program, const crypto::SecureString& passphrase)
{
    int secretPipe[2];
    if (::pipe2(secretPipe, O_CLOEXEC) != 0)
        return makeError(ErrorCode::Io, "cannot start the key agent: no pipe");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, secretPipe[0], STDIN_FILENO);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    std::vector<std::string> argvText{program.string(), "unlock", "--keyring-passphrase-file", "/dev/stdin"};
    std::vector<char*> argv;
    for (auto& a : argvText)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = 0;
    const int err = ::posix_spawn(&pid, program.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(secretPipe[0]);
    if (err != 0) {
        ::close(secretPipe[1]);
        return makeError(ErrorCode::Io, "cannot start \"" + program.string() + "\" to unlock the key agent",
                         "reinstall Coffer: the coffer command must be beside the app");
    }
    // A passphrase is at most 4 KiB: it fits in the pipe, so this never waits on the child.
    if (writeAll(secretPipe[1], passphrase.data(), passphrase.size()))
        (void)writeAll(secretPipe[1], "\n", 1);
    ::close(secretPipe[1]);
    int status = 0;
    pid_t done;
    do
        done = ::waitpid(pid, &status, 0);
    while (done < 0 && errno == EINTR);
    if (done != pid || !WIFEXITED(status))
        return makeError(ErrorCode::Internal, "coffer unlock stopped before it finished");
    return WEXITSTATUS(status);
}

} // namespace coffer::agent
