// Writing age files (FORMAT.md §13): one file as itself, several files or a
// folder as a pax tar (AgeTar.h), to X25519 keys or one passphrase.
#include "AgeFiles.h"

#include "AgeTar.h"
#include "SourceFile.h"

#include <sys/stat.h>
#include <unistd.h>

namespace coffer {

namespace fs = std::filesystem;
using crypto::age::AgeEncryptor;
using crypto::age::AgeRecipients;

namespace {

/// age knows X25519 keys and passphrases: a Coffer card is its X25519 key,
/// an age key is one; a passphrase must be alone (age.md: an scrypt stanza is
/// the only stanza of its header).
Result<AgeRecipients> ageRecipientsOf(const AgeEncryptRequest& request)
{
    AgeRecipients r;
    for (const auto& key : request.recipients) {
        const crypto::AudienceTag tag = key.audience();
        if (tag.type != crypto::kAudienceX25519 || tag.value.size() != 32)
            return makeError(ErrorCode::InvalidArgument, "a " + std::string(key.kindName()) + " cannot open age files",
                             "encrypt to Coffer cards or age keys (age1...), or leave out --format age");
        crypto::PublicKey32 x25519{};
        std::copy(tag.value.begin(), tag.value.end(), x25519.begin());
        r.x25519.push_back(x25519);
    }
    if (request.passphrase && !r.x25519.empty())
        return makeError(ErrorCode::InvalidArgument, "an age file opens with keys or with a passphrase, not both",
                         "leave out -p, or the recipients (age allows a passphrase only alone)");
    if (request.passphrase)
        r.passphrase = *request.passphrase;
    if (!r.passphrase && r.x25519.empty())
        return makeError(ErrorCode::InvalidArgument, "choose at least one recipient or a passphrase");
    r.workFactor = request.workFactor;
    return r;
}

/// Reads a source file straight into the age chunks: exactly its size, from
/// offset 0, stopping when the job is cancelled.
class SourceReader final : public crypto::ByteSource {
public:
    SourceReader(int fd, const fs::path& name, JobControl& job) : m_fd(fd), m_name(name), m_job(job) {}
    Result<std::size_t> read(MutableByteView buffer) override
    {
        if (m_job.isCancelled())
            return makeError(ErrorCode::Cancelled, "cancelled");
        auto got = preadFull(m_fd, buffer, m_offset, m_name);
        COFFER_TRY(got);
        if (*got != buffer.size())
            return changedWhileReading(m_name);
        m_offset += *got;
        return *got;
    }

private:
    int m_fd;
    const fs::path& m_name;
    JobControl& m_job;
    std::uint64_t m_offset = 0;
};

/// The one file of a single-file age file, read as the scan saw it.
Status writeSingle(ScanStream& scan, AgeEncryptor& age, JobControl& job)
{
    auto batch = scan.next();
    COFFER_TRY(scan.status());
    if (!batch || batch->size() != 1 || batch->front().info.kind != EntryKind::File)
        return makeError(ErrorCode::InvalidArgument, "one file makes a .age; several or a folder a .tar.age");
    const SourceEntry& source = batch->front();
    UniqueFd fd;
    EntryInfo info = source.info;
    COFFER_TRY(openSource(source, fd, info));
    SourceReader reader(fd.get(), source.source, job);
    COFFER_TRY(age.writeFrom(reader, info.size));
    return checkEndOfFile(fd.get(), info.size, source.source);
}

Status writeAge(const AgeEncryptRequest& request, const AgeRecipients& recipients, ScanStream& scan, ByteSink& sink,
                JobControl& job)
{
    auto age = AgeEncryptor::open(sink, recipients, request.armor);
    COFFER_TRY(age);
    if (agePayloadIsTar(request.inputs))
        COFFER_TRY(writeTar(scan, **age, job));
    else
        COFFER_TRY(writeSingle(scan, **age, job));
    return (*age)->finish();
}

} // namespace

bool agePayloadIsTar(const std::vector<fs::path>& inputs)
{
    struct stat st;
    // A chosen link counts as what it points to (the scan follows a chosen link).
    return inputs.size() != 1 || ::stat(inputs.front().c_str(), &st) != 0 || !S_ISREG(st.st_mode);
}

Result<EncryptSummary> encryptAge(const AgeEncryptRequest& request, JobControl& job)
{
    auto recipients = ageRecipientsOf(request); // checked before anything is written
    COFFER_TRY(recipients);
    return writeEncrypted(
        request.inputs, request.links, request.output, request.overwrite, job,
        [&](ScanStream& scan, ByteSink& out) { return writeAge(request, *recipients, scan, out, job); });
}

} // namespace coffer
