// Round trips with the real `age` from Debian, both ways: what Coffer writes
// `age -d` opens byte for byte, and what `age -e` writes Coffer opens, for
// one and three recipients, binary and armored, at the chunk edges.
#include "AgeTestSupport.h"
#include "TestSupport.h"

#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

using namespace coffer;
using namespace coffer::crypto;
using namespace coffer::crypto::age;
using namespace coffer::tests;
using coffer::test::TempDir;

namespace {

const std::vector<std::size_t> kSizes = {0, 1, kAgeChunkSize, kAgeChunkSize + 1, 3 * 1024 * 1024 + 5};

bool haveAge()
{
    return coffer::test::runCommand("age --version") == 0;
}

// Writes the identities of `keys` to an age identity file.
std::filesystem::path identityFile(const TempDir& dir, const std::vector<const AgeTestKey*>& keys)
{
    std::string text;
    for (const auto* k : keys)
        text += "# public key: " + k->recipientText() + "\n" + k->identityText() + "\n";
    coffer::test::writeFile(dir / "keys.txt", text);
    return dir / "keys.txt";
}

AgeKeys keysOf(const AgeTestKey& k)
{
    AgeKeys keys;
    keys.x25519.push_back(k.secret.clone());
    return keys;
}

} // namespace

TEST(AgeInterop, AgeOpensWhatCofferWrites)
{
    if (!haveAge())
        GTEST_SKIP() << "the age command is not installed (tools/bootstrap.sh installs it)";
    TempDir dir;
    const AgeTestKey a = AgeTestKey::generate(), b = AgeTestKey::generate(), c = AgeTestKey::generate();
    const auto keyFile = identityFile(dir, {&b});
    for (const std::size_t size : kSizes) {
        const Bytes plain = patternBytes(size, 7);
        for (const bool armor : {false, true}) {
            const Bytes file = encryptAge(
                plain, AgeRecipients{{a.recipient, b.recipient, c.recipient}, std::nullopt, kDefaultScryptWorkFactor},
                armor);
            coffer::test::writeBytes(dir / "f.age", file);
            std::string out;
            const int rc = coffer::test::runCommand("age -d -i " + coffer::test::shellQuote(keyFile.string()) + " -o " +
                                                        coffer::test::shellQuote((dir / "out").string()) + " " +
                                                        coffer::test::shellQuote((dir / "f.age").string()),
                                                    &out);
            ASSERT_EQ(rc, 0) << size << (armor ? " armored: " : ": ") << out;
            EXPECT_TRUE(coffer::test::readBytes(dir / "out") == plain) << size << (armor ? " armored" : "");
        }
    }
}

TEST(AgeInterop, CofferOpensWhatAgeWrites)
{
    if (!haveAge())
        GTEST_SKIP() << "the age command is not installed (tools/bootstrap.sh installs it)";
    TempDir dir;
    const AgeTestKey a = AgeTestKey::generate(), b = AgeTestKey::generate(), c = AgeTestKey::generate();
    for (const std::size_t size : kSizes) {
        const Bytes plain = patternBytes(size, 9);
        coffer::test::writeBytes(dir / "in", plain);
        for (const std::string& flags :
             {std::string("-r ") + a.recipientText(),
              "-a -r " + a.recipientText() + " -r " + b.recipientText() + " -r " + c.recipientText()}) {
            std::string out;
            const int rc = coffer::test::runCommand("age -e " + flags + " -o " +
                                                        coffer::test::shellQuote((dir / "f.age").string()) + " " +
                                                        coffer::test::shellQuote((dir / "in").string()),
                                                    &out);
            ASSERT_EQ(rc, 0) << out;
            const Bytes file = coffer::test::readBytes(dir / "f.age");
            const AgeOutcome got = decryptAge(file, keysOf(a));
            EXPECT_EQ(got.failure, AgeFailure::None)
                << size << " " << flags << ": " << (got.error ? got.error->message : "");
            EXPECT_TRUE(got.released == plain) << size << " " << flags;
        }
    }
}

namespace {

// Runs `age ARGS...` on a pseudo-terminal (age reads passphrases only from a
// terminal) and answers every passphrase prompt with `passphrase`. Returns
// the exit status; `transcript` gets what age printed.
int runAgeOnTerminal(const std::vector<std::string>& args, const std::string& passphrase, std::string& transcript)
{
    int master = -1;
    const pid_t pid = forkpty(&master, nullptr, nullptr, nullptr);
    if (pid < 0)
        return -1;
    if (pid == 0) {
        std::vector<char*> argv;
        for (const auto& a : args)
            argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        execvp("age", argv.data());
        _exit(127);
    }
    std::size_t answered = 0;
    char buf[512];
    while (true) {
        const ssize_t n = ::read(master, buf, sizeof buf);
        if (n <= 0)
            break; // EIO once age has exited and closed the terminal
        transcript.append(buf, static_cast<std::size_t>(n));
        // Answer each prompt once ("Enter passphrase...", "Confirm passphrase:").
        std::size_t prompts = 0;
        for (std::size_t at = transcript.find("assphrase"); at != std::string::npos;
             at = transcript.find("assphrase", at + 1))
            prompts += transcript.find(':', at) != std::string::npos;
        for (; answered < prompts; ++answered) {
            const std::string line = passphrase + "\r";
            if (::write(master, line.data(), line.size()) < 0)
                break;
        }
    }
    ::close(master);
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

} // namespace

TEST(AgeInterop, PassphrasesWorkBothWays)
{
    if (!haveAge())
        GTEST_SKIP() << "the age command is not installed (tools/bootstrap.sh installs it)";
    TempDir dir;
    const Bytes plain = patternBytes(kAgeChunkSize + 3, 11);
    const std::string pass = "tr0ub4dor&3 horse";
    AgeRecipients to{{}, SecureString(pass.c_str()), 12}; // age -p below uses its own 18
    coffer::test::writeBytes(dir / "by-coffer.age", encryptAge(plain, to, true));
    std::string transcript;
    const std::string out = (dir / "out").string();
    ASSERT_EQ(runAgeOnTerminal({"age", "-d", "-o", out, (dir / "by-coffer.age").string()}, pass, transcript), 0)
        << transcript;
    EXPECT_TRUE(coffer::test::readBytes(dir / "out") == plain);

    coffer::test::writeBytes(dir / "in", plain);
    transcript.clear();
    const std::string byAge = (dir / "by-age.age").string();
    ASSERT_EQ(runAgeOnTerminal({"age", "-p", "-o", byAge, (dir / "in").string()}, pass, transcript), 0) << transcript;
    AgeKeys keys;
    keys.passphrase = SecureString(pass.c_str());
    const AgeOutcome got = decryptAge(coffer::test::readBytes(dir / "by-age.age"), keys);
    EXPECT_EQ(got.failure, AgeFailure::None) << (got.error ? got.error->message : "");
    EXPECT_TRUE(got.released == plain);
}
