#include "Signature.h"

#include <algorithm>

namespace coffer::crypto {

namespace {

Bytes labelledMessage(std::string_view label, ByteView signedBytes)
{
    Bytes message(label.begin(), label.end());
    message.push_back(0);
    const Digest32 digest = sha256(signedBytes);
    message.insert(message.end(), digest.begin(), digest.end());
    return message;
}

bool hasLabel(std::string_view label, ByteView message)
{
    return message.size() == label.size() + 1 + kSha256Size &&
           std::equal(label.begin(), label.end(), message.begin()) && message[label.size()] == 0;
}

} // namespace

Bytes indexSignatureMessage(ByteView signedIndexBytes)
{
    return labelledMessage(kSignatureLabel, signedIndexBytes);
}

Bytes directorySignatureMessage(ByteView signedDirectoryBytes)
{
    return labelledMessage(kDirectorySignatureLabel, signedDirectoryBytes);
}

bool isIndexSignatureMessage(ByteView message)
{
    return hasLabel(kSignatureLabel, message) || hasLabel(kDirectorySignatureLabel, message);
}

Signature64 signIndex(const SecretIdentity& signer, ByteView signedIndexBytes)
{
    return signer.sign(indexSignatureMessage(signedIndexBytes));
}

bool verifyIndexSignature(const PublicKey32& ed25519, ByteView signedIndexBytes, const Signature64& signature)
{
    return ed25519Verify(ed25519, indexSignatureMessage(signedIndexBytes), signature);
}

Signature64 signDirectory(const SecretIdentity& signer, ByteView signedDirectoryBytes)
{
    return signer.sign(directorySignatureMessage(signedDirectoryBytes));
}

bool verifyDirectorySignature(const PublicKey32& ed25519, ByteView signedDirectoryBytes, const Signature64& signature)
{
    return ed25519Verify(ed25519, directorySignatureMessage(signedDirectoryBytes), signature);
}

} // namespace coffer::crypto
