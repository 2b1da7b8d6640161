#include "Terminal.h"

#include "DisplayText.h"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <iterator>
#include <string>
#include <termios.h>
#include <unistd.h>

namespace coffer::cli {

namespace {

// What a signal handler needs to give the terminal its echo back: plain
// globals, read only by the handler while a prompt is up.
int g_promptFd = -1;
struct termios g_savedTermios {};

constexpr int kEndingSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

extern "C" void restoreTerminalAndDie(int sig)
{
    // Async-signal-safe only: tcsetattr, then the default action of the same signal.
    ::tcsetattr(g_promptFd, TCSANOW, &g_savedTermios);
    ::signal(sig, SIG_DFL);
    ::raise(sig);
}

/// Echo off for one prompt; the terminal is restored when this ends, or when a
/// signal ends the process first (Ctrl-C, SIGTERM, a closed terminal).
class QuietTerminal {
public:
    explicit QuietTerminal(int fd) : m_fd(fd)
    {
        if (::tcgetattr(fd, &m_saved) != 0)
            return;
        m_active = true;
        g_promptFd = fd;
        g_savedTermios = m_saved;
        struct sigaction sa {};
        sa.sa_handler = restoreTerminalAndDie;
        ::sigemptyset(&sa.sa_mask);
        for (std::size_t i = 0; i < std::size(kEndingSignals); ++i) {
            ::sigaction(kEndingSignals[i], &sa, &m_previous[i]);
            if (m_previous[i].sa_handler == SIG_IGN) // nohup: an ignored signal stays ignored
                ::sigaction(kEndingSignals[i], &m_previous[i], nullptr);
        }
        struct termios quiet = m_saved;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        quiet.c_lflag |= ECHONL;
        ::tcsetattr(fd, TCSAFLUSH, &quiet);
    }
    ~QuietTerminal()
    {
        if (!m_active)
            return;
        ::tcsetattr(m_fd, TCSAFLUSH, &m_saved);
        for (std::size_t i = 0; i < std::size(kEndingSignals); ++i)
            ::sigaction(kEndingSignals[i], &m_previous[i], nullptr);
        g_promptFd = -1;
    }
    QuietTerminal(const QuietTerminal&) = delete;
    QuietTerminal& operator=(const QuietTerminal&) = delete;

private:
    int m_fd;
    bool m_active = false;
    struct termios m_saved {};
    struct sigaction m_previous[std::size(kEndingSignals)]{};
};

} // namespace

Result<crypto::SecureString> readPassphrase(const std::string& prompt, const std::string& what,
                                            const std::string& fileOption)
{
    const int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return makeError(ErrorCode::InvalidArgument, "no terminal to ask for the " + what,
                         "use " + fileOption + " FILE in scripts");
    crypto::SecureString passphrase;
    passphrase.reserve(4096); // on the wiped heap from the first byte, never in the object's own buffer
    {
        const QuietTerminal quiet(fd);
        if (::write(fd, prompt.data(), prompt.size()) < 0) {
            // The prompt is a courtesy; reading still works.
        }
        char c;
        while (::read(fd, &c, 1) == 1 && c != '\n' && c != '\r')
            passphrase.push_back(c);
        c = 0;
    }
    ::close(fd);
    return passphrase;
}

Result<crypto::SecureString> readPassphraseFile(const std::string& path)
{
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return makeError(ErrorCode::Io, "cannot read the passphrase file \"" + path + "\": " + std::strerror(errno));
    crypto::SecureString passphrase;
    passphrase.reserve(4096); // on the wiped heap from the first byte, never in the object's own buffer
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
    std::string name = displayable(p.currentFile); // a path from the container or the disk
    if (name.size() > 30) {
        std::size_t cut = name.size() - 27;
        while (cut < name.size() && (static_cast<unsigned char>(name[cut]) & 0xc0) == 0x80)
            ++cut; // start on a whole character
        name = "..." + name.substr(cut);
    }
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
