// age files through the app API (FORMAT.md §13), beside containers: what
// the CLI's decrypt, list, inspect and encrypt --format age call. A file
// named *.tar.age holds a tar (AgeTar.h); any other age file holds one file,
// named after the age file without ".age". age files are not signed.
#pragma once

#include "Encrypt.h"
#include "Extract.h"
#include "age/Age.h"

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace coffer {

/// True if the file begins like an age file, binary or armored.
bool isAgeFile(const std::filesystem::path& path);
/// "x.tar.age" (any case): its plaintext is a tar.
bool isTarAgeName(const std::filesystem::path& path);
/// The file a single-file age file holds: "report.pdf.age" -> "report.pdf".
std::string ageInnerName(const std::filesystem::path& path);

/// What can be said of an age file without any key (inspect).
struct AgeInfo {
    bool armored = false;
    std::vector<std::string> stanzaTypes;
    std::uint64_t bytes = 0;
};
Result<AgeInfo> inspectAge(const std::filesystem::path& path);

/// The error to show for a failure to open or read an age file: crypto/age's
/// words, a hint naming the option that helps, the post-quantum refusal exactly
/// as Age.h says it.
Error ageError(const Error& error, crypto::age::AgeFailure why);

/// The files an age file holds, to `each`: a tar's entries as the tar is read
/// (none is kept here: a caller that keeps them chooses how, and within what
/// budget), or the one file with its size. The whole stream is decrypted (age
/// has no index), so a caller shows nothing before this returns success: only
/// then did the stream authenticate to its end.
Status listAge(const std::filesystem::path& path, const crypto::age::AgeKeys& keys, JobControl& job,
               const std::function<void(const IndexEntry&)>& each);

/// Extracts into request.destination with a container's rules: nothing
/// appears at a final name before the age stream authenticated to its end.
Result<ExtractSummary> extractAge(const ExtractRequest& request, const crypto::age::AgeKeys& keys, JobControl& job);

/// Writes one file's content to `out` as it authenticates, chunk by chunk
/// (as `age -d` does): the single file, or `path` in a .tar.age.
Result<ExtractSummary> extractAgeTo(const std::filesystem::path& path, const std::string& only,
                                    const crypto::age::AgeKeys& keys, crypto::ByteSink& out, JobControl& job);

/// Writes the plaintext of the age file read from `in` (standard input) to
/// `out` as it authenticates, chunk by chunk, as `age -d` does.
Result<ExtractSummary> decryptAgeStream(crypto::ByteSource& in, const crypto::age::AgeKeys& keys, crypto::ByteSink& out,
                                        JobControl& job);

struct AgeEncryptRequest {
    std::vector<std::filesystem::path> inputs;
    std::vector<crypto::RecipientKey> recipients; // X25519 kinds: age keys and Coffer cards
    std::optional<crypto::SecureString> passphrase;
    int workFactor = crypto::age::kDefaultScryptWorkFactor;
    std::filesystem::path output; // "-" writes to standard output
    bool overwrite = false;
    bool armor = false;
    LinkPolicy links = LinkPolicy::Skip;
};

/// True if these inputs make a tar (several, or a folder): the output is then NAME.tar.age.
bool agePayloadIsTar(const std::vector<std::filesystem::path>& inputs);

/// Writes an age file (NAME.part, renamed on success, as encryptFiles does).
Result<EncryptSummary> encryptAge(const AgeEncryptRequest& request, JobControl& job);

} // namespace coffer
