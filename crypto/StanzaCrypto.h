// Shared by the stanza kinds: the 48-byte body is AES-256-GCM of the 32-byte
// file key under a single-use wrap key, with an all-zero nonce (safe because
// each wrap key is used once; age.md does the same with ChaCha20-Poly1305).
#pragma once

#include "Header.h"

namespace coffer::crypto {

inline constexpr std::size_t kStanzaBodySize = 32 + kGcmTagSize;

Result<Bytes> sealFileKey(ByteView wrapKey, const FileKey& fileKey);
/// nullopt when the tag does not verify (not this key or passphrase).
Result<std::optional<FileKey>> openFileKey(ByteView wrapKey, ByteView body);

} // namespace coffer::crypto
