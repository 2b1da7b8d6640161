#include "Terminal.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <termios.h>
#include <unistd.h>

namespace coffer::cli {

Result<crypto::SecureString> readPassphrase(const std::string& prompt, const std::string& what,
                                            const std::string& fileOption)
{
    const int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return makeError(ErrorCode::InvalidArgument, "no terminal to ask for the " + what,
                         "use " + fileOption + " FILE in scripts");
    struct termios old {};
    const bool isTty = ::tcgetattr(fd, &old) == 0;
    if (isTty) {
        struct termios quiet = old;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        quiet.c_lflag |= ECHONL;
        ::tcsetattr(fd, TCSAFLUSH, &quiet);
    }
    if (::write(fd, prompt.data(), prompt.size()) < 0) {
        // The prompt is a courtesy; reading still works.
    }
    crypto::SecureString passphrase;
    char c;
    while (::read(fd, &c, 1) == 1 && c != '\n' && c != '\r')
        passphrase.push_back(c);
    c = 0;
    if (isTty)
        ::tcsetattr(fd, TCSAFLUSH, &old);
    ::close(fd);
    return passphrase;
}

Result<crypto::SecureString> readPassphraseFile(const std::string& path)
{
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return makeError(ErrorCode::Io, "cannot read the passphrase file \"" + path + "\": " + std::strerror(errno));
    crypto::SecureString passphrase;
    char c;
    while (::read(fd, &c, 1) == 1 && c != '\n' && passphrase.size() < 4096)
        passphrase.push_back(c);
    c = 0;
    ::close(fd);
    if (!passphrase.empty() && passphrase.back() == '\r')
        passphrase.pop_back();
    if (passphrase.empty())
        return makeError(ErrorCode::InvalidArgument, "the passphrase file \"" + path + "\" is empty",
                         "put the passphrase on the file's first line");
    return passphrase;
}

bool stderrIsTerminal()
{
    return ::isatty(STDERR_FILENO) == 1;
}

bool stdoutIsTerminal()
{
    return ::isatty(STDOUT_FILENO) == 1;
}

std::string formatBytes(std::uint64_t bytes)
{
    static const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = static_cast<double>(bytes);
    int u = 0;
    while (v >= 1024 && u < 4) {
        v /= 1024;
        ++u;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
    return buf;
}

std::string countOf(std::uint64_t n, const char* one, const char* many)
{
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

void drawProgress(const Progress& p)
{
    constexpr int kWidth = 24;
    const double fraction = p.bytesTotal ? static_cast<double>(p.bytesDone) / static_cast<double>(p.bytesTotal) : 0.0;
    const int filled = static_cast<int>(fraction * kWidth);
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar.resize(kWidth, '.');
    std::string name = p.currentFile;
    if (name.size() > 30)
        name = "..." + name.substr(name.size() - 27);
    if (p.bytesTotal)
        std::fprintf(stderr, "\r[%s] %3d%%  %s / %s  %-30s", bar.c_str(), static_cast<int>(fraction * 100),
                     formatBytes(p.bytesDone).c_str(), formatBytes(p.bytesTotal).c_str(), name.c_str());
    else
        std::fprintf(stderr, "\r%s  %-30s", formatBytes(p.bytesDone).c_str(), name.c_str());
    std::fflush(stderr);
}

void clearProgress()
{
    std::fprintf(stderr, "\r%*s\r", 90, "");
    std::fflush(stderr);
}

} // namespace coffer::cli
