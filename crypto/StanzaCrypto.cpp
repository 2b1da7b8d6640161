#include "StanzaCrypto.h"

namespace coffer::crypto {

namespace {
constexpr std::uint8_t kZeroNonce[kGcmNonceSize] = {};
}

Result<Bytes> sealFileKey(ByteView wrapKey, const FileKey& fileKey)
{
    auto gcm = AesGcm256::create(wrapKey);
    COFFER_TRY(gcm);
    Bytes body(kStanzaBodySize);
    COFFER_TRY(gcm->seal(kZeroNonce, {}, fileKey.view(), body));
    return body;
}

Result<std::optional<FileKey>> openFileKey(ByteView wrapKey, ByteView body)
{
    // The body length is checked before any decryption: a longer body could
    // make a partitioning oracle (age.md, "X25519 recipient stanza").
    if (body.size() != kStanzaBodySize)
        return makeError(ErrorCode::Damaged, "a stanza body has the wrong length");
    auto gcm = AesGcm256::create(wrapKey);
    COFFER_TRY(gcm);
    FileKey fileKey;
    auto opened = gcm->open(kZeroNonce, {}, body, fileKey.mutableView());
    if (!opened.ok()) {
        if (opened.error().code == ErrorCode::Damaged)
            return std::optional<FileKey>{};
        return opened.error();
    }
    return std::optional<FileKey>(std::move(fileKey));
}

} // namespace coffer::crypto
