// The tar of a .tar.age (app/age, issue 20), through the app API: a tree
// written by writeTar reads back through TarReader entry for entry, and a
// tar bomb of many entries (made by the real tar, encrypted by the real age)
// is refused by extractAge with nothing left in the destination.
#include "AgeTar.h"
#include "AgeFiles.h"
#include "KeyChoice.h"
#include "TestSupport.h"

#include <gtest/gtest.h>

#include <cstring>
#include <sstream>

using namespace coffer;
using namespace coffer::test;
namespace fs = std::filesystem;

namespace {

struct MemorySink final : ByteSink {
    Status write(ByteView d) override
    {
        bytes.insert(bytes.end(), d.begin(), d.end());
        return Status::success();
    }
    Bytes bytes;
};

struct MemorySource final : ByteSource {
    explicit MemorySource(const Bytes& b) : bytes(b) {}
    Result<std::size_t> read(MutableByteView out) override
    {
        const std::size_t n = std::min(out.size(), bytes.size() - at);
        std::memcpy(out.data(), bytes.data() + at, n);
        at += n;
        return n;
    }
    const Bytes& bytes;
    std::size_t at = 0;
};

std::string ageRecipient(const fs::path& keyFile)
{
    std::istringstream lines(readFile(keyFile));
    for (std::string line; std::getline(lines, line);)
        if (line.rfind("# public key: ", 0) == 0)
            return line.substr(14);
    return {};
}

/// `dir/folder` as the real tar and age make it, `dir/folder.tar.age`, to a
/// new age key whose identity goes into `keys`.
fs::path sealWithTarAndAge(const TempDir& dir, const std::string& folder, crypto::age::AgeKeys& keys)
{
    const fs::path keyFile = dir / (folder + ".key");
    EXPECT_EQ(runCommand("age-keygen -o " + shellQuote(keyFile.string()) + " 2>/dev/null"), 0);
    const fs::path sealed = dir / (folder + ".tar.age");
    EXPECT_EQ(runCommand("tar -c -f - -C " + shellQuote(dir.path().string()) + " " + shellQuote(folder) + " | age -r " +
                         ageRecipient(keyFile) + " > " + shellQuote(sealed.string())),
              0);
    EXPECT_TRUE(addAgeKeysFromFile(keyFile, keys).ok());
    return sealed;
}

TEST(AgeTar, WrittenTreeReadsBackEntryForEntry)
{
    TempDir dir;
    fs::create_directories(dir / "t" / "sub");
    writeFile(dir / "t" / "sub" / "a.txt", std::string(100000, 'a'));
    writeFile(dir / "t" / "b.txt", "b");
    JobControl job;
    ScanStream scan({dir / "t"}, job);
    MemorySink sink;
    ASSERT_TRUE(writeTar(scan, sink, job).ok());
    EXPECT_EQ(sink.bytes.size() % 10240, 0u) << "tar pads to whole records";
    MemorySource source(sink.bytes);
    auto reader = TarReader::open(source, job);
    ASSERT_TRUE(reader.ok());
    std::vector<std::string> seen;
    std::string aText;
    while (true) {
        auto e = (*reader)->next();
        ASSERT_TRUE(e.ok()) << e.error().message;
        if (!*e)
            break;
        seen.push_back((*e)->info.path + ((*e)->info.kind == EntryKind::Directory ? "/" : ""));
        if ((*e)->info.path == "t/sub/a.txt") {
            const auto st = (*reader)->readData([&](ByteView d) {
                aText.append(d.begin(), d.end());
                return Status::success();
            });
            ASSERT_TRUE(st.ok());
        }
    }
    ASSERT_TRUE((*reader)->drain().ok());
    EXPECT_EQ(seen, (std::vector<std::string>{"t/", "t/b.txt", "t/sub/", "t/sub/a.txt"}));
    EXPECT_EQ(aText, std::string(100000, 'a'));
}

TEST(AgeTar, ManyEntriesAreRefusedWithNothingLeft)
{
    TempDir dir;
    fs::create_directories(dir / "many");
    for (int i = 0; i < 60; ++i)
        writeFile(dir / "many" / ("f" + std::to_string(i)), "");
    crypto::age::AgeKeys keys;
    const fs::path sealed = sealWithTarAndAge(dir, "many", keys);
    fs::create_directories(dir / "dest");
    writeFile(dir / "dest" / "keep", "keep");
    setTarEntryLimitForTests(50); // as kMaxEntries (a million) would, at a size a test can afford
    ExtractRequest request;
    request.container = sealed;
    request.destination = dir / "dest";
    JobControl job;
    auto r = extractAge(request, keys, job);
    setTarEntryLimitForTests(kMaxEntries);
    ASSERT_FALSE(r.ok()) << "61 entries extracted past a limit of 50";
    EXPECT_EQ(r.error().code, ErrorCode::LimitExceeded) << r.error().message;
    EXPECT_EQ(listTree(dir / "dest"), std::vector<std::string>{"keep"});
    // Under the limit the same file opens.
    JobControl job2;
    auto ok = extractAge(request, keys, job2);
    ASSERT_TRUE(ok.ok()) << ok.error().message;
    EXPECT_EQ(ok->files, 60u);
}

TEST(AgeTar, AListingHandsEachEntryOnAndKeepsNone)
{
    // 4,000 paths of about 3,000 bytes: 12 MB of names, which the caller (a
    // budgeted ListingLines, the window's budgeted tree) keeps or refuses;
    // listAge itself keeps none of them.
    TempDir dir;
    fs::path deep = dir / "long";
    for (int level = 0; level < 11; ++level)
        deep /= std::string(250, static_cast<char>('a' + level));
    fs::create_directories(deep);
    constexpr int kFiles = 4000;
    for (int i = 0; i < kFiles; ++i)
        writeFile(deep / (std::to_string(i) + std::string(240, 'z')), "");
    crypto::age::AgeKeys keys;
    const fs::path sealed = sealWithTarAndAge(dir, "long", keys);
    std::size_t files = 0;
    std::size_t nameBytes = 0;
    Status listed = Status::success();
    const double tarPeak = peakMiBDuring([&] {
        JobControl job;
        listed = listAge(sealed, keys, job, [&](const IndexEntry& e) {
            files += e.info.kind == EntryKind::File ? 1 : 0;
            nameBytes += e.info.path.size();
        });
    });
    ASSERT_TRUE(listed.ok()) << listed.error().message;
    EXPECT_EQ(files, static_cast<std::size_t>(kFiles));
    EXPECT_GT(nameBytes, std::size_t(12'000'000));
    // The same stream as one file (not named .tar.age): the decryptor's own
    // read-ahead (about 13 MiB) without the tar. Measured second, so memory
    // the allocator kept from the first can only make this figure smaller.
    fs::copy_file(sealed, dir / "long.age");
    const double streamPeak = peakMiBDuring([&] {
        JobControl job;
        listed = listAge(dir / "long.age", keys, job, [](const IndexEntry&) {});
    });
    ASSERT_TRUE(listed.ok()) << listed.error().message;
    EXPECT_LT(tarPeak - streamPeak, 4.0 + kAsanSlackMiB)
        << "listing 12 MB of names kept them: " << tarPeak << " MiB against " << streamPeak
        << " MiB for the stream alone";
}

} // namespace

namespace {

TEST(AgeNames, SingleFileNamesAndTheTarConvention)
{
    EXPECT_EQ(ageInnerName("/x/report.pdf.age"), "report.pdf");
    EXPECT_EQ(ageInnerName("NOTES.AGE"), "NOTES");
    EXPECT_EQ(ageInnerName("blob"), "blob.decrypted");
    EXPECT_EQ(ageInnerName(".age"), ".age.decrypted");
    EXPECT_EQ(ageInnerName(".coffer-extract-0123456789ab.age"), "decrypted") << "a bookkeeping name";
    EXPECT_TRUE(isTarAgeName("a/b.TAR.age"));
    EXPECT_FALSE(isTarAgeName("b.tar.age.txt"));
    EXPECT_FALSE(isTarAgeName("tar.age.d/x.age"));
}

} // namespace
