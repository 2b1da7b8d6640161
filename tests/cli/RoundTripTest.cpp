// A whole folder tree through `coffer encrypt` and back with each of the three
// ways in (two identities and a passphrase): same bytes (diff -r), same
// modification times to the nanosecond, same permission bits.
#include "CliHarness.h"

#include <fcntl.h>
#include <fstream>
#include <map>
#include <memory>
#include <sys/stat.h>
#include <unistd.h>

namespace coffer::test::cli {
namespace {

constexpr std::size_t kMiB = 1024 * 1024;
constexpr std::size_t kBigFileSize = 100 * kMiB;
constexpr int kSmallFiles = 3000;

struct Meta {
    bool directory = false;
    unsigned mode = 0;
    std::int64_t seconds = 0;
    long nanoseconds = 0;
    std::uint64_t size = 0;
    bool operator==(const Meta&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Meta& m)
{
    return os << (m.directory ? "dir " : "file ") << std::oct << m.mode << std::dec << " mtime " << m.seconds << "."
              << m.nanoseconds << " size " << m.size;
}

Meta metaOf(const fs::path& p)
{
    struct stat st {};
    EXPECT_EQ(::lstat(p.c_str(), &st), 0) << p;
    Meta m;
    m.directory = S_ISDIR(st.st_mode);
    m.mode = st.st_mode & 07777;
    m.seconds = st.st_mtim.tv_sec;
    m.nanoseconds = st.st_mtim.tv_nsec;
    m.size = m.directory ? 0 : static_cast<std::uint64_t>(st.st_size);
    return m;
}

/// The folder itself and everything under it, by relative path.
std::map<std::string, Meta> metaTree(const fs::path& root)
{
    std::map<std::string, Meta> out;
    out["."] = metaOf(root);
    for (const auto& rel : listTree(root))
        out[rel] = metaOf(root / rel);
    return out;
}

void setMtime(const fs::path& p, std::int64_t seconds, long nanoseconds)
{
    const struct timespec times[2] = {{0, UTIME_OMIT}, {static_cast<time_t>(seconds), nanoseconds}};
    ASSERT_EQ(::utimensat(AT_FDCWD, p.c_str(), times, AT_SYMLINK_NOFOLLOW), 0) << p;
}

void setMode(const fs::path& p, unsigned mode)
{
    ASSERT_EQ(::chmod(p.c_str(), mode), 0) << p;
}

/// 100 MiB in 1 MiB stretches, alternately incompressible and highly
/// compressible, so zstd pays and also meets data it cannot shrink.
void writeBigFile(const fs::path& path)
{
    std::ofstream out(path, std::ios::binary);
    XorShift rng(0xC0FFEE);
    std::string text;
    for (int line = 0; text.size() < kMiB; ++line)
        text += "line " + std::to_string(line) + ": the quick brown fox jumps over the lazy dog\n";
    text.resize(kMiB);
    for (std::size_t block = 0; block * kMiB < kBigFileSize; ++block) {
        if (block % 2 == 0)
            out << rng.bytes(kMiB);
        else
            out << text;
    }
}

/// The tree under test: nested and empty folders, empty files, Unicode names,
/// one 100 MiB file, 3,000 small files, unusual modes and timestamps.
void buildTree(const fs::path& root)
{
    fs::create_directories(root);
    writeFile(root / "Übung/çà 日本.txt", "Grüße, 日本語のテキスト\n");
    writeFile(root / "a/b/c/d/deep.txt", "four levels down\n");
    writeFile(root / "empty.txt", "");
    writeFile(root / "a/b/empty", "");
    fs::create_directories(root / "void");
    fs::create_directories(root / "a/b/c/hollow");
    writeFile(root / "secret.txt", "0600\n");
    writeFile(root / "readonly.txt", "0444\n");
    writeFile(root / "script.sh", "#!/bin/sh\necho hi\n");
    writeFile(root / "private/notes.txt", "inside a 0750 folder\n");
    writeFile(root / "locked/inside.txt", "inside a 0555 folder\n");
    writeFile(root / "old.txt", "before 1970\n");
    writeFile(root / "future.txt", "year 2100\n");
    writeBigFile(root / "big.bin");

    XorShift rng(42);
    for (int i = 0; i < kSmallFiles; ++i) {
        char dir[16];
        char name[32];
        std::snprintf(dir, sizeof dir, "d%02d", i / 100);
        std::snprintf(name, sizeof name, "f%04d.txt", i);
        std::string content = "small file " + std::to_string(i) + "\n";
        if (i % 3 == 0)
            content += rng.bytes(static_cast<std::size_t>(rng.next() % 3000));
        else if (i % 3 == 1)
            content.clear(); // empty files are common too
        writeFile(root / "many" / dir / name, content);
    }

    setMode(root / "secret.txt", 0600);
    setMode(root / "readonly.txt", 0444);
    setMode(root / "script.sh", 0755);
    setMode(root / "private", 0750);
    setMode(root / "void", 0700);
    setMode(root / "many/d07/f0700.txt", 0640);
    setMode(root / "locked", 0555); // after its file: nothing can be created in it now

    // Timestamps last (creating a file changes its folder's time).
    setMtime(root / "Übung/çà 日本.txt", 1234567890, 123456789);
    setMtime(root / "old.txt", -31536000, 500000000);
    setMtime(root / "future.txt", 4102444800, 999999999);
    setMtime(root / "private", 1600000000, 1);
    setMtime(root / "a/b/c/hollow", 1500000000, 987654321);
    setMtime(root / "locked", 1400000000, 555555555);
}

class RoundTripTest : public ::testing::Test {
protected:
    static void SetUpTestSuite()
    {
        s_dir = std::make_unique<TempDir>();
        const fs::path d = s_dir->path();
        s_a = makeKey(d / "a.key");
        s_b = makeKey(d / "b.key");
        writeFile(d / "pw.txt", "correct horse battery staple\n");
        buildTree(d / "tree");
        s_before = metaTree(d / "tree");
        const Outcome r = shell("cd " + q(d) + " && " + cofferCommand() + " encrypt -r " + s_a.card + " -r " +
                                s_b.card + " --passphrase-file pw.txt -o out.coffer tree");
        s_encrypt = r;
    }
    static void TearDownTestSuite() { s_dir.reset(); }

