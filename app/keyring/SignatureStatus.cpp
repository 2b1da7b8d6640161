#include "SignatureStatus.h"

#include "RecipientKey.h"

#include <algorithm>

namespace coffer {

namespace {

std::vector<crypto::AudienceTag> keysOf(const Keyring* keyring)
{
    std::vector<crypto::AudienceTag> mine;
    const auto x25519 = [](const crypto::PublicKey32& key) {
        return crypto::AudienceTag{crypto::kAudienceX25519, Bytes(key.begin(), key.end())};
    };
    if (keyring)
        for (const auto& key : keyring->ownX25519Keys()) // the agent's too, when it holds them
            mine.push_back(x25519(key));
    return mine;
}

std::string shownRecipient(const IndexRecipient& r, const ArchiveIndex& index, const Keyring* keyring)
{
    if (r.type == crypto::kAudiencePassphrase)
        return index.openedBy == r ? "you (by passphrase)" : "a passphrase";
    const crypto::AudienceTag tag{r.type, r.key};
    const auto mine = keysOf(keyring);
    if (index.openedBy == r || std::find(mine.begin(), mine.end(), tag) != mine.end())
        return "you";
    if (keyring)
        for (const auto& c : keyring->contacts())
            if (c.recipient.audience() == tag)
                return c.name;
    return crypto::showAudience(tag);
}

/// Is the stanza that opened the container in the signed audience (§5.7)?
/// A version-1 index names X25519 keys only, all of them: a passphrase
/// reader of such an index cannot be checked, an X25519 reader can.
void checkAudience(const ArchiveIndex& index, SignatureReport& report)
{
    if (!index.openedBy || (index.openedBy->type == crypto::kAudiencePassphrase && index.version < kIndexVersion2)) {
        report.audienceChecked = false;
        return;
    }
    report.addressedToReader =
        std::find(index.recipients.begin(), index.recipients.end(), *index.openedBy) != index.recipients.end();
}

} // namespace

SignatureReport describeSignature(const ArchiveIndex& index, const Keyring* keyring)
{
    SignatureReport report;
    for (const auto& r : index.recipients)
        report.intendedRecipients.push_back(shownRecipient(r, index, keyring));
    if (!index.signature)
        return report;
    crypto::ContactCard card;
    card.x25519 = index.signature->signerX25519;
    card.ed25519 = index.signature->signerEd25519;
    report.signerCard = card.encode();
    report.signerFingerprint = card.fingerprint();
    checkAudience(index, report);
    std::string ownName;
    if (keyring && keyring->findOwnCard(card.ed25519, &ownName)) {
        // Any of the user's identities; its name when they hold several.
        report.state = SignerState::Me;
        report.signerName = "you";
        if (keyring->ownCards().size() > 1 && !ownName.empty())
            report.ownIdentityName = ownName;
    } else if (const Contact* c = keyring ? keyring->findBySigningKey(card.ed25519) : nullptr) {
        report.state = c->verified ? SignerState::VerifiedContact : SignerState::UnverifiedContact;
        report.signerName = c->name;
    } else {
        report.state = SignerState::UnknownKey;
    }
    return report;
}

std::string signatureSummary(const SignatureReport& report)
{
    switch (report.state) {
    case SignerState::Unsigned:
        return "unsigned: Coffer cannot tell who made this container";
    case SignerState::Me:
        return report.ownIdentityName.empty() ? "signed by you" : "signed by you (" + report.ownIdentityName + ")";
    case SignerState::VerifiedContact:
        return "signed by " + report.signerName + " (verified)";
    case SignerState::UnverifiedContact:
        return "signed by " + report.signerName + " (unverified: compare fingerprints to be sure)";
    case SignerState::UnknownKey:
        return "signed by an unknown key: " + report.signerCard + " (fingerprint " + report.signerFingerprint + ")";
    }
    return {};
}

std::string audienceNote(const SignatureReport& report)
{
    if (report.state == SignerState::Unsigned)
        return {};
    if (!report.audienceChecked)
        return "Coffer cannot check that the sender chose this passphrase: the container was signed by an older "
               "Coffer that did not record passphrases, so someone may have re-shared it after signing";
    if (!report.addressedToReader)
        return "you are not among the recipients the sender chose: this container was re-shared after signing";
    return {};
}

} // namespace coffer
