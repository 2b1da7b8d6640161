// Reading age files (FORMAT.md §13): detection, inspect, list and extract.
#include "AgeFiles.h"

#include "AgeTar.h"
#include "ExtractPlan.h"
#include "FileIO.h"
#include "FreeSpace.h"
#include "PathRules.h"

#include <cctype>
#include <ctime>
#include <fcntl.h>
#include <unistd.h>

namespace coffer {

namespace fs = std::filesystem;
using crypto::age::AgeDecryptor;
using crypto::age::AgeFailure;
using crypto::age::AgeKeys;

namespace {

IndexEntry entryOf(const EntryInfo& info)
{
    IndexEntry e;
    e.info = info;
    return e;
}

bool endsWithNoCase(std::string_view s, std::string_view suffix)
{
    if (s.size() < suffix.size())
        return false;
    for (std::size_t i = 0; i < suffix.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(s[s.size() - suffix.size() + i])) != suffix[i])
            return false;
    return true;
}

Result<Bytes> readStart(const fs::path& path, std::size_t most)
{
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid())
        return ioError(errno, "read", path);
    Bytes start(most);
    FdSource source(fd.get(), path);
    std::size_t filled = 0;
    while (filled < most) {
        auto n = source.read(MutableByteView(start).subspan(filled));
        COFFER_TRY(n);
        if (*n == 0)
            break;
        filled += *n;
    }
    start.resize(filled);
    return start;
}

/// Maps a decryptor's errors to plain words (ageError) for whoever reads it.
class PlainErrors final : public ByteSource {
public:
    explicit PlainErrors(AgeDecryptor& inner) : m_inner(inner) {}
    Result<std::size_t> read(MutableByteView buffer) override
    {
        auto n = m_inner.read(buffer);
        if (!n.ok())
            return ageError(n.error(), m_inner.failure());
        return n;
    }

private:
    AgeDecryptor& m_inner;
};

/// An opened age file: the file, and the decryptor reading it.
struct OpenedAge {
    UniqueFd fd;
    std::unique_ptr<FdSource> file;
    std::unique_ptr<AgeDecryptor> decryptor;
    std::unique_ptr<PlainErrors> plain;
    std::uint64_t bytes = 0;
};

Result<OpenedAge> openAge(const fs::path& path, const AgeKeys& keys)
{
    OpenedAge a;
    a.fd.reset(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!a.fd.valid())
        return ioError(errno, "read", path);
    struct stat st;
    if (::fstat(a.fd.get(), &st) == 0)
        a.bytes = static_cast<std::uint64_t>(st.st_size);
    a.file = std::make_unique<FdSource>(a.fd.get(), path);
    AgeFailure why = AgeFailure::None;
    auto d = AgeDecryptor::open(*a.file, keys, &why);
    if (!d.ok())
        return ageError(d.error(), why);
    a.decryptor = std::move(*d);
    a.plain = std::make_unique<PlainErrors>(*a.decryptor);
    return a;
}

/// The one file of a single-file age file, as an entry (its size once read).
EntryInfo singleEntry(const fs::path& path, std::uint64_t size)
{
    EntryInfo info;
    info.path = ageInnerName(path);
    info.size = size;
    info.mode = 0644;
    info.mtimeSeconds = static_cast<std::int64_t>(std::time(nullptr));
    return info;
}

Status copyAll(ByteSource& in, const DataSink& sink, JobControl& job)
{
    Bytes buffer(256 * 1024);
    while (true) {
        if (job.isCancelled())
            return makeError(ErrorCode::Cancelled, "cancelled");
        auto n = in.read(MutableByteView(buffer));
        COFFER_TRY(n);
        if (*n == 0)
            return Status::success();
        COFFER_TRY(sink(ByteView(buffer.data(), *n)));
    }
}

