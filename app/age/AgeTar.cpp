#include "AgeTar.h"

#include "SourceFile.h"

#include <archive.h>
#include <archive_entry.h>
#include <atomic>

namespace coffer {

namespace {

std::atomic<std::uint64_t> g_entryLimit{kMaxEntries};

// ---- Writing -------------------------------------------------------------

struct SinkClient {
    ByteSink& sink;
    Status status = Status::success();
};

la_ssize_t writeToSink(::archive*, void* client, const void* buffer, size_t length)
{
    auto* c = static_cast<SinkClient*>(client);
    if (auto st = c->sink.write(ByteView(static_cast<const std::uint8_t*>(buffer), length)); !st.ok()) {
        c->status = st;
        return -1;
    }
    return static_cast<la_ssize_t>(length);
}

/// One pax tar being written; frees libarchive's state whatever happens.
class TarWriter {
public:
    explicit TarWriter(ByteSink& sink) : m_client{sink} {}
    ~TarWriter() { ::archive_write_free(m_archive); }

    Status open()
    {
        m_archive = ::archive_write_new();
        // pax interchange (POSIX.1-2001), ustar headers where they suffice:
        // what GNU tar writes with --format=posix, and reads everywhere.
        if (!m_archive || ::archive_write_set_format_pax_restricted(m_archive) != ARCHIVE_OK ||
            ::archive_write_open(m_archive, &m_client, nullptr, writeToSink, nullptr) != ARCHIVE_OK)
            return failure();
        return Status::success();
    }
    Status add(const SourceEntry& source, JobControl& job)
    {
        if (source.info.kind == EntryKind::Directory)
            return header(source.info);
        UniqueFd fd;
        EntryInfo info = source.info;
        COFFER_TRY(openSource(source, fd, info)); // never through a link, and the very file scanned
        COFFER_TRY(header(info));
        const auto data = [&](ByteView d) -> Status {
            if (job.isCancelled())
                return makeError(ErrorCode::Cancelled, "cancelled");
            if (::archive_write_data(m_archive, d.data(), d.size()) != static_cast<la_ssize_t>(d.size()))
                return failure();
            return Status::success();
        };
        COFFER_TRY(readRange(fd.get(), source.source, 0, info.size, m_piece, data));
        return checkEndOfFile(fd.get(), info.size, source.source);
    }
    Status close()
    {
        if (::archive_write_close(m_archive) != ARCHIVE_OK)
            return failure();
        return Status::success();
    }

private:
    Status header(const EntryInfo& info)
    {
        ::archive_entry* e = ::archive_entry_new();
        ::archive_entry_set_pathname_utf8(e, info.path.c_str());
        ::archive_entry_set_filetype(e, info.kind == EntryKind::Directory ? AE_IFDIR : AE_IFREG);
        ::archive_entry_set_perm(e, info.mode & 0777);
        ::archive_entry_set_size(e, static_cast<la_int64_t>(info.kind == EntryKind::Directory ? 0 : info.size));
        ::archive_entry_set_mtime(e, static_cast<time_t>(info.mtimeSeconds), info.mtimeNanoseconds);
        const int r = ::archive_write_header(m_archive, e);
        ::archive_entry_free(e);
        return r == ARCHIVE_OK ? Status::success() : failure();
    }
    Error failure()
    {
        if (!m_client.status.ok())
            return m_client.status.error();
        const char* why = m_archive ? ::archive_error_string(m_archive) : nullptr;
        return makeError(ErrorCode::Io, std::string("could not write the tar: ") + (why ? why : "out of memory"));
    }

