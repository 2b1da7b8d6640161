#include "Recipients.h"

#include <algorithm>

namespace coffer {

crypto::RecipientList makeRecipients(const std::vector<crypto::RecipientKey>& keys,
                                     const std::optional<crypto::SecureString>& passphrase,
                                     const crypto::Argon2Params& argon2)
{
    crypto::RecipientList list;
    std::vector<crypto::AudienceTag> seen;
    for (const auto& key : keys) {
        const crypto::AudienceTag audience = key.audience();
        if (std::find(seen.begin(), seen.end(), audience) != seen.end())
            continue;
        seen.push_back(audience);
        list.push_back(key.makeRecipient());
    }
    if (passphrase)
        list.push_back(std::make_unique<crypto::PassphraseRecipient>(*passphrase, argon2));
    return list;
}

} // namespace coffer
