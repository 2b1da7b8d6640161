// Signatures over the archive index (FORMAT.md §5.7): Ed25519 over a fixed
// label and the SHA-256 of the index bytes that precede the signature block.
// The index names every entry's SHA-256 and the intended recipients, so a
// signature binds the content and the audience, and cannot be moved to other
// content.
#pragma once

#include "Keys.h"
#include "Primitives.h"

namespace coffer::crypto {

inline constexpr std::string_view kSignatureLabel = "coffer/v1/signature";

/// label || 0x00 || SHA-256(signedIndexBytes): what the Ed25519 key signs.
Bytes indexSignatureMessage(ByteView signedIndexBytes);
/// True if `message` has the form indexSignatureMessage() gives: what a key
/// agent agrees to sign (it signs nothing else).
bool isIndexSignatureMessage(ByteView message);
Signature64 signIndex(const SecretIdentity& signer, ByteView signedIndexBytes);
bool verifyIndexSignature(const PublicKey32& ed25519, ByteView signedIndexBytes, const Signature64& signature);

} // namespace coffer::crypto
