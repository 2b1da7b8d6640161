// The native age recipient types Coffer speaks (C2SP age.md, "Native
// recipient types"; FORMAT.md §13): X25519 and scrypt. Stanzas of other
// types are skipped, as the spec says; the post-quantum types are only
// recognised, to say why a file cannot be opened.
#pragma once

#include "AgeHeader.h"

#include <optional>

namespace coffer::crypto::age {

inline constexpr std::string_view kX25519Type = "X25519";
inline constexpr std::string_view kScryptType = "scrypt";
inline constexpr std::size_t kFileKeySize = 16;

/// True for the stanza types age.md defines as post-quantum (mlkem768x25519,
/// mlkem768p256tag), which this version cannot open.
bool isPostQuantumType(std::string_view type);

/// The rules on the stanzas of our types, checked before any key is tried:
/// X25519 and scrypt arguments and body lengths, scrypt alone in the header,
/// and the scrypt work factor under `maxWorkFactor` (refused before any work).
Status checkStanzas(const std::vector<AgeStanza>& stanzas, int maxWorkFactor, AgeFailure& why);

/// The file key from the first stanza one of `keys` opens. If none does, the
/// error says why (NoMatch, or PostQuantum) with the matching ErrorCode.
Result<SecureBytes> unwrapFileKey(const std::vector<AgeStanza>& stanzas, const AgeKeys& keys, AgeFailure& why);

Result<AgeStanza> wrapX25519(const PublicKey32& recipient, ByteView fileKey);
Result<AgeStanza> wrapScrypt(const SecureString& passphrase, int workFactor, ByteView fileKey);

} // namespace coffer::crypto::age
