#include "SignatureStatus.h"

#include <algorithm>

namespace coffer {

SignatureReport describeSignature(const ArchiveIndex& index, const Keyring* keyring)
{
    SignatureReport report;
    std::vector<crypto::PublicKey32> mine;
    if (keyring) {
        if (const auto* id = keyring->identity())
            mine.push_back(id->x25519Public());
        for (const auto& id : keyring->ageIdentities())
            mine.push_back(id.x25519Public());
    }
    for (const auto& r : index.recipients) {
        std::string shown;
        if (std::find(mine.begin(), mine.end(), r.key) != mine.end())
            shown = "you";
        else if (const Contact* c = keyring ? keyring->findContact(crypto::encodeAgeRecipient(r.key)) : nullptr)
            shown = c->name;
        if (shown.empty() && keyring)
            for (const auto& c : keyring->contacts())
                if (c.recipient.x25519 == r.key)
                    shown = c.name;
        report.intendedRecipients.push_back(shown.empty() ? crypto::encodeAgeRecipient(r.key) : shown);
    }
    if (!index.signature)
        return report;
    crypto::ContactCard card;
    card.x25519 = index.signature->signerX25519;
    card.ed25519 = index.signature->signerEd25519;
    report.signerCard = card.encode();
    report.signerFingerprint = card.fingerprint();
    if (!mine.empty() && !index.recipients.empty())
        report.addressedToReader =
            std::any_of(index.recipients.begin(), index.recipients.end(), [&](const IndexRecipient& r) {
                return std::find(mine.begin(), mine.end(), r.key) != mine.end();
            });
    const crypto::SecretIdentity* me = keyring ? keyring->identity() : nullptr;
    if (me && me->card() && me->card()->ed25519 == card.ed25519) {
        report.state = SignerState::Me;
        report.signerName = "you";
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
        return "signed by you";
    case SignerState::VerifiedContact:
        return "signed by " + report.signerName + " (verified)";
    case SignerState::UnverifiedContact:
        return "signed by " + report.signerName + " (unverified: compare fingerprints to be sure)";
    case SignerState::UnknownKey:
        return "signed by an unknown key: " + report.signerCard + " (fingerprint " + report.signerFingerprint + ")";
    }
    return {};
}

} // namespace coffer