/// Each entry of the tar to `each` as it is read, none kept.
Status eachTarEntry(ByteSource& plain, JobControl& job, const std::function<void(const IndexEntry&)>& each)
{
    auto tar = TarReader::open(plain, job);
    COFFER_TRY(tar);
    while (true) {
        auto entry = (*tar)->next();
        COFFER_TRY(entry);
        if (!*entry)
            break;
        each(entryOf((*entry)->info));
    }
    return (*tar)->drain(); // a listing says nothing of a file cut short
}

/// A tar into the staging folder, entry by entry; placed only after the age
/// stream ended authenticated (drain()).
Result<ExtractSummary> extractTar(ByteSource& plain, const ExtractRequest& request, JobControl& job)
{
    auto target = ExtractTarget::open(request.destination, request.overwrite);
    COFFER_TRY(target);
    Extraction out(std::move(*target), job);
    FreeSpaceGuard space(request.destination);
    const ExtractPlan plan{request};
    auto tar = TarReader::open(plain, job);
    COFFER_TRY(tar);
    ArchiveIndex index;
    while (true) {
        auto entry = (*tar)->next();
        COFFER_TRY(entry);
        if (!*entry)
            break;
        const EntryInfo& info = (*entry)->info;
        index.entries.push_back(entryOf(info));
        if (!plan.selects(info.path))
            continue;                         // libarchive skips its data
        COFFER_TRY(space.reserve(info.size)); // declared before its data: a bomb stops here
        if (info.kind == EntryKind::Directory) {
            COFFER_TRY(out.target().makeDirectory(info));
            continue;
        }
        COFFER_TRY(out.beginFile(info));
        COFFER_TRY((*tar)->readData(out.sink()));
        COFFER_TRY(out.target().commitFile());
        out.fileDone(info);
    }
    COFFER_TRY((*tar)->drain()); // the proof nothing was cut off: only now is anything placed
    COFFER_TRY(plan.checkFound(index.entries));
    return out.finish(std::move(index));
}

Result<ExtractSummary> extractSingle(OpenedAge& age, const fs::path& path, const ExtractRequest& request,
                                     JobControl& job)
{
    const EntryInfo declared = singleEntry(path, age.bytes); // plaintext is shorter than the file
    const ExtractPlan plan{request};
    ArchiveIndex index;
    index.entries.push_back(entryOf(declared));
    COFFER_TRY(plan.checkFound(index.entries));
    auto target = ExtractTarget::open(request.destination, request.overwrite);
    COFFER_TRY(target);
    Extraction out(std::move(*target), job);
    FreeSpaceGuard space(request.destination);
    COFFER_TRY(space.reserve(age.bytes));
    COFFER_TRY(out.beginFile(declared));
    COFFER_TRY(copyAll(*age.plain, out.sink(), job)); // to read()'s 0: authenticated to the end
    COFFER_TRY(out.target().commitFileAsWritten());
    out.fileDone(declared);
    return out.finish(std::move(index));
}

} // namespace

bool isAgeFile(const fs::path& path)
{
    auto start = readStart(path, 128);
    return start.ok() && crypto::age::looksLikeAge(*start);
}

bool isTarAgeName(const fs::path& path)
{
    return endsWithNoCase(path.filename().string(), ".tar.age");
}

std::string ageInnerName(const fs::path& path)
{
    const std::string name = path.filename().string();
    const std::string inner =
        endsWithNoCase(name, ".age") && name.size() > 4 ? name.substr(0, name.size() - 4) : name + ".decrypted";
    // The user's own file name, but it becomes an archive path: one of Coffer's
    // bookkeeping names (".coffer-extract-…") or a non-UTF-8 name would not pass §5.5.
    return checkArchivePath(inner).ok() ? inner : "decrypted";
}

Result<AgeInfo> inspectAge(const fs::path& path)
{
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid())
        return ioError(errno, "read", path);
    FdSource source(fd.get(), path);
    AgeFailure why = AgeFailure::None;
    auto header = crypto::age::inspectAge(source, &why); // the header only: no key, no payload
    if (!header.ok())
        return ageError(header.error(), why);
    AgeInfo info;
    info.armored = header->armored;
    info.stanzaTypes = header->stanzaTypes;
    struct stat st;
    if (::fstat(fd.get(), &st) == 0)
        info.bytes = static_cast<std::uint64_t>(st.st_size);
    return info;
}

