#include "AgentSocket.h"

#include "Primitives.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

namespace coffer::agent {

namespace fs = std::filesystem;

namespace {

Error unsafeFolder(const fs::path& dir, const std::string& why)
{
    return makeError(ErrorCode::Io, "the key agent's folder \"" + dir.string() + "\" " + why,
                     "remove it (it should be made by Coffer, yours and private), then run \"coffer unlock\" again");
}

/// `dir` is a real folder, ours, and nobody else may write in it (or, with `privateToUs`, enter it).
Status checkFolder(const fs::path& dir, bool privateToUs)
{
    struct stat st;
    if (::lstat(dir.c_str(), &st) != 0)
        return makeError(ErrorCode::Io, "cannot use the folder \"" + dir.string() + "\": " + std::strerror(errno));
    if (S_ISLNK(st.st_mode))
        return unsafeFolder(dir, "is a symbolic link");
    if (!S_ISDIR(st.st_mode))
        return unsafeFolder(dir, "is not a folder");
    if (st.st_uid != ::getuid())
        return unsafeFolder(dir, "belongs to another user");
    if ((st.st_mode & (privateToUs ? 077 : 022)) != 0)
        return unsafeFolder(dir, "is open to other users");
    return Status::success();
}

} // namespace

Result<fs::path> agentSocketPath(const fs::path& keyringPath, bool create)
{
    const char* runtime = std::getenv("XDG_RUNTIME_DIR");
    if (!runtime || !*runtime || runtime[0] != '/')
        return makeError(ErrorCode::InvalidArgument, "XDG_RUNTIME_DIR is not set, so there is no key agent",
                         "log in through a session that sets it (systemd does); until then each command asks for "
                         "the keyring passphrase");
    const fs::path base(runtime);
    COFFER_TRY(checkFolder(base, false));
    const fs::path dir = base / "coffer";
    if (create && ::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
        return makeError(ErrorCode::Io, "cannot make \"" + dir.string() + "\": " + std::strerror(errno));
    if (!create && ::access(dir.c_str(), F_OK) != 0)
        return dir / "absent"; // no agent was ever started: nothing to check
    COFFER_TRY(checkFolder(dir, true));
    std::error_code ec;
    const fs::path absolute = fs::absolute(keyringPath, ec).lexically_normal();
    const std::string text = absolute.string();
    const auto digest = crypto::sha256({reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
    char name[64];
    std::snprintf(name, sizeof name, "agent-%02x%02x%02x%02x%02x%02x%02x%02x.sock", digest[0], digest[1], digest[2],
                  digest[3], digest[4], digest[5], digest[6], digest[7]);
    const fs::path path = dir / name;
    if (path.string().size() >= sizeof(sockaddr_un{}.sun_path))
        return makeError(ErrorCode::InvalidArgument, "the key agent's socket path is too long: " + path.string(),
                         "use a shorter XDG_RUNTIME_DIR");
    return path;
}

Result<int> connectSocket(const fs::path& path, int* err)
{
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.string().size() >= sizeof addr.sun_path)
        return makeError(ErrorCode::InvalidArgument, "the socket path is too long");
    std::memcpy(addr.sun_path, path.c_str(), path.string().size());
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return makeError(ErrorCode::Io, std::string("cannot make a socket: ") + std::strerror(errno));
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
        const int e = errno;
        ::close(fd);
        if (err)
            *err = e;
        return makeError(ErrorCode::Io, "cannot reach the key agent: " + std::string(std::strerror(e)));
    }
    if (!peerIsUs(fd)) { // the other way round too: never talk to another user's socket
        ::close(fd);
        if (err)
            *err = EPERM;
        return makeError(ErrorCode::Io, "the key agent's socket is served by another user");
    }
    return fd;
}

bool peerIsUs(int fd)
{
    ucred cred{};
    socklen_t len = sizeof cred;
    return ::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 && len == sizeof cred && cred.uid == ::getuid();
}

void removeStaleSocket(const fs::path& path)
{
    struct stat st;
    if (::lstat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode) && st.st_uid == ::getuid())
        ::unlink(path.c_str());
}

} // namespace coffer::agent
