// A toy recipient kind, for tests only: the key text is "toy1" and the hex of
// a 32-byte secret shared by sender and reader. Its stanza "-> toy <salt>"
// seals the file key with AES-256-GCM (crypto's sealFileKey) under
// HKDF-SHA-256(secret, salt); its audience entry (type kToyAudienceType) is
// 16 bytes, a hash of the secret. It exists to show that a new kind plugs in
// with one file pair and one registration: nothing in app/ or ui/ names it.
#pragma once

#include "RecipientKey.h"

#include <memory>
#include <string>

namespace coffer::test {

inline constexpr std::uint8_t kToyAudienceType = 0xF7;
inline constexpr std::size_t kToyAudienceLength = 16;
inline constexpr std::string_view kToyStanzaType = "toy";

/// Registers the "toy1" kind once per process (later calls do nothing).
void registerToyRecipientKind();

/// A fresh secret's key text: "toy1" and 64 hex digits.
std::string newToyKeyText();

/// The identity that opens the toy stanzas of `keyText`'s secret.
std::unique_ptr<crypto::Identity> toyIdentity(std::string_view keyText);

/// The audience entry the index names for `keyText`'s secret.
crypto::AudienceTag toyAudience(std::string_view keyText);

} // namespace coffer::test