    /// Decrypts with `keyArgs` into a fresh folder and checks the result against the source tree.
    void expectRestores(const std::string& keyArgs, const std::string& folder)
    {
        ASSERT_EQ(s_encrypt.code, kExitOk) << s_encrypt.output;
        const fs::path d = s_dir->path();
        const fs::path out = d / folder;
        const Outcome r = coffer("decrypt " + keyArgs + " -o " + q(out) + " " + q(d / "out.coffer"));
        ASSERT_EQ(r.code, kExitOk) << r.output;
        EXPECT_EQ(listTree(out).front(), "tree/");

        const Outcome diff = shell("diff -r " + q(d / "tree") + " " + q(out / "tree"));
        EXPECT_EQ(diff.code, 0) << diff.output.substr(0, 2000);

        const auto after = metaTree(out / "tree");
        ASSERT_EQ(after.size(), s_before.size());
        int shown = 0;
        for (const auto& [path, meta] : s_before) {
            const auto it = after.find(path);
            ASSERT_NE(it, after.end()) << path << " is missing";
            if (!(it->second == meta) && shown++ < 20)
                ADD_FAILURE() << path << ": restored as " << it->second << ", original " << meta;
        }
        EXPECT_TRUE(leftovers(d).empty()) << ::testing::PrintToString(leftovers(d));
    }

    static std::unique_ptr<TempDir> s_dir;
    static Key s_a;
    static Key s_b;
    static std::map<std::string, Meta> s_before;
    static Outcome s_encrypt;
};

std::unique_ptr<TempDir> RoundTripTest::s_dir;
Key RoundTripTest::s_a;
Key RoundTripTest::s_b;
std::map<std::string, Meta> RoundTripTest::s_before;
Outcome RoundTripTest::s_encrypt;

TEST_F(RoundTripTest, EncryptingTheTreeSucceedsWithoutTouchingTheSource)
{
    ASSERT_EQ(s_encrypt.code, kExitOk) << s_encrypt.output;
    // The tree is what the other tests think it is.
    EXPECT_GT(s_before.size(), static_cast<std::size_t>(kSmallFiles) + 30);
    EXPECT_EQ(s_before["big.bin"].size, kBigFileSize);
    EXPECT_EQ(s_before["old.txt"].seconds, -31536000);
    EXPECT_EQ(s_before["private/"].mode, 0750u);
    EXPECT_EQ(s_before["locked/"].nanoseconds, 555555555);
    EXPECT_EQ(metaTree(s_dir->path() / "tree"), s_before);
    EXPECT_TRUE(fs::is_regular_file(s_dir->path() / "out.coffer"));
    EXPECT_FALSE(fs::exists(s_dir->path() / "out.coffer.part"));
    // Half of the big file compresses: the container is clearly smaller than the input.
    EXPECT_LT(fs::file_size(s_dir->path() / "out.coffer"), kBigFileSize * 3 / 4);
}

TEST_F(RoundTripTest, FirstIdentityRestoresTheExactTree)
{
    expectRestores("-i " + q(s_a.file), "out-a");
}

TEST_F(RoundTripTest, SecondIdentityRestoresTheExactTree)
{
    expectRestores("-i " + q(s_b.file), "out-b");
}

TEST_F(RoundTripTest, PassphraseRestoresTheExactTree)
{
    expectRestores("--passphrase-file " + q(s_dir->path() / "pw.txt"), "out-pw");
}

} // namespace
} // namespace coffer::test::cli
