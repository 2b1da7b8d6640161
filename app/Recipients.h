// The one place keys become recipients, for encrypt and rekey alike: each
// key makes its own crypto::Recipient (RecipientKey.h), so a new kind of key
// needs no change here (FORMAT.md §3).
#pragma once

#include "Keys.h"

#include <optional>
#include <vector>

namespace coffer {

/// One recipient per distinct key (the same key named twice, by card and by
/// contact name, gets one stanza), then the passphrase's, if any. May be empty.
crypto::RecipientList makeRecipients(const std::vector<crypto::RecipientKey>& keys,
                                     const std::optional<crypto::SecureString>& passphrase,
                                     const crypto::Argon2Params& argon2);

} // namespace coffer
