// Helpers for the CLI suites: they drive the real `coffer` executable
// (COFFER_BINARY) through /bin/sh, as a user or a script would.
#pragma once

#include "TestSupport.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <vector>

namespace coffer::test::cli {

namespace fs = std::filesystem;

// The exit codes documented in `coffer --help` (app/cli/Cli.cpp).
inline constexpr int kExitOk = 0;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitNoKey = 3;
inline constexpr int kExitDamaged = 4;
inline constexpr int kExitNotSupported = 5;
inline constexpr int kExitIo = 6;

// Payload layout (crypto/PayloadStream.h): salt + commitment, then 16 KiB chunks sealed with a 16-byte tag.
inline constexpr std::size_t kPayloadPrefix = 56;
inline constexpr std::size_t kSealedChunk = 16384 + 16;

/// Every run of `coffer` from these tests sees a fresh, empty COFFER_HOME (and
/// XDG folders): never the user's keyring or settings, and the tests do not
/// depend on them either.
struct IsolatedHome {
    TempDir dir;
    IsolatedHome()
    {
        ::setenv("COFFER_HOME", (dir.path() / "coffer-home").c_str(), 1);
        ::setenv("XDG_DATA_HOME", (dir.path() / "xdg-data").c_str(), 1);
        ::setenv("XDG_CONFIG_HOME", (dir.path() / "xdg-config").c_str(), 1);
    }
};
inline IsolatedHome g_isolatedHome;

struct Outcome {
    int code = -1;
    std::string output; // stdout and stderr, merged
};

/// Runs `coffer ARGS` (ARGS already quoted for the shell).
inline Outcome coffer(const std::string& args)
{
    Outcome r;
    r.code = runCommand(shellQuote(COFFER_BINARY) + " " + args, &r.output);
    return r;
}

/// Runs any shell command (pipes, redirections); cofferCommand() is the quoted executable.
inline Outcome shell(const std::string& command)
{
    Outcome r;
    r.code = runCommand(command, &r.output);
    return r;
}

inline std::string cofferCommand()
{
    return shellQuote(COFFER_BINARY);
}

/// Like coffer(), with the streams apart: `output` is standard output only, `errors` standard error.
struct Streams {
    int code = -1;
    std::string output;
    std::string errors;
};

inline Streams cofferStreams(const std::string& args)
{
    TempDir scratch;
    Streams s;
    s.code = runCommand("{ " + cofferCommand() + " " + args + " 2>" + shellQuote((scratch / "stderr").string()) + "; }",
                        &s.output);
    s.errors = readFile(scratch / "stderr");
    return s;
}

inline std::string q(const fs::path& p)
{
    return shellQuote(p.string());
}

/// A key made by `coffer keygen -o FILE`; the card is what it prints on stdout.
struct Key {
    fs::path file;
    std::string card;
};

inline Key makeKey(const fs::path& file)
{
    const Outcome r = coffer("keygen -o " + q(file));
    EXPECT_EQ(r.code, kExitOk) << r.output;
    Key key{file, {}};
    std::istringstream lines(r.output);
    for (std::string line; std::getline(lines, line);)
        if (line.rfind("coffer1", 0) == 0)
            key.card = line;
    EXPECT_FALSE(key.card.empty()) << "keygen printed no card: " << r.output;
    return key;
}

/// Temporary files a failed or finished run must never leave behind:
/// an extraction's staging folder (".coffer-extract-XXXX") and container parts ("*.part").
inline std::vector<std::string> leftovers(const fs::path& root)
{
    std::vector<std::string> found;
    for (const auto& rel : listTree(root)) {
        const std::string name = fs::path(rel).filename().string();
        if (rel.find(".coffer-extract-") != std::string::npos ||
            (name.size() >= 5 && name.compare(name.size() - 5, 5, ".part") == 0))
            found.push_back(rel);
    }
    return found;
}

inline bool hasLineStartingWith(const std::string& text, const std::string& prefix)
{
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);)
        if (line.rfind(prefix, 0) == 0)
            return true;
    return false;
}

/// For isRefusal(): any non-zero exit code will do.
inline constexpr int kAnyFailure = -1;

/// The documented refusal shape: exit `code`, an "error: " line naming `keyword`, then a "hint: " line.
inline ::testing::AssertionResult isRefusal(const Outcome& r, int code, const std::string& keyword)
{
    if (code == kAnyFailure ? (r.code == kExitOk || r.code < 0) : r.code != code)
        return ::testing::AssertionFailure() << "exit " << r.code << ", expected " << code << "; output:\n" << r.output;
    std::istringstream lines(r.output);
    bool errorSeen = false;
    bool keywordSeen = false;
    bool hintSeen = false;
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind("error: ", 0) == 0) {
            errorSeen = true;
            keywordSeen = keywordSeen || line.find(keyword) != std::string::npos;
        }
        if (line.rfind("hint: ", 0) == 0 && errorSeen)
            hintSeen = true;
    }
    if (!errorSeen || !hintSeen || !keywordSeen)
        return ::testing::AssertionFailure()
               << "expected \"error: ...\" naming \"" << keyword << "\" and a \"hint: ...\" line; output:\n"
               << r.output;
    return ::testing::AssertionSuccess();
}

/// The offset just after the line starting with "--- " (the end of the text header).
inline std::size_t headerLength(const std::string& container)
{
    std::size_t pos = 0;
    while (pos < container.size()) {
        const std::size_t nl = container.find('\n', pos);
        if (nl == std::string::npos)
            break;
        if (container.compare(pos, 4, "--- ") == 0)
            return nl + 1;
        pos = nl + 1;
    }
    ADD_FAILURE() << "no MAC line in the container";
    return 0;
}

/// Where chunk k of the payload starts in the container file.
inline std::size_t chunkOffset(const std::string& container, std::size_t k)
{
    return headerLength(container) + kPayloadPrefix + k * kSealedChunk;
}

/// How many chunks the payload has (the final one is always shorter than a full chunk).
inline std::size_t chunkCount(const std::string& container)
{
    return (container.size() - headerLength(container) - kPayloadPrefix) / kSealedChunk + 1;
}

/// A fast deterministic generator for test content (xorshift64*).
class XorShift {
public:
    explicit XorShift(std::uint64_t seed) : m_state(seed ? seed : 0x9E3779B97F4A7C15ull) {}
    std::uint64_t next()
    {
        m_state ^= m_state >> 12;
        m_state ^= m_state << 25;
        m_state ^= m_state >> 27;
        return m_state * 0x2545F4914F6CDD1Dull;
    }
    /// `n` incompressible bytes.
    std::string bytes(std::size_t n)
    {
        std::string out(n, '\0');
        std::size_t i = 0;
        for (; i + 8 <= n; i += 8) {
            const std::uint64_t v = next();
            for (int b = 0; b < 8; ++b)
                out[i + static_cast<std::size_t>(b)] = static_cast<char>(v >> (8 * b));
        }
        for (const std::uint64_t v = next(); i < n; ++i)
            out[i] = static_cast<char>(v >> (8 * (i % 8)));
        return out;
    }

private:
    std::uint64_t m_state;
};

/// A folder holding one marker file, used as an extraction destination: after
/// a refusal it must hold exactly what it held before.
inline fs::path markedFolder(const fs::path& path)
{
    writeFile(path / "marker.txt", "the user's own file\n");
    return path;
}

} // namespace coffer::test::cli
