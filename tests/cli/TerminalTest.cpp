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

/// `coffer ARGS` on a pseudo-terminal (by default `encrypt -p`, which waits at its passphrase prompt).
class PromptOnPty {
public:
    explicit PromptOnPty(const fs::path& input)
        : PromptOnPty(std::vector<std::string>{"encrypt", "-p", "-o", (input.parent_path() / "out.coffer").string(),
                                               input.string()})
    {}
    explicit PromptOnPty(const std::vector<std::string>& args)
    {
        m_master = ::posix_openpt(O_RDWR | O_NOCTTY);
        EXPECT_GE(m_master, 0);
        EXPECT_EQ(::grantpt(m_master), 0);
        EXPECT_EQ(::unlockpt(m_master), 0);
        const std::string slaveName = ::ptsname(m_master);
        // The test keeps the terminal open to read its settings after coffer is gone.
        m_slave = ::open(slaveName.c_str(), O_RDWR | O_NOCTTY);
        EXPECT_GE(m_slave, 0);
        std::vector<char*> argv{const_cast<char*>("coffer")};
        for (const auto& a : args)
            argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        m_child = ::fork();
        if (m_child == 0) {
            ::setsid(); // a new session whose controlling terminal is the pty: Ctrl-C reaches coffer
            const int tty = ::open(slaveName.c_str(), O_RDWR);
            ::dup2(tty, 0);
            ::dup2(tty, 1);
            ::dup2(tty, 2);
            ::execv(COFFER_BINARY, argv.data());
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
    /// Reads what is there within `ms` milliseconds.
    void drain(int ms)
    {
        pollfd p{m_master, POLLIN, 0};
        while (::poll(&p, 1, ms) > 0) {
            char buf[4096];
            const ssize_t n = ::read(m_master, buf, sizeof buf);
            if (n <= 0)
                return;
            m_seen.append(buf, static_cast<std::size_t>(n));
        }
    }
    /// The terminal's echo flag (coffer sets it before it prints the prompt).
    bool echoIsOn() const
    {
        termios t{};
        EXPECT_EQ(::tcgetattr(m_slave, &t), 0);
        return (t.c_lflag & ECHO) != 0;
    }
    void type(const std::string& keys) { EXPECT_EQ(::write(m_master, keys.data(), keys.size()), ssize_t(keys.size())); }
    pid_t pid() const { return m_child; }
    /// Everything coffer printed until it ended (or 60 s passed), then its wait status.
    int readToEnd()
    {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
        int status = 0;
        while (!m_reaped && std::chrono::steady_clock::now() < deadline) {
            drain(100);
            m_reaped = ::waitpid(m_child, &status, WNOHANG) == m_child;
        }
        drain(100); // what it wrote just before it ended
        return m_reaped ? status : reap();
    }
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

TEST_F(TerminalTest, TheProgressLineShowsAPathsDirectionControlsAsEscapes)
{
    const std::string rlo = "\xe2\x80\xae"; // U+202E
    writeFile(m_dir / "tree" / ("invoice" + rlo + "fdp.exe"), std::string(200000, 'x'));
    const Key key = makeKey(m_dir / "k.key");
    PromptOnPty run({"encrypt", "-r", key.card, "-o", (m_dir / "t.coffer").string(), (m_dir / "tree").string()});
    const int status = run.readToEnd();
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << run.seen();
    EXPECT_TRUE(run.seen().find("invoice\\u{202E}fdp.exe") != std::string::npos) << run.seen();
    EXPECT_EQ(run.seen().find(rlo), std::string::npos) << "U+202E reached the terminal raw";
}

} // namespace
} // namespace coffer::test::cli
