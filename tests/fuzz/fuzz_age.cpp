// Fuzz target: a whole age file, binary or armored (C2SP age.md; FORMAT.md
// §13). A header that parses re-encodes to exactly the bytes it came from
// (canonical form, so the MAC covers what was read). Then the file is
// decrypted with the age test kit's public X25519 identity and its
// passphrase (scrypt capped at work factor 10, which the kit uses, so the
// fuzzer stays fast): every failure has a class and a message, read() fails
// for good once it failed, and never releases more bytes than came in.
#include "FuzzSupport.h"
#include "age/Age.h"
#include "age/AgeHeader.h"

#include <cstring>

using namespace coffer;
using namespace coffer::crypto;
using namespace coffer::crypto::age;

namespace {

class Source final : public ByteSource {
public:
    explicit Source(ByteView data) : m_data(data) {}
    Result<std::size_t> read(MutableByteView buffer) override
    {
        const std::size_t n = std::min(buffer.size(), m_data.size() - m_pos);
        if (n > 0)
            std::memcpy(buffer.data(), m_data.data() + m_pos, n);
        m_pos += n;
        return n;
    }

private:
    ByteView m_data;
    std::size_t m_pos = 0;
};

// The kit's X25519 vector identity (tests/vectors/cctv-age/testdata/x25519): public test data.
AgeKeys kitKeys()
{
    AgeKeys keys;
    auto secret = bech32DecodeSecret("AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0",
                                     "age-secret-key-");
    if (!secret || secret->size() != 32)
        std::abort();
    keys.x25519.emplace_back();
    std::memcpy(keys.x25519.back().data(), secret->data(), 32);
    keys.passphrase = SecureString("password");
    keys.maxWorkFactor = 10;
    return keys;
}

void checkCanonicalHeader(ByteView in)
{
    Source source(in);
    LineSource lines(source);
    AgeFailure why = AgeFailure::None;
    auto header = parseHeader(lines, why);
    if (!header.ok()) {
        FUZZ_CHECK(why == AgeFailure::Header && !header.error().message.empty());
        return;
    }
    const std::string again = encodeHeaderForMac(header->stanzas);
    FUZZ_CHECK(again.size() == header->macInput.size());
    FUZZ_CHECK(std::memcmp(again.data(), header->macInput.data(), again.size()) == 0);
    FUZZ_CHECK(again.size() <= in.size() && std::memcmp(again.data(), in.data(), again.size()) == 0);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const ByteView in(data, size);
    checkCanonicalHeader(in);
    static const AgeKeys keys = kitKeys();
    Source source(in);
    AgeFailure why = AgeFailure::None;
    auto decryptor = AgeDecryptor::open(source, keys, &why);
    if (!decryptor.ok()) {
        FUZZ_CHECK(why != AgeFailure::None && !decryptor.error().message.empty());
        return 0;
    }
    Bytes buffer(10000);
    std::size_t released = 0;
    while (true) {
        auto n = (*decryptor)->read(buffer);
        if (!n.ok()) {
            FUZZ_CHECK((*decryptor)->failure() != AgeFailure::None);
            FUZZ_CHECK(!(*decryptor)->read(buffer).ok()); // once failed, always failed
            break;
        }
        if (*n == 0)
            break;
        released += *n;
        FUZZ_CHECK(released <= size);
    }
    return 0;
}
