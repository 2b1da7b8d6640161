// What the reader is told about who sent a container and to whom
// (FORMAT.md §5.7; the wording: WRITER.md §6): the signer as the keyring knows them, and whether the
// reader is among the recipients the sender signed for.
#pragma once

#include "ArchiveFormat.h"
#include "Keyring.h"

#include <string>
#include <vector>

namespace coffer {

enum class SignerState {
    Unsigned,          // no signature: anyone with a recipient key could have made it
    VerifiedContact,   // signed by a contact whose fingerprint the user compared
    UnverifiedContact, // signed by a contact not yet verified
    UnknownKey,        // signed by a key not in the contacts (card shown to add it)
    Me,                // signed by the user's own identity
};

struct SignatureReport {
    SignerState state = SignerState::Unsigned;
    std::string signerName;      // contact name, when known
    std::string ownIdentityName; // state Me, with several identities: which one signed
    std::string signerCard;      // coffer1... of the signer
    std::string signerFingerprint;
    std::vector<std::string> intendedRecipients; // names where known, else keys
    /// False when the stanza that opened the container (the reader's X25519
    /// key or passphrase) is not in the signed audience: the container was
    /// re-shared (rekeyed or forwarded) after signing (FORMAT.md §5.7).
    bool addressedToReader = true;
    /// False when that cannot be checked: opened with a passphrase, and the
    /// index (version 1, older Coffer) names no passphrases.
    bool audienceChecked = true;
};

SignatureReport describeSignature(const ArchiveIndex& index, const Keyring* keyring);

/// One line for the CLI: "signed by Alice (verified)".
std::string signatureSummary(const SignatureReport& report);
/// The audience line, or "" when the reader is among the signed audience.
std::string audienceNote(const SignatureReport& report);

} // namespace coffer
