#include "Recipient.h"

#include <algorithm>

namespace coffer::crypto {

Result<Stanza> Recipient::wrap(const FileKey& fileKey) const
{
    auto wrapped = wrapWithAudience(fileKey);
    COFFER_TRY(wrapped);
    return std::move(wrapped->stanza);
}

Result<SealedHeader> sealHeader(const RecipientList& recipients, std::uint8_t version)
{
    FileKey fileKey;
    randomBytes(fileKey.mutableView());
    return sealHeaderWithKey(std::move(fileKey), recipients, {}, 0, version);
}

Result<SealedHeader> sealHeaderWithKey(FileKey fileKey, const RecipientList& recipients, std::vector<Stanza> keep,
                                       std::size_t exactLength, std::uint8_t version)
{
    std::erase_if(keep, [](const Stanza& s) { return s.type == kPadStanzaType; });
    if (recipients.empty() && keep.empty())
        return makeError(ErrorCode::InvalidArgument, "a container needs at least one recipient");
    if (recipients.size() + keep.size() > kMaxStanzas)
        return makeError(ErrorCode::LimitExceeded, "too many recipients (at most 1024)");
    SealedHeader sealed{std::move(fileKey), {}, {}, {}};
    sealed.header.version = version;
    sealed.header.stanzas = std::move(keep);
    for (const auto& recipient : recipients) {
        auto wrapped = recipient->wrapWithAudience(sealed.fileKey);
        COFFER_TRY(wrapped);
        sealed.header.stanzas.push_back(std::move(wrapped->stanza));
        sealed.audience.push_back(wrapped->audience);
    }
    // The pad stanza goes last. Its length is what the header lacks of the target.
    const std::size_t unpadded = serialiseHeader(sealed.header).size();
    const std::size_t target =
        exactLength > 0 ? exactLength
                        : (unpadded + kRekeyRoom + kHeaderAlignment - 1) / kHeaderAlignment * kHeaderAlignment;
    auto pad = target >= unpadded ? padStanzaOfLength(target - unpadded) : std::nullopt;
    if (pad && sealed.header.stanzas.size() < kMaxStanzas)
        sealed.header.stanzas.push_back(std::move(*pad));
    else if (exactLength > 0)
        return makeError(ErrorCode::LimitExceeded, "the new header does not fit in the old one's place");
    const std::string macInput = serialiseHeaderForMac(sealed.header);
    sealed.header.mac = computeHeaderMac(
        sealed.fileKey, ByteView(reinterpret_cast<const std::uint8_t*>(macInput.data()), macInput.size()));
    sealed.text = serialiseHeader(sealed.header);
    if (sealed.text.size() > kMaxHeaderSize)
        return makeError(ErrorCode::LimitExceeded, "the header would be larger than 256 KiB");
    return sealed;
}

Result<FileKey> unwrapFileKey(const ParsedHeader& parsed, ByteView headerBytes, const IdentityList& identities,
                              AudienceTag* openedBy)
{
    // Each argon2id stanza may cost seconds of KDF work: one per header is the
    // ceiling on the total a hostile header can demand (FORMAT.md §3.2).
    const auto argonStanzas = std::count_if(parsed.header.stanzas.begin(), parsed.header.stanzas.end(),
                                            [](const Stanza& s) { return s.type == "argon2id"; });
    if (argonStanzas > 1)
        return makeError(ErrorCode::Damaged, "header: more than one passphrase stanza");
    std::optional<Error> passphraseError;
    for (const auto& stanza : parsed.header.stanzas) {
        for (const auto& identity : identities) {
            auto result = identity->unwrap(stanza);
            if (!result.ok()) {
                // A wrong passphrase is reported only if nothing else opens the container.
                if (result.error().code == ErrorCode::WrongPassphrase) {
                    passphraseError = result.error();
                    continue;
                }
                return result.error();
            }
            if (result->outcome == UnwrapOutcome::Opened) {
                FileKey key = std::move(*result->fileKey);
                COFFER_TRY(verifyHeaderMac(key, headerBytes.first(parsed.macInputLength), parsed.header.mac));
                if (openedBy)
                    *openedBy = result->audience;
                return key;
            }
        }
    }
    if (passphraseError)
        return *passphraseError;
    return makeError(ErrorCode::NoKeyMatched, "no key matched");
}

} // namespace coffer::crypto
