// The recipient list and signature block at the end of an index (FORMAT.md
// §5.2, §5.7; docs/FORMAT-v2.md §3.6).
#include "IndexAudience.h"

#include "RecipientKey.h"
#include "Varint.h"

#include <algorithm>

namespace coffer {

namespace {

constexpr std::uint8_t kSignatureTypeEd25519 = 1;

} // namespace

void encodeAudience(Bytes& out, const std::vector<IndexRecipient>& recipients,
                    const std::optional<IndexSignature>& signature)
{
    const auto count = static_cast<std::uint32_t>(recipients.size());
    for (int i = 0; i < 4; ++i)
        out.push_back(static_cast<std::uint8_t>(count >> (8 * i)));
    for (const auto& r : recipients) {
        out.push_back(r.type);
        out.insert(out.end(), r.key.begin(), r.key.end());
    }
    if (signature) {
        out.push_back(kSignatureTypeEd25519);
        out.insert(out.end(), signature->signerX25519.begin(), signature->signerX25519.end());
        out.insert(out.end(), signature->signerEd25519.begin(), signature->signerEd25519.end());
        out.insert(out.end(), signature->signature.begin(), signature->signature.end());
    }
}

Result<IndexAudience> decodeAudience(ByteView plain, std::size_t& position, std::uint32_t indexVersion,
                                     bool signedIndex, SignatureCheck check)
{
    varint::Cursor r(plain.subspan(std::min(position, plain.size())));
    IndexAudience audience;
    std::uint32_t recipientCount = 0;
    if (!r.u32le(recipientCount) || recipientCount > crypto::kMaxStanzas)
        return damaged("the index's recipient list is malformed");
    for (std::uint32_t i = 0; i < recipientCount; ++i) {
        IndexRecipient rec;
        if (!r.byte(rec.type))
            return damaged("the index's recipient list is truncated");
        // Types 1 and 2 are built in; type 2 (a passphrase's tag, §5.7) exists
        // from index version 2 on. The type gives the key's length.
        const auto known = crypto::findAudienceType(rec.type);
        if (!known || indexVersion < known->minIndexVersion)
            return damaged("the index names a recipient of unknown type");
        ByteView key;
        if (!r.bytes(key, known->length))
            return damaged("the index's recipient list is truncated");
        rec.key.assign(key.begin(), key.end());
        if (std::find(audience.recipients.begin(), audience.recipients.end(), rec) != audience.recipients.end())
            return damaged("the index names a recipient twice");
        audience.recipients.push_back(std::move(rec));
    }
    if (signedIndex) {
        std::uint8_t type = 0;
        ByteView x25519, ed25519, signature;
        if (!r.byte(type) || !r.bytes(x25519, 32) || !r.bytes(ed25519, 32) || !r.bytes(signature, 64))
            return damaged("the signature block is truncated");
        if (type != kSignatureTypeEd25519)
            return makeError(ErrorCode::UnsupportedVersion, "the container is signed with an unknown kind of key");
        IndexSignature sig;
        std::copy(x25519.begin(), x25519.end(), sig.signerX25519.begin());
        std::copy(ed25519.begin(), ed25519.end(), sig.signerEd25519.begin());
        std::copy(signature.begin(), signature.end(), sig.signature.begin());
        // The signature covers everything before it, the signer's keys included,
        // so no one can swap the signer's X25519 key under a valid signature.
        const std::size_t signedLength = position + r.position() - sig.signature.size();
        if (!check(sig.signerEd25519, plain.first(signedLength), sig.signature))
            return damaged("the sender's signature does not match the content");
        audience.signature = sig;
    }
    position += r.position();
    return audience;
}

} // namespace coffer
