// Signatures over the archive index (FORMAT.md §5.7) and over format v2's
// directory (docs/FORMAT-v2.md §3.6): Ed25519 over a fixed label and the
// SHA-256 of the bytes that precede the signature block. Each format has its
// own label, so a signature never verifies as the other's.
// The index names every entry's SHA-256 and the intended recipients, so a
// signature binds the content and the audience, and cannot be moved to other
// content.
#pragma once

#include "Keys.h"
#include "Primitives.h"

namespace coffer::crypto {

inline constexpr std::string_view kSignatureLabel = "coffer/v1/signature";
inline constexpr std::string_view kDirectorySignatureLabel = "coffer/v2/signature";
// One message shape for both: a key agent's size checks hold for either.
static_assert(kSignatureLabel.size() == kDirectorySignatureLabel.size());

/// label || 0x00 || SHA-256(signedIndexBytes): what the Ed25519 key signs.
Bytes indexSignatureMessage(ByteView signedIndexBytes);
/// The same with the v2 label, over a directory's signed bytes.
Bytes directorySignatureMessage(ByteView signedDirectoryBytes);
/// True if `message` has the form indexSignatureMessage() or
/// directorySignatureMessage() gives: what a key agent agrees to sign (it
/// signs nothing else).
bool isIndexSignatureMessage(ByteView message);
Signature64 signIndex(const SecretIdentity& signer, ByteView signedIndexBytes);
bool verifyIndexSignature(const PublicKey32& ed25519, ByteView signedIndexBytes, const Signature64& signature);
Signature64 signDirectory(const SecretIdentity& signer, ByteView signedDirectoryBytes);
bool verifyDirectorySignature(const PublicKey32& ed25519, ByteView signedDirectoryBytes, const Signature64& signature);

} // namespace coffer::crypto