// crypto/age's messages are plain already; what only the front end knows is
// added here: which option fixes it, and the exact post-quantum wording.
Error ageError(const Error& error, AgeFailure why)
{
    Error e = error;
    if (why == AgeFailure::NoMatch && e.hint.empty())
        e.hint = e.code == ErrorCode::NoKeyMatched
                     ? "pass its age identity with -i FILE (an age or Coffer key file), or -p if it was made "
                       "with a passphrase"
                     : "check the passphrase (-p asks for it, --passphrase-file reads it)";
    if (why == AgeFailure::PostQuantum)
        e.message = "encrypted with post-quantum keys, which this version of Coffer cannot open";
    if (why == AgeFailure::WorkFactor && e.hint.empty())
        e.hint = "age itself refuses it too; ask the sender to use age's default passphrase cost";
    return e;
}

Status listAge(const fs::path& path, const AgeKeys& keys, JobControl& job,
               const std::function<void(const IndexEntry&)>& each)
{
    auto age = openAge(path, keys);
    COFFER_TRY(age);
    if (isTarAgeName(path))
        return eachTarEntry(*age->plain, job, each);
    std::uint64_t size = 0;
    COFFER_TRY(copyAll(
        *age->plain,
        [&](ByteView d) {
            size += d.size();
            return Status::success();
        },
        job));
    each(entryOf(singleEntry(path, size)));
    return Status::success();
}

Result<ExtractSummary> extractAge(const ExtractRequest& request, const AgeKeys& keys, JobControl& job)
{
    auto age = openAge(request.container, keys);
    COFFER_TRY(age);
    if (isTarAgeName(request.container))
        return extractTar(*age->plain, request, job);
    return extractSingle(*age, request.container, request, job);
}

Result<ExtractSummary> decryptAgeStream(crypto::ByteSource& in, const AgeKeys& keys, crypto::ByteSink& out,
                                        JobControl& job)
{
    AgeFailure why = AgeFailure::None;
    auto decryptor = AgeDecryptor::open(in, keys, &why);
    if (!decryptor.ok())
        return ageError(decryptor.error(), why);
    PlainErrors plain(**decryptor);
    ExtractSummary summary;
    COFFER_TRY(copyAll(
        plain,
        [&](ByteView d) {
            summary.bytes += d.size();
            return out.write(d);
        },
        job));
    summary.files = 1;
    return summary;
}

Result<ExtractSummary> extractAgeTo(const fs::path& path, const std::string& only, const AgeKeys& keys,
                                    crypto::ByteSink& out, JobControl& job)
{
    auto age = openAge(path, keys);
    COFFER_TRY(age);
    ExtractSummary summary;
    const DataSink sink = [&](ByteView d) -> Status {
        summary.bytes += d.size();
        return out.write(d);
    };
    if (!isTarAgeName(path)) {
        if (!only.empty() && only != ageInnerName(path))
            return makeError(ErrorCode::InvalidArgument, "\"" + only + "\" is not in this age file");
        COFFER_TRY(copyAll(*age->plain, sink, job));
        summary.files = 1;
        return summary;
    }
    if (only.empty())
        return makeError(ErrorCode::InvalidArgument, "a .tar.age holds several files",
                         "name one with --only, or extract them into a folder with -o DIR");
    auto tar = TarReader::open(*age->plain, job);
    COFFER_TRY(tar);
    while (true) {
        auto entry = (*tar)->next();
        COFFER_TRY(entry);
        if (!*entry)
            break;
        if ((*entry)->info.kind == EntryKind::File && (*entry)->info.path == only) {
            COFFER_TRY((*tar)->readData(sink));
            ++summary.files;
        }
    }
    COFFER_TRY((*tar)->drain());
    if (summary.files == 0)
        return makeError(ErrorCode::InvalidArgument, "\"" + only + "\" is not a file in this age file");
    return summary;
}

} // namespace coffer
