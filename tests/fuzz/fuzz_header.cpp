// Fuzz target: the container header parser (FORMAT.md §2). Every header that
// parses must re-serialise to exactly the bytes it was parsed from (the
// canonical-form rule), respect the limits of §2.2, and agree with
// findHeaderEnd. Stanzas that parse are also handed to the identities'
// stanza validation (§3), as a decryptor would.
#include "FuzzSupport.h"
#include "Header.h"
#include "PassphraseRecipient.h"
#include "Recipient.h"

#include <charconv>
#include <cstring>

using namespace coffer;
using namespace coffer::crypto;

namespace {

// Loose decimal: digits only. Whatever the real parser accepts, this accepts.
bool smallDecimal(const std::string& s, std::uint64_t limit)
{
    if (s.empty() || s.size() > 10)
        return false;
    std::uint64_t v = 0;
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    return ec == std::errc() && p == s.data() + s.size() && v <= limit;
}

// Only stanzas that would be refused before the KDF, or whose KDF is tiny,
// reach the passphrase identity: a fuzzer cannot afford 2 GiB of Argon2id.
bool cheapForPassphrase(const Stanza& s)
{
    if (s.type != kArgon2StanzaType || s.args.size() != 4)
        return true;
    const auto digitsOnly = [](const std::string& a) {
        return !a.empty() && a.size() <= 10 && a.find_first_not_of("0123456789") == std::string::npos;
    };
    if (!digitsOnly(s.args[1]) || !digitsOnly(s.args[2]) || !digitsOnly(s.args[3]))
        return true; // refused as malformed before any work
    return smallDecimal(s.args[1], 2) && smallDecimal(s.args[2], 64) && smallDecimal(s.args[3], 4);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const ByteView in(data, size);
    const auto end = findHeaderEnd(in);
    auto parsed = parseHeader(in);
    if (!parsed.ok()) {
        FUZZ_CHECK(!parsed.error().message.empty());
        return 0;
    }
    const ParsedHeader& p = *parsed;

    // Canonical form: serialise(parse(b)) == b, and the MAC input is its prefix up to "---".
    const std::string again = serialiseHeader(p.header);
    FUZZ_CHECK(again.size() == p.length);
    FUZZ_CHECK(p.length <= size && std::memcmp(again.data(), data, p.length) == 0);
    const std::string macInput = serialiseHeaderForMac(p.header);
    FUZZ_CHECK(macInput.size() == p.macInputLength);
    FUZZ_CHECK(std::memcmp(macInput.data(), data, macInput.size()) == 0);
    FUZZ_CHECK(end.has_value() && *end == p.length);

    // Limits (§2.2).
    FUZZ_CHECK(p.length <= kMaxHeaderSize);
    FUZZ_CHECK(!p.header.stanzas.empty() && p.header.stanzas.size() <= kMaxStanzas);
    for (const auto& s : p.header.stanzas) {
        FUZZ_CHECK(s.args.size() <= kMaxStanzaArgs);
        FUZZ_CHECK(s.body.size() <= kMaxStanzaBody);
    }

    // parse(serialise(h)) == h.
    auto reparsed = parseHeader(asBytes(again));
    FUZZ_CHECK(reparsed.ok());
    FUZZ_CHECK(reparsed->header.stanzas == p.header.stanzas);
    FUZZ_CHECK(reparsed->header.mac == p.header.mac);
    FUZZ_CHECK(reparsed->length == p.length && reparsed->macInputLength == p.macInputLength);

    // What a decryptor does next: each identity validates the stanzas of its type.
    static const IdentityList x25519 = fuzz::fixedIdentities();
    auto key = unwrapFileKey(p, in, x25519);
    // The fixed key opens a stanza only if the input was made for it; then the MAC decides.
    if (key.ok())
        FUZZ_CHECK(verifyHeaderMac(*key, in.first(p.macInputLength), p.header.mac).ok());
    static const PassphraseIdentity passphrase(SecureString("fuzz passphrase"));
    for (const auto& s : p.header.stanzas)
        if (cheapForPassphrase(s))
            (void)passphrase.unwrap(s);
    return 0;
}
