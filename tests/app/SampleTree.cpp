#include "SampleTree.h"

#include "Primitives.h"
#include "TestSupport.h"

#include <algorithm>
#include <fcntl.h>
#include <random>
#include <sstream>
#include <sys/stat.h>

namespace coffer::test {

namespace fs = std::filesystem;

namespace {

void setTimeAndMode(const fs::path& p, std::int64_t seconds, long nanoseconds, unsigned mode)
{
    const struct timespec times[2] = {{0, UTIME_OMIT}, {static_cast<time_t>(seconds), nanoseconds}};
    ::utimensat(AT_FDCWD, p.c_str(), times, AT_SYMLINK_NOFOLLOW);
    ::chmod(p.c_str(), mode);
}

} // namespace

std::string randomText(std::size_t size, std::uint64_t seed)
{
    std::mt19937_64 gen(seed);
    std::string s(size, '\0');
    for (std::size_t i = 0; i < size; i += 8) {
        const std::uint64_t v = gen();
        for (std::size_t k = 0; k < 8 && i + k < size; ++k)
            s[i + k] = static_cast<char>(v >> (8 * k));
    }
    return s;
}

void makeSampleTree(const fs::path& root)
{
    std::string text;
    for (int i = 0; i < 3000; ++i)
        text += "Line " + std::to_string(i) + ": the quick brown fox jumps over the lazy dog.\n";
    fs::create_directories(root / "sub" / "deep");
    fs::create_directories(root / "empty-folder");
    writeFile(root / "readme.txt", text);
    writeFile(root / "empty.txt", "");
    writeFile(root / "random.bin", randomText(300 * 1024, 7));
    writeFile(root / "photo.jpg", text.substr(0, 5000)); // compressible, but the name says it is not
    writeFile(root / "sub" / "script.sh", "#!/bin/sh\necho hello\n");
    writeFile(root / "sub" / "deep" / "caf\xc3\xa9 notes.txt", "accents\n");
    writeFile(root / "sub" / "deep" / ".hidden", "dot file\n");

    setTimeAndMode(root / "readme.txt", 1'500'000'000, 123'456'789, 0644);
    setTimeAndMode(root / "empty.txt", 1'400'000'000, 1, 0600);
    setTimeAndMode(root / "random.bin", 1'300'000'000, 999'999'999, 0640);
    setTimeAndMode(root / "photo.jpg", 1'200'000'000, 0, 0444);
    setTimeAndMode(root / "sub" / "script.sh", 1'100'000'000, 500, 0755);
    setTimeAndMode(root / "sub" / "deep" / "caf\xc3\xa9 notes.txt", 2'000'000'000, 42, 0604);
    setTimeAndMode(root / "sub" / "deep" / ".hidden", 1'000'000'000, 7, 0600);
    // Folders last, deepest first: adding files changes a folder's time.
    setTimeAndMode(root / "sub" / "deep", 1'650'000'000, 11, 0755);
    setTimeAndMode(root / "sub", 1'640'000'000, 22, 0750);
    setTimeAndMode(root / "empty-folder", 1'630'000'000, 33, 0700);
    setTimeAndMode(root, 1'620'000'000, 44, 0755);
}

std::vector<std::string> describeTree(const fs::path& root)
{
    std::vector<std::string> out;
    std::vector<std::string> paths{"."};
    for (const auto& rel : listTree(root))
        paths.push_back(rel);
    for (const auto& rel : paths) {
        const fs::path p = rel == "." ? root : root / rel;
        struct stat st {};
        ::lstat(p.c_str(), &st);
        std::ostringstream line;
        line << rel << " mode=" << std::oct << (st.st_mode & 07777) << std::dec << " mtime=" << st.st_mtim.tv_sec << "."
             << st.st_mtim.tv_nsec;
        if (S_ISREG(st.st_mode)) {
            const auto bytes = readBytes(p);
            const auto d = crypto::sha256(bytes);
            line << " size=" << bytes.size() << " sha=" << std::hex << int(d[0]) << int(d[1]) << int(d[2]) << int(d[3]);
        }
        out.push_back(line.str());
    }
    return out;
}

crypto::RecipientKey recipientFor(const crypto::SecretIdentity& identity)
{
    return crypto::RecipientKey(identity.x25519Public(), identity.card());
}

} // namespace coffer::test
