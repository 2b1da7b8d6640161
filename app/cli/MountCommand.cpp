// `coffer mount CONTAINER DIR` and `coffer unmount DIR` (issue 21, item 4):
// every check that needs no secret first, then the keys as decrypt asks for
// them; the command returns once the folder is usable (or, with -f, serves
// in the foreground until unmounted or interrupted).
#include "Cli.h"
#include "CliSupport.h"
#include "CommandTable.h"
#include "Commands.h"
#include "FileIO.h"
#include "MountFs.h"

#include <cerrno>
#include <cstdio>
#include <fcntl.h>
#include <fstream>
#include <functional>
#include <spawn.h>
#include <sstream>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace coffer::cli {

namespace fs = std::filesystem;

namespace {

/// An empty folder we may mount on: a mount hides what a folder holds.
Status checkMountFolder(const fs::path& dir)
{
    struct stat st;
    if (::stat(dir.c_str(), &st) != 0)
        return ioError(errno, "mount on", dir);
    if (!S_ISDIR(st.st_mode))
        return ioError(ENOTDIR, "mount on", dir);
    if (::access(dir.c_str(), W_OK | X_OK) != 0)
        return ioError(errno, "mount on", dir);
    std::error_code ec;
    if (!fs::is_empty(dir, ec) || ec)
        return makeError(ErrorCode::InvalidArgument, "\"" + dir.string() + "\" is not empty",
                         "mount on an empty folder (mkdir one)");
    return Status::success();
}

/// The folder's absolute path: a daemon leaves the working folder, and unmounts by this name.
fs::path absoluteFolder(const fs::path& dir)
{
    std::error_code ec;
    fs::path canonical = fs::canonical(dir, ec);
    return ec ? fs::absolute(dir).lexically_normal() : canonical;
}

/// Opens the container, mounts it and serves it; `ready(code)` runs when the
/// folder is usable (0) or the mount failed (the exit code).
int mountAndServe(const Args& args, const std::string& container, const fs::path& dir,
                  const std::function<void(int)>& ready)
{
    struct stat st {};
    ::stat(container.c_str(), &st);
    auto reader = openForMount(args, container);
    if (!reader.ok()) {
        const int code = reportError(reader.error());
        ready(code);
        return code;
    }
    const MountTree tree = MountTree::build(reader->index());
    MountReader mounted(std::move(*reader));
    const Status served = serveMount(mounted, tree, dir, st.st_mtime, [&] { ready(kExitOk); });
    if (!served.ok()) {
        const int code = reportError(served.error());
        ready(code);
        return code;
    }
    return kExitOk; // `mounted` goes now: the file key and its key schedules are wiped
}

/// The parent waits for the child's word that the folder is usable, and
/// passes on its exit code; the child asks for the keys (on the terminal,
/// still its own), mounts, detaches and serves.
int mountInBackground(const Args& args, const std::string& container, const fs::path& dir)
{
    int pipeFds[2];
    if (::pipe2(pipeFds, O_CLOEXEC) != 0)
        return reportError(ioError(errno, "start the mount", dir));
    const pid_t pid = ::fork(); // before any thread: the key and worker threads live in the child only
    if (pid < 0)
        return reportError(ioError(errno, "start the mount", dir));
    if (pid > 0) {
        ::close(pipeFds[1]);
        unsigned char code = kExitInternal;
        const ssize_t n = TEMP_FAILURE_RETRY(::read(pipeFds[0], &code, 1));
        ::close(pipeFds[0]);
        if (n != 1)
            std::fprintf(stderr, "error: the mount process stopped before the folder was ready\n");
        return code;
    }
    ::close(pipeFds[0]);
    int word = pipeFds[1];
    return mountAndServe(args, container, dir, [&](int code) {
        if (word < 0)
            return;
        if (code == kExitOk)
            detachFromTerminal();
        const auto byte = static_cast<unsigned char>(code);
        [[maybe_unused]] const ssize_t n = ::write(word, &byte, 1);
        ::close(word);
        word = -1;
    });
}

/// "\040" and the like in /proc/self/mountinfo, back to bytes.
std::string unescapeMountField(const std::string& field)
{
    std::string out;
    for (std::size_t i = 0; i < field.size(); ++i) {
        if (field[i] == '\\' && i + 3 < field.size()) {
            out += static_cast<char>(std::stoi(field.substr(i + 1, 3), nullptr, 8));
            i += 3;
        } else {
            out += field[i];
        }
    }
    return out;
}

/// True if a Coffer mount (type fuse.coffer) sits at `dir`.
bool isCofferMount(const fs::path& dir)
{
    std::ifstream info("/proc/self/mountinfo");
    for (std::string line; std::getline(info, line);) {
        std::istringstream fields(line);
        std::string id, parent, device, root, point, field;
        fields >> id >> parent >> device >> root >> point;
        while (fields >> field && field != "-") {
        }
        std::string type;
        fields >> type;
        if (type == "fuse.coffer" && unescapeMountField(point) == dir.string())
            return true;
    }
    return false;
}

Status runFusermount(const fs::path& dir)
{
    const char* argv[] = {"fusermount3", "-u", "--", dir.c_str(), nullptr};
    pid_t pid;
    const int err = ::posix_spawnp(&pid, "fusermount3", nullptr, nullptr, const_cast<char* const*>(argv), environ);
    if (err != 0)
        return makeError(ErrorCode::Io, "could not run fusermount3", "install FUSE 3 (Debian: apt install fuse3)");
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return makeError(ErrorCode::Io, "fusermount3 could not unmount \"" + dir.string() + "\"",
                         "close the files and folders open in it (a shell inside it too), then try again");
    return Status::success();
}

} // namespace

int commandMount(const std::vector<std::string>& argv)
{
    Args args = parseArgs("mount", argv);
    if (!args.ok() || args.positional().size() != 2)
        return usageError(args.ok() ? "name a container and a folder to mount it on" : args.error(), usageOf("mount"));
    const std::string container = args.positional()[0];
    if (container == "-")
        return usageError("mount needs a container file (it reads parts of it as they are asked for)",
                          usageOf("mount"));
    for (const Status& st :
         {checkContainerFirst(container), checkMountFolder(args.positional()[1]), checkFuseAvailable()})
        if (!st.ok())
            return reportError(st.error());
    const fs::path dir = absoluteFolder(args.positional()[1]);
    if (args.has("--foreground"))
        return mountAndServe(args, container, dir, [](int) {});
    return mountInBackground(args, container, dir);
}

int commandUnmount(const std::vector<std::string>& argv)
{
    Args args = parseArgs("unmount", argv);
    if (!args.ok() || args.positional().size() != 1)
        return usageError(args.ok() ? "name the folder a container is mounted on" : args.error(), usageOf("unmount"));
    const fs::path dir = absoluteFolder(args.positional()[0]);
    if (!isCofferMount(dir))
        return reportError(makeError(ErrorCode::InvalidArgument, "no container is mounted on \"" + dir.string() + "\"",
                                     "name the folder given to \"coffer mount\""));
    if (const Status st = runFusermount(dir); !st.ok())
        return reportError(st.error());
    return kExitOk;
}

} // namespace coffer::cli
