#include "KeyringFile.h"

#include "ArchiveWriter.h"
#include "Extract.h"
#include "FileIO.h"

#include <ctime>

namespace coffer {

namespace fs = std::filesystem;

Status writeKeyringFile(const fs::path& file, const Keyring& keyring, const crypto::SecureString& passphrase,
                        const crypto::Argon2Params& kdf, const std::string& entryName, bool overwrite)
{
    std::error_code ec;
    if (!overwrite && fs::symlink_status(file, ec).type() != fs::file_type::not_found)
        return makeError(ErrorCode::InvalidArgument, "\"" + file.string() + "\" already exists",
                         "choose another name, or replace it with --force");
    auto out = AtomicOutput::create(file, overwrite, 0600);
    COFFER_TRY(out);
    FdSink sink(out->fd(), out->partPath());
    crypto::RecipientList recipients;
    recipients.push_back(std::make_unique<crypto::PassphraseRecipient>(passphrase, kdf));
    auto sealed = crypto::sealHeader(recipients);
    COFFER_TRY(sealed);
    COFFER_TRY(sink.write(crypto::asBytes(sealed->text)));
    auto payload = crypto::PayloadWriter::create(sealed->fileKey.view(), sink);
    COFFER_TRY(payload);
    JobControl job;
    ArchiveWriter writer(*payload, Compression::Off, job);
    const crypto::SecureString text = keyring.serialise();
    EntryInfo info;
    info.path = entryName;
    info.mode = 0600;
    info.mtimeSeconds = static_cast<std::int64_t>(::time(nullptr));
    COFFER_TRY(writer.writeMemoryFile(info, crypto::asBytes(text)));
    COFFER_TRY(writer.finish({}));
    COFFER_TRY(payload->finish());
    auto committed = out->commit();
    COFFER_TRY(committed);
    // commit() picks a free name if `file` appeared meanwhile: say where it went.
    if (*committed != file)
        return makeError(ErrorCode::Io, "\"" + file.string() + "\" appeared while saving; saved as \"" +
                                            committed->string() + "\" instead");
    return Status::success();
}

Result<crypto::SecureBytes> readKeyringText(const fs::path& file, const crypto::SecureString& passphrase,
                                            const std::string& entryName)
{
    crypto::IdentityList ids;
    ids.push_back(std::make_unique<crypto::PassphraseIdentity>(passphrase));
    return readStoredEntry(file, ids, entryName, kMaxKeyringTextBytes);
}

} // namespace coffer
