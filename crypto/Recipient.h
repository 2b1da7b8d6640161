// Recipients wrap a file key into stanzas; identities unwrap them. A new kind
// of key (post-quantum, hardware token) is a new pair of classes, not new ifs
// in the header code (FORMAT.md §3).
#pragma once

#include "Header.h"
#include "Result.h"

#include <array>
#include <memory>
#include <optional>
#include <vector>

namespace coffer::crypto {

/// Who a stanza is for, as a signed index names its audience (FORMAT.md
/// §5.2, §5.7): type 1 = an X25519 public key; type 2 = a passphrase's
/// audience tag, which only a holder of the passphrase can compute. The
/// value's length follows from the type (findAudienceType, RecipientKey.h):
/// 32 bytes for both built-in types; registered kinds add types.
struct AudienceTag {
    std::uint8_t type = 0;
    Bytes value;
    bool operator==(const AudienceTag&) const = default;
};
inline constexpr std::uint8_t kAudienceX25519 = 1;
inline constexpr std::uint8_t kAudiencePassphrase = 2;

struct WrappedStanza {
    Stanza stanza;
    AudienceTag audience;
};

class Recipient {
public:
    virtual ~Recipient() = default;
    /// The stanza, and whom it is for as the signed index records it.
    virtual Result<WrappedStanza> wrapWithAudience(const FileKey& fileKey) const = 0;
    Result<Stanza> wrap(const FileKey& fileKey) const;
};

/// What an identity says of one stanza.
enum class UnwrapOutcome {
    NotMine, // another type, or a stanza for another key
    Opened,  // fileKey and audience are set
};

struct Unwrapped {
    UnwrapOutcome outcome = UnwrapOutcome::NotMine;
    std::optional<FileKey> fileKey;
    AudienceTag audience; // who the opened stanza was for: this identity
};

class Identity {
public:
    virtual ~Identity() = default;
    /// Errors are for stanzas of this identity's type that are malformed
    /// (wrong body length, parameters over the ceilings) or, for passphrase
    /// identities, a passphrase that does not open it.
    virtual Result<Unwrapped> unwrap(const Stanza& stanza) const = 0;
};

using RecipientList = std::vector<std::unique_ptr<Recipient>>;
using IdentityList = std::vector<std::unique_ptr<Identity>>;

/// Wraps a fresh file key to every recipient and MACs the header.
struct SealedHeader {
    FileKey fileKey;
    Header header;
    std::string text;                  // the serialised header, ready to write
    std::vector<AudienceTag> audience; // one per new recipient, in stanza order
};
/// Headers are padded (FORMAT.md §3.4) to a multiple of 4 KiB with at least
/// kRekeyRoom bytes to spare: the payload starts block-aligned (so a rekey
/// can share its blocks by reflink), and a rekey that adds a few recipients
/// can rewrite the header in place (FORMAT.md §12.1).
inline constexpr std::size_t kHeaderAlignment = 4096;
inline constexpr std::size_t kRekeyRoom = 1024;
/// `version`: the format the payload holds (Header::version; kFormatV1 for
/// payloads that are not archives, such as the keyring file).
Result<SealedHeader> sealHeader(const RecipientList& recipients, std::uint8_t version = kFormatV1);
/// Re-wraps an existing file key (rekey: header rewritten, payload untouched).
/// `keep` stanzas are copied verbatim before the new recipients' stanzas (pad
/// stanzas among them are dropped). `exactLength` > 0 asks for a header of
/// exactly that many bytes (rekey in place); LimitExceeded if it cannot be.
/// `version`: the old header's (the payload's format does not change).
Result<SealedHeader> sealHeaderWithKey(FileKey fileKey, const RecipientList& recipients, std::vector<Stanza> keep = {},
                                       std::size_t exactLength = 0, std::uint8_t version = kFormatV1);

/// Finds the file key: tries every identity on every stanza, skips unknown
/// stanza types, then checks the header MAC (FORMAT.md §2.4). `openedBy`, if
/// given, receives the audience tag of the stanza that opened it (§5.7).
Result<FileKey> unwrapFileKey(const ParsedHeader& parsed, ByteView headerBytes, const IdentityList& identities,
                              AudienceTag* openedBy = nullptr);

} // namespace coffer::crypto
