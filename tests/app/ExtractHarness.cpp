#include "ExtractHarness.h"

#include "Primitives.h"

#include <algorithm>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <unistd.h>

namespace coffer::test {

namespace fs = std::filesystem;

void waitOnFirstReport(JobControl& job, std::chrono::milliseconds wait)
{
    auto waited = std::make_shared<bool>(false);
    job.setProgressCallback([waited, wait](const Progress&) {
        if (!*waited) {
            std::this_thread::sleep_for(wait);
            *waited = true;
        }
    });
}

namespace {

const char* codeName(ErrorCode code)
{
    switch (code) {
    case ErrorCode::InvalidArgument:
        return "InvalidArgument";
    case ErrorCode::NotAContainer:
        return "NotAContainer";
    case ErrorCode::NoKeyMatched:
        return "NoKeyMatched";
    case ErrorCode::WrongPassphrase:
        return "WrongPassphrase";
    case ErrorCode::PassphraseNeeded:
        return "PassphraseNeeded";
    case ErrorCode::Damaged:
        return "Damaged";
    case ErrorCode::UnsupportedVersion:
        return "UnsupportedVersion";
    case ErrorCode::LimitExceeded:
        return "LimitExceeded";
    case ErrorCode::UnsafePath:
        return "UnsafePath";
    case ErrorCode::Io:
        return "Io";
    case ErrorCode::Cancelled:
        return "Cancelled";
    case ErrorCode::Internal:
        return "Internal";
    }
    return "?";
}

void makeWritable(const fs::path& dir)
{
    std::error_code ec;
    for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
        if (it->is_directory(ec) && !it->is_symlink(ec))
            fs::permissions(it->path(), fs::perms::owner_all, fs::perm_options::add, ec);
}

std::string hexDigest(const std::vector<std::uint8_t>& bytes)
{
    const auto d = crypto::sha256(bytes);
    static constexpr char hex[] = "0123456789abcdef";
    std::string s;
    for (std::size_t i = 0; i < 8; ++i) {
        s += hex[d[i] >> 4];
        s += hex[d[i] & 15];
    }
    return s;
}

} // namespace

const char* readerName(ReaderMode mode)
{
    return mode == ReaderMode::File ? "file reader" : "stream reader (stdin)";
}

StdinFromFile::StdinFromFile(const fs::path& path)
{
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        throw std::runtime_error("cannot open " + path.string());
    m_saved = ::dup(STDIN_FILENO);
    ::dup2(fd, STDIN_FILENO);
    ::close(fd);
}

StdinFromFile::~StdinFromFile()
{
    ::dup2(m_saved, STDIN_FILENO);
    ::close(m_saved);
}

Result<ExtractSummary> extractWith(ReaderMode mode, const fs::path& container, ExtractRequest request,
                                   const crypto::IdentityList& identities, JobControl& job)
{
    if (mode == ReaderMode::File) {
        request.container = container;
        return extractContainer(request, identities, job);
    }
    StdinFromFile stdinFile(container);
    request.container = "-";
    return extractContainer(request, identities, job);
}

Result<ExtractSummary> extractWith(ReaderMode mode, const fs::path& container, const fs::path& destination,
                                   const crypto::IdentityList& identities)
{
    ExtractRequest request;
    request.destination = destination;
    JobControl job;
    return extractWith(mode, container, request, identities, job);
}

std::vector<std::string> snapshotTree(const fs::path& root)
{
    std::vector<std::string> out;
    std::error_code ec;
    for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
        const auto st = fs::symlink_status(it->path());
        std::ostringstream line;
        line << fs::relative(it->path(), root).string() << ' ' << std::oct << static_cast<unsigned>(st.permissions())
             << ' ';
        if (fs::is_symlink(st))
            line << "link -> " << fs::read_symlink(it->path()).string();
        else if (fs::is_directory(st))
            line << "dir";
        else if (fs::is_regular_file(st))
            line << "file " << std::dec << fs::file_size(it->path()) << ' ' << hexDigest(readBytes(it->path()));
        else
            line << "other";
        out.push_back(line.str());
    }
    std::sort(out.begin(), out.end());
    return out;
}

ExtractScene::ExtractScene() : identity(crypto::SecretIdentity::generate())
{
    top = root / "top";
    dest = top / "dest";
    sibling = top / "sibling";
    outside = root / "outside";
    container = root / "hostile.coffer";
    fs::create_directories(dest);
    fs::create_directories(sibling);
    fs::create_directories(outside);
    writeFile(dest / "marker.txt", "the user's own file\n");
}

void ExtractScene::write(const HostileArchive& archive) const
{
    const Bytes plain = archive.plaintext();
    writeContainer(container, plain, identity);
}

Result<ExtractSummary> ExtractScene::extract(ReaderMode mode) const
{
    return extractWith(mode, container, dest, identitiesOf(identity));
}

void ExtractScene::expectRefused(const HostileArchive& archive, ErrorCode fileCode, ErrorCode streamCode) const
{
    write(archive);
    const auto before = snapshotTree(root.path());
    for (const ReaderMode mode : kBothReaders) {
        SCOPED_TRACE(readerName(mode));
        const ErrorCode expected = mode == ReaderMode::File ? fileCode : streamCode;
        const auto result = extract(mode);
        ASSERT_FALSE(result.ok()) << "the hostile archive was extracted";
        EXPECT_EQ(codeName(result.error().code), std::string(codeName(expected))) << result.error().message;
        EXPECT_EQ(snapshotTree(root.path()), before) << "the extraction left something behind";
        EXPECT_TRUE(fs::is_empty(outside));
        EXPECT_TRUE(fs::is_empty(sibling));
    }
}

void ExtractScene::expectRefusedWithAnyOf(const HostileArchive& archive, const std::vector<ErrorCode>& codes) const
{
    write(archive);
    const auto before = snapshotTree(root.path());
    for (const ReaderMode mode : kBothReaders) {
        SCOPED_TRACE(readerName(mode));
        const auto result = extract(mode);
        ASSERT_FALSE(result.ok()) << "the hostile archive was extracted";
        EXPECT_NE(std::find(codes.begin(), codes.end(), result.error().code), codes.end())
            << codeName(result.error().code) << ": " << result.error().message;
        EXPECT_EQ(snapshotTree(root.path()), before) << "the extraction left something behind";
    }
}

void ExtractScene::expectAccepted(const HostileArchive& archive) const
{
    write(archive);
    for (const ReaderMode mode : kBothReaders) {
        SCOPED_TRACE(readerName(mode));
        const auto result = extract(mode);
        EXPECT_TRUE(result.ok()) << result.error().message;
        makeWritable(dest);
        for (const auto& entry : fs::directory_iterator(dest))
            if (entry.path().filename() != "marker.txt")
                fs::remove_all(entry.path());
    }
}

void flipByte(const fs::path& path, std::uint64_t offset)
{
    const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    std::uint8_t b = 0;
    ASSERT_EQ(::pread(fd, &b, 1, static_cast<off_t>(offset)), 1);
    b ^= 0x01;
    ASSERT_EQ(::pwrite(fd, &b, 1, static_cast<off_t>(offset)), 1);
    ::close(fd);
}

const IndexEntry* findEntry(const ArchiveIndex& index, const std::string& path)
{
    for (const auto& e : index.entries)
        if (e.info.path == path)
            return &e;
    return nullptr;
}

} // namespace coffer::test
