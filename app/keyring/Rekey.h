// Change who can open a container by rewriting its header only (DESIGN §2):
// the payload is copied byte for byte, never re-encrypted, so rekeying a
// large container is as fast as copying it. The signed index still names the
// recipients the sender chose, so readers see it was re-shared.
#pragma once

#include "Keys.h"
#include "Result.h"

#include <filesystem>
#include <optional>

namespace coffer {

struct RekeyRequest {
    std::filesystem::path input;
    std::filesystem::path output; // may equal input: replaced atomically
    std::vector<crypto::RecipientKey> recipients;
    std::optional<crypto::SecureString> passphrase;
    crypto::Argon2Params argon2 = crypto::defaultArgon2Params();
    /// Keep the existing stanzas and only add (otherwise: exactly these recipients).
    bool keepExisting = false;
    bool overwrite = false;
};

Result<std::filesystem::path> rekeyContainer(const RekeyRequest& request, const crypto::IdentityList& identities);

} // namespace coffer
