// A passphrase prompt turns the terminal's echo off; whatever ends the prompt
// -- Enter, Ctrl-C, a SIGTERM from elsewhere -- the terminal gets its echo
// back. The real `coffer` runs on a pseudo-terminal of the test's own.
#include "CliHarness.h"

#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

namespace coffer::test::cli {
namespace {

/// `coffer encrypt -p` waiting at its passphrase prompt on a pseudo-terminal.
class PromptOnPty {
public:
    explicit PromptOnPty(const fs::path& input)
    {
        m_master = ::posix_openpt(O_RDWR | O_NOCTTY);
        EXPECT_GE(m_master, 0);
        EXPECT_EQ(::grantpt(m_master), 0);
        EXPECT_EQ(::unlockpt(m_master), 0);
        const std::string slaveName = ::ptsname(m_master);
        // The test keeps the terminal open to read its settings after coffer is gone.
        m_slave = ::open(slaveName.c_str(), O_RDWR | O_NOCTTY);
        EXPECT_GE(m_slave, 0);
        const std::string out = (input.parent_path() / "out.coffer").string();
        m_child = ::fork();
        if (m_child == 0) {
            ::setsid(); // a new session whose controlling terminal is the pty: Ctrl-C reaches coffer
            const int tty = ::open(slaveName.c_str(), O_RDWR);
            ::dup2(tty, 0);
            ::dup2(tty, 1);
            ::dup2(tty, 2);
            ::execl(COFFER_BINARY, "coffer", "encrypt", "-p", "-o", out.c_str(), input.c_str(),
                    static_cast<char*>(nullptr));
            ::_exit(127);
        }
    }
    ~PromptOnPty()
    {
        if (m_child > 0 && !m_reaped) {
            ::kill(m_child, SIGKILL);
            ::waitpid(m_child, nullptr, 0);
        }
        ::close(m_slave);
        ::close(m_master);
    }

    /// Reads what coffer printed until `text` shows up (or 20 s pass).
    bool waitForOutput(const std::string& text)
    {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (m_seen.find(text) == std::string::npos && std::chrono::steady_clock::now() < deadline) {
            pollfd p{m_master, POLLIN, 0};
            if (::poll(&p, 1, 100) <= 0)
                continue;
            char buf[256];
            const ssize_t n = ::read(m_master, buf, sizeof buf);
            if (n > 0)
                m_seen.append(buf, static_cast<std::size_t>(n));
        }
        return m_seen.find(text) != std::string::npos;
    }
    /// Waits until the setting has taken effect (tcsetattr comes before the prompt, but poll anyway).
    bool echoIsOn() const
    {
        termios t{};
        EXPECT_EQ(::tcgetattr(m_slave, &t), 0);
        return (t.c_lflag & ECHO) != 0;
    }
    void type(const std::string& keys) { EXPECT_EQ(::write(m_master, keys.data(), keys.size()), ssize_t(keys.size())); }
    pid_t pid() const { return m_child; }
    /// The wait status once coffer ended.
    int reap()
    {
        int status = 0;
        ::waitpid(m_child, &status, 0);
        m_reaped = true;
        return status;
    }
    const std::string& seen() const { return m_seen; }

private:
    int m_master = -1;
    int m_slave = -1;
    pid_t m_child = -1;
    bool m_reaped = false;
    std::string m_seen;
};

class TerminalTest : public ::testing::Test {
protected:
    void SetUp() override { writeFile(m_dir / "in.txt", "secret plans\n"); }
    TempDir m_dir;
};

TEST_F(TerminalTest, CtrlCAtThePassphrasePromptGivesTheEchoBack)
{
    PromptOnPty prompt(m_dir / "in.txt");
    ASSERT_TRUE(prompt.waitForOutput("Passphrase: ")) << prompt.seen();
    ASSERT_FALSE(prompt.echoIsOn()) << "the prompt turns echo off";
    prompt.type("half a pass");
    prompt.type("\x03"); // Ctrl-C: the terminal sends SIGINT to coffer
    const int status = prompt.reap();
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGINT) << "coffer ends as interrupted, status " << status;
    EXPECT_TRUE(prompt.echoIsOn()) << "the terminal was left without echo";
    EXPECT_FALSE(fs::exists(m_dir / "out.coffer"));
}

TEST_F(TerminalTest, SigtermAtThePassphrasePromptGivesTheEchoBack)
{
    PromptOnPty prompt(m_dir / "in.txt");
    ASSERT_TRUE(prompt.waitForOutput("Passphrase: ")) << prompt.seen();
    ASSERT_FALSE(prompt.echoIsOn());
    ::kill(prompt.pid(), SIGTERM);
    const int status = prompt.reap();
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM) << "status " << status;
    EXPECT_TRUE(prompt.echoIsOn()) << "the terminal was left without echo";
}

TEST_F(TerminalTest, EnterAtThePromptGivesTheEchoBack)
{
    PromptOnPty prompt(m_dir / "in.txt");
    ASSERT_TRUE(prompt.waitForOutput("Passphrase: ")) << prompt.seen();
    prompt.type("a long enough passphrase\n");
    ASSERT_TRUE(prompt.waitForOutput("Passphrase again: ")) << prompt.seen();
    prompt.type("a long enough passphrase\n");
    const int status = prompt.reap();
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << prompt.seen();
    EXPECT_TRUE(prompt.echoIsOn());
    EXPECT_TRUE(fs::exists(m_dir / "out.coffer"));
}

} // namespace
} // namespace coffer::test::cli
