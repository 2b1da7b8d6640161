// age v1 files (C2SP age.md; FORMAT.md §13): Coffer reads and writes them so
// that people who use age can share with Coffer users both ways. age is a
// different format from a Coffer container: one recipient list, one payload
// (STREAM: ChaCha20-Poly1305 over 64 KiB chunks, the last one flagged), no
// signature, no index, no compression. Everything here is Botan and C++ only.
#pragma once

#include "Armor.h"
#include "ByteStream.h"
#include "Primitives.h"
#include "Result.h"
#include "SecureMemory.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace coffer::crypto::age {

inline constexpr std::string_view kVersionLine = "age-encryption.org/v1";
inline constexpr std::string_view kArmorBegin = kAgeArmor.begin;
inline constexpr std::string_view kArmorEnd = kAgeArmor.end;
inline constexpr std::size_t kAgeChunkSize = 64 * 1024;
/// age's own ceiling for the scrypt work factor on decryption (log2 N).
inline constexpr int kMaxScryptWorkFactor = 22;
/// What Coffer writes for a passphrase: age's default (about 1 s here).
inline constexpr int kDefaultScryptWorkFactor = 18;

/// The keys that may open an age file: X25519 secret scalars (from age
/// identities and from Coffer identities alike: the same key, the age label)
/// and at most one passphrase.
struct AgeStanza;
/// Opens one X25519 stanza with keys this process does not hold (the key
/// agent's): the 16-byte file key, nullopt if none of them opens it.
using HeldAgeUnwrap = std::function<Result<std::optional<SecureBytes>>(const AgeStanza&)>;

struct AgeKeys {
    std::vector<SecretArray<32>> x25519;
    std::optional<SecureString> passphrase;
    int maxWorkFactor = kMaxScryptWorkFactor;
    /// Tried on an X25519 stanza after `x25519` (set when the keys are in the agent).
    HeldAgeUnwrap held;

    bool empty() const { return x25519.empty() && !passphrase && !held; }
};

/// Whom to encrypt an age file to: X25519 public keys, or one passphrase
/// alone (age.md: an scrypt stanza must be the only one).
struct AgeRecipients {
    std::vector<PublicKey32> x25519;
    std::optional<SecureString> passphrase;
    int workFactor = kDefaultScryptWorkFactor;
};

/// True if `start` (the first bytes of a file, at least 40 if the file has
/// them) begins like an age file, binary or armored. Says nothing about
/// whether it is well-formed.
bool looksLikeAge(ByteView start);

/// Why an age file could not be opened, for the caller's message. Errors
/// carry the usual ErrorCode too (Damaged, NoKeyMatched, WrongPassphrase,
/// UnsupportedVersion, LimitExceeded). NoMatch comes with NoKeyMatched,
/// WrongPassphrase (an scrypt stanza, a passphrase given) or
/// PassphraseNeeded (an scrypt stanza, none given: ask, then open again);
/// PostQuantum with UnsupportedVersion; WorkFactor with LimitExceeded; an
/// error of the input itself keeps its code (Io) under Header or Payload.
enum class AgeFailure {
    None,
    NoMatch,     // no identity opened any stanza (wrong key or passphrase)
    Header,      // the header breaks a rule of age.md
    HeaderMac,   // the header MAC does not verify
    Payload,     // a chunk fails, is truncated, or the nonce/flag rules are broken
    Armor,       // the ASCII armor breaks its strict rules
    PostQuantum, // only stanzas of post-quantum types this version cannot open
    WorkFactor,  // an scrypt work factor over the ceiling (refused before it is spent)
};

/// What an age file's header says without any key (added to the agreed
/// interface for `inspect` and the GUI, which show what a file needs before
/// asking for a key or passphrase; AgeDecryptor gives stanzaTypes() only once
/// a key opened the file). The header's syntax and the rules on X25519 and
/// scrypt stanzas are checked; the MAC cannot be without the file key.
struct AgeHeaderInfo {
    std::vector<std::string> stanzaTypes; // in order, e.g. {"X25519", "X25519"} or {"scrypt"}
    bool armored = false;
};
Result<AgeHeaderInfo> inspectAge(ByteSource& input, AgeFailure* why = nullptr);

/// Decrypts an age file as a stream. open() reads the header (undoing the
/// armor if there is one), finds the file key and checks the header MAC;
/// read() then gives plaintext that was authenticated chunk by chunk, and
/// fails (Damaged) on a bad chunk, a missing last chunk or trailing data. A
/// caller must treat everything read as unauthenticated until read()
/// returned 0 (end), which is the only proof the file was not truncated.
/// Chunks are opened on all cores.
class AgeDecryptor final : public ByteSource {
public:
    static Result<std::unique_ptr<AgeDecryptor>> open(ByteSource& input, const AgeKeys& keys,
                                                      AgeFailure* why = nullptr);
    ~AgeDecryptor() override;
    Result<std::size_t> read(MutableByteView buffer) override;
    /// The failure class of the last error from read(), for the vector test.
    AgeFailure failure() const;
    /// The stanza types of the header, in order (inspect).
    const std::vector<std::string>& stanzaTypes() const;

    struct Impl;

private:
    explicit AgeDecryptor(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

/// Encrypts to age v1: write() plaintext, then finish() (which writes the
/// final chunk, and the armor's end line). Chunks are sealed on all cores.
class AgeEncryptor final : public ByteSink {
public:
    static Result<std::unique_ptr<AgeEncryptor>> open(ByteSink& output, const AgeRecipients& recipients,
                                                      bool armor = false);
    ~AgeEncryptor() override;
    Status write(ByteView data) override;
    /// Reads exactly `size` bytes of plaintext from `source` into the chunks
    /// with no copy in between (StreamWriter::writeFrom).
    Status writeFrom(ByteSource& source, std::uint64_t size);
    Status finish();

    struct Impl;

private:
    explicit AgeEncryptor(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

} // namespace coffer::crypto::age
