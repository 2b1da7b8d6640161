#include "Encrypt.h"

#include "FileIO.h"
#include "Recipients.h"

#include <algorithm>
#include <unistd.h>

namespace coffer {

namespace {

struct CountingSink final : ByteSink {
    explicit CountingSink(ByteSink& target) : inner(target) {}
    Status write(ByteView data) override
    {
        count += data.size();
        return inner.write(data);
    }
    ByteSink& inner;
    std::uint64_t count = 0;
};

Result<crypto::RecipientList> recipientsOf(const EncryptRequest& request)
{
    auto list = makeRecipients(request.recipients, request.passphrase, request.argon2);
    if (list.empty())
        return makeError(ErrorCode::InvalidArgument, "choose at least one recipient or a passphrase");
    return list;
}

Status writeContainer(const EncryptRequest& request, const crypto::RecipientList& recipients, ScanStream& scan,
                      ByteSink& sink, JobControl& job)
{
    auto sealed = crypto::sealHeader(recipients, request.format);
    COFFER_TRY(sealed);
    COFFER_TRY(sink.write(crypto::asBytes(sealed->text)));
    auto payload = crypto::PayloadWriter::create(sealed->fileKey.view(), sink);
    COFFER_TRY(payload);
    ArchiveWriter writer(*payload, request.compression, job);
    writer.setFormat(request.format);
    writer.setSigner(request.signer);
    COFFER_TRY(writer.writeEntries(scan));
    // The audience, in stanza order (FORMAT.md §5.2): each X25519 key, and
    // when signing each passphrase's tag, so a reader can tell a container
    // re-wrapped to someone else after signing (§5.7).
    std::vector<IndexRecipient> intended;
    for (const auto& tag : sealed->audience) {
        const IndexRecipient r(tag);
        // An unsigned index is version 1: it cannot name version-2 types.
        const auto type = crypto::findAudienceType(tag.type);
        if (!request.signer && (!type || type->minIndexVersion > kIndexVersion1))
            continue;
        if (std::find(intended.begin(), intended.end(), r) == intended.end())
            intended.push_back(r);
    }
    COFFER_TRY(writer.finish(intended));
    return payload->finish();
}

} // namespace

Result<EncryptSummary> writeEncrypted(const std::vector<std::filesystem::path>& inputs, LinkPolicy links,
                                      const std::filesystem::path& output, bool overwrite, JobControl& job,
                                      const EncryptedWriter& write)
{
    ScanStream scan(inputs, job, links);
    COFFER_TRY(scan.started()); // a missing input is refused before any output exists
    if (job.isCancelled())
        return makeError(ErrorCode::Cancelled, "cancelled");
    EncryptSummary summary;

    if (output == "-") {
        FdSink out(STDOUT_FILENO, "standard output");
        CountingSink counter(out);
        COFFER_TRY(write(scan, counter));
        summary.output = "-";
        summary.containerBytes = counter.count;
    } else {
        auto part = AtomicOutput::create(output, overwrite);
        COFFER_TRY(part);
        FdSink out(part->fd(), part->partPath());
        CountingSink counter(out);
        COFFER_TRY(write(scan, counter));
        if (job.isCancelled()) // a cancel at the very end still means no output
            return makeError(ErrorCode::Cancelled, "cancelled");
        auto final = part->commit();
        COFFER_TRY(final);
        summary.output = *final;
        summary.containerBytes = counter.count;
    }
    summary.plainBytes = scan.totalBytes();
    summary.files = scan.fileCount();
    summary.warnings = job.warnings();
    return summary;
}

Result<EncryptSummary> encryptFiles(const EncryptRequest& request, JobControl& job)
{
    auto recipients = recipientsOf(request); // checked before anything is written
    COFFER_TRY(recipients);
    return writeEncrypted(
        request.inputs, request.links, request.output, request.overwrite, job,
        [&](ScanStream& scan, ByteSink& out) { return writeContainer(request, *recipients, scan, out, job); });
}

} // namespace coffer
