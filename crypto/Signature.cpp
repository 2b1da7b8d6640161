#include "Signature.h"

#include <algorithm>

namespace coffer::crypto {

Bytes indexSignatureMessage(ByteView signedIndexBytes)
{
    Bytes message(kSignatureLabel.begin(), kSignatureLabel.end());
    message.push_back(0);
    const Digest32 digest = sha256(signedIndexBytes);
    message.insert(message.end(), digest.begin(), digest.end());
    return message;
}

bool isIndexSignatureMessage(ByteView message)
{
    const std::size_t prefix = kSignatureLabel.size() + 1;
    return message.size() == prefix + kSha256Size &&
           std::equal(kSignatureLabel.begin(), kSignatureLabel.end(), message.begin()) &&
           message[kSignatureLabel.size()] == 0;
}

Signature64 signIndex(const SecretIdentity& signer, ByteView signedIndexBytes)
{
    return signer.sign(indexSignatureMessage(signedIndexBytes));
}

bool verifyIndexSignature(const PublicKey32& ed25519, ByteView signedIndexBytes, const Signature64& signature)
{
    return ed25519Verify(ed25519, indexSignatureMessage(signedIndexBytes), signature);
}

} // namespace coffer::crypto