    SinkClient m_client;
    ::archive* m_archive = nullptr;
    Bytes m_piece;
};

// ---- Reading -------------------------------------------------------------

constexpr std::size_t kReadBuffer = 256 * 1024;

/// "./a/b/" -> "a/b": tar writes both forms for the same path.
std::string normalised(std::string_view raw)
{
    while (raw.starts_with("./"))
        raw.remove_prefix(2);
    while (raw.size() > 1 && raw.ends_with('/'))
        raw.remove_suffix(1);
    return std::string(raw);
}

const char* pathOf(::archive_entry* e)
{
    const char* utf8 = ::archive_entry_pathname_utf8(e);
    return utf8 ? utf8 : ::archive_entry_pathname(e);
}

const char* hardLinkOf(::archive_entry* e)
{
    const char* utf8 = ::archive_entry_hardlink_utf8(e);
    return utf8 ? utf8 : ::archive_entry_hardlink(e);
}

Error hostile(const std::string& what, ErrorCode code = ErrorCode::Damaged)
{
    return makeError(code, "the tar inside is unsafe: " + what);
}

Error hostile(const Error& rule) // a path rule's refusal keeps its class (unsafe path)
{
    return makeError(rule.code, "in the tar inside: " + rule.message);
}

} // namespace

// ---- TarReader -------------------------------------------------------------

struct TarReader::Source {
    ByteSource& in;
    Bytes buffer = Bytes(kReadBuffer);
    Status status = Status::success();
    bool ended = false;
};

namespace {

la_ssize_t readFromSource(::archive*, void* client, const void** buffer)
{
    auto* s = static_cast<TarReader::Source*>(client);
    *buffer = s->buffer.data();
    if (s->ended)
        return 0;
    auto n = s->in.read(MutableByteView(s->buffer));
    if (!n.ok()) {
        s->status = n.error();
        return -1;
    }
    s->ended = *n == 0;
    return static_cast<la_ssize_t>(*n);
}

} // namespace

Status writeTar(ScanStream& scan, ByteSink& sink, JobControl& job)
{
    TarWriter writer(sink);
    COFFER_TRY(writer.open());
    while (auto batch = scan.next())
        for (const auto& entry : *batch)
            COFFER_TRY(writer.add(entry, job));
    COFFER_TRY(scan.status());
    return writer.close();
}

void setTarEntryLimitForTests(std::uint64_t limit)
{
    g_entryLimit = limit;
}

TarReader::~TarReader()
{
    ::archive_read_free(m_archive);
}

Result<std::unique_ptr<TarReader>> TarReader::open(ByteSource& source, JobControl& job)
{
    std::unique_ptr<TarReader> r(new TarReader);
    r->m_source = std::make_unique<Source>(Source{source});
    r->m_job = &job;
    r->m_archive = ::archive_read_new();
    // Tar only (ustar, pax, GNU): no compression filters, no other formats.
    if (!r->m_archive || ::archive_read_support_format_tar(r->m_archive) != ARCHIVE_OK ||
        ::archive_read_open(r->m_archive, r->m_source.get(), nullptr, readFromSource, nullptr) != ARCHIVE_OK)
        return r->failure("read the tar");
    return r;
}

Error TarReader::failure(const char* what)
{
    if (!m_source->status.ok())
        return m_source->status.error(); // the age stream's own error says more (a bad chunk, say)
    const char* why = m_archive ? ::archive_error_string(m_archive) : nullptr;
    return damaged(std::string("could not ") + what + ": " + (why ? why : "out of memory"));
}

Result<std::optional<TarEntry>> TarReader::next()
{
    while (true) {
        ::archive_entry* e = nullptr;
        const int r = ::archive_read_next_header(m_archive, &e);
        if (r == ARCHIVE_EOF)
            return std::optional<TarEntry>();
        if (r < ARCHIVE_WARN)
            return failure("read the tar");
        if (++m_count > g_entryLimit) // a tar bomb of empty entries (FORMAT.md §8)
            return makeError(ErrorCode::LimitExceeded,
                             "the tar inside holds more than " + std::to_string(g_entryLimit.load()) + " entries");
        auto entry = classify(e);
        COFFER_TRY(entry);
        if (*entry)
            return entry;
    }
}

// Which entries become files and folders; links and special files are never
// made (a Coffer container holds neither), but their names are taken, so an
// entry "through" a link is refused instead of landing in a plain folder.
Result<std::optional<TarEntry>> TarReader::classify(::archive_entry* e)
{
    const char* raw = pathOf(e);
    if (!raw)
        return hostile("an entry has no name");
    const std::string path = normalised(raw);
    if (path == "." || path.empty())
        return std::optional<TarEntry>(); // the root folder itself ("./")
    if (auto st = checkArchivePath(path); !st.ok())
        return hostile(st.error());
    for (std::size_t slash = path.find('/'); !m_links.empty() && slash != std::string::npos;
         slash = path.find('/', slash + 1))
        if (m_links.count(path.substr(0, slash)))
            return hostile("\"" + path + "\" goes through the link \"" + path.substr(0, slash) + "\"",
                           ErrorCode::UnsafePath);
    const unsigned type = ::archive_entry_filetype(e);
    const bool folder = type == AE_IFDIR && !hardLinkOf(e);
    if (auto st = m_paths.add(path, folder); !st.ok())
        return hostile(st.error());
    if (const char* target = hardLinkOf(e)) {
        if (!checkArchivePath(normalised(target)).ok())
            return hostile("the hard link \"" + path + "\" points outside the archive", ErrorCode::UnsafePath);
        m_job->warn("skipped the hard link \"" + path + "\" (Coffer makes no links)");
        return std::optional<TarEntry>();
    }
    if (type != AE_IFREG && type != AE_IFDIR) {
        m_links.insert(path); // its name is taken: nothing may go "through" it
        m_job->warn(type == AE_IFLNK ? "skipped the symbolic link \"" + path + "\" (Coffer makes no links)"
                                     : "skipped the special file \"" + path + "\" (Coffer makes none)");
        return std::optional<TarEntry>();
    }
    const la_int64_t size = ::archive_entry_size(e);
    if (!folder && (!::archive_entry_size_is_set(e) || size < 0))
        return hostile("\"" + path + "\" has no size");
    TarEntry entry;
    entry.info.kind = folder ? EntryKind::Directory : EntryKind::File;
    entry.info.path = path;
    entry.info.mode = static_cast<std::uint16_t>(::archive_entry_perm(e) & 0777);
    entry.info.size = folder ? 0 : static_cast<std::uint64_t>(size);
    entry.info.mtimeSeconds = ::archive_entry_mtime(e);
    entry.info.mtimeNanoseconds = static_cast<std::uint32_t>(::archive_entry_mtime_nsec(e) % 1'000'000'000);
    m_size = entry.info.size;
    return std::optional<TarEntry>(std::move(entry));
}

Status TarReader::readData(const DataSink& sink)
{
    static const Bytes zeros(64 * 1024);
    std::uint64_t at = 0;
    const auto fillTo = [&](std::uint64_t end) -> Status { // a sparse file's holes
        while (at < end) {
            const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(end - at, zeros.size()));
            COFFER_TRY(sink(ByteView(zeros.data(), n)));
            at += n;
        }
        return Status::success();
    };
    const void* block = nullptr;
    size_t size = 0;
    la_int64_t offset = 0;
    int r;
    while ((r = ::archive_read_data_block(m_archive, &block, &size, &offset)) == ARCHIVE_OK) {
        if (m_job->isCancelled())
            return makeError(ErrorCode::Cancelled, "cancelled");
        if (offset < 0 || static_cast<std::uint64_t>(offset) < at)
            return hostile("a file's pieces overlap");
        COFFER_TRY(fillTo(static_cast<std::uint64_t>(offset)));
        COFFER_TRY(sink(ByteView(static_cast<const std::uint8_t*>(block), size)));
        at += size;
    }
    if (r != ARCHIVE_EOF)
        return failure("read a file in the tar");
    return fillTo(m_size); // a hole at the end
}

Status TarReader::drain()
{
    auto& s = *m_source;
    while (!s.ended) {
        auto n = s.in.read(MutableByteView(s.buffer));
        COFFER_TRY(n);
        s.ended = *n == 0;
    }
    return Status::success();
}

} // namespace coffer
