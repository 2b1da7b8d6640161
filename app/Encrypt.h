// Encrypt files and folders into one container: the function the GUI and the
// CLI both call.
#pragma once

#include "ArchiveWriter.h"
#include "Job.h"
#include "Keys.h"

#include <filesystem>
#include <functional>
#include <optional>
#include <vector>

namespace coffer {

struct EncryptRequest {
    std::vector<std::filesystem::path> inputs;
    std::vector<crypto::RecipientKey> recipients;
    std::optional<crypto::SecureString> passphrase;
    crypto::Argon2Params argon2 = crypto::defaultArgon2Params();
    Compression compression = Compression::Auto;
    std::filesystem::path output; // "-" writes to standard output
    bool overwrite = false;
    LinkPolicy links = LinkPolicy::Skip;
    /// Signs the container (on by default in the GUI and CLI once an identity exists).
    const crypto::Signer* signer = nullptr; // a SecretIdentity, or the key agent
    /// The archive format written (FORMAT.md §2.1): v2; v1 only for tests that
    /// check Coffer still reads what Coffer 0.1 wrote.
    std::uint8_t format = crypto::kCurrentFormat;
};

struct EncryptSummary {
    std::filesystem::path output; // the final name (may differ: "x (2).coffer")
    std::uint64_t plainBytes = 0;
    std::uint64_t containerBytes = 0;
    std::uint64_t files = 0;
    std::vector<std::string> warnings;
};

/// Writes NAME.part, renames it to NAME (or a free name) only on success;
/// nothing is left behind on failure or cancel.
Result<EncryptSummary> encryptFiles(const EncryptRequest& request, JobControl& job);

/// Whatever turns the scanned inputs into an encrypted file's bytes (a
/// container, an age file), written to `out`.
using EncryptedWriter = std::function<Status(ScanStream& scan, ByteSink& out)>;

/// What encryptFiles and encryptAge share: scans `inputs` (a missing one is
/// refused before any output exists), writes through `write` to standard
/// output ("-") or to OUTPUT.part, renamed into place only when all went well
/// and the job was not cancelled, and sums up.
Result<EncryptSummary> writeEncrypted(const std::vector<std::filesystem::path>& inputs, LinkPolicy links,
                                      const std::filesystem::path& output, bool overwrite, JobControl& job,
                                      const EncryptedWriter& write);

} // namespace coffer
