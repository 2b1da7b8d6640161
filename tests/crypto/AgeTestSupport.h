// Helpers for the age tests: memory streams, and decrypting a whole file
// while keeping every byte the decryptor released (the test kit checks them
// even when decryption fails in the end).
#pragma once

#include "Bech32.h"
#include "Primitives.h"
#include "age/Age.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <string>

namespace coffer::tests {

/// A ByteSource over memory that hands out at most `maxRead` bytes per call, like a pipe.
class AgeMemorySource : public crypto::ByteSource {
public:
    AgeMemorySource(crypto::ByteView data, std::size_t maxRead = SIZE_MAX) : m_data(data), m_maxRead(maxRead) {}
    Result<std::size_t> read(crypto::MutableByteView buffer) override
    {
        const std::size_t n = std::min({buffer.size(), m_maxRead, m_data.size() - m_pos});
        if (n > 0)
            std::memcpy(buffer.data(), m_data.data() + m_pos, n);
        m_pos += n;
        return n;
    }

private:
    crypto::ByteView m_data;
    std::size_t m_maxRead;
    std::size_t m_pos = 0;
};

class AgeMemorySink : public crypto::ByteSink {
public:
    Status write(crypto::ByteView data) override
    {
        bytes.insert(bytes.end(), data.begin(), data.end());
        return Status::success();
    }
    crypto::Bytes bytes;
};

struct AgeOutcome {
    crypto::age::AgeFailure failure = crypto::age::AgeFailure::None; // None: read to the authenticated end
    std::optional<Error> error;
    crypto::Bytes released; // every byte read() gave, even before a failure
    std::vector<std::string> stanzaTypes;
};

/// Opens `file` and reads it to the end or the first error, `readSize` bytes at a time.
inline AgeOutcome decryptAge(crypto::ByteView file, const crypto::age::AgeKeys& keys, std::size_t readSize = 100000,
                             std::size_t maxRead = SIZE_MAX)
{
    AgeOutcome out;
    AgeMemorySource source(file, maxRead);
    crypto::age::AgeFailure why = crypto::age::AgeFailure::None;
    auto decryptor = crypto::age::AgeDecryptor::open(source, keys, &why);
    if (!decryptor.ok()) {
        out.failure = why;
        out.error = decryptor.error();
        EXPECT_NE(why, crypto::age::AgeFailure::None) << "open() failed without a failure class";
        return out;
    }
    out.stanzaTypes = (*decryptor)->stanzaTypes();
    crypto::Bytes buffer(readSize);
    while (true) {
        auto n = (*decryptor)->read(buffer);
        if (!n.ok()) {
            out.failure = (*decryptor)->failure();
            out.error = n.error();
            EXPECT_NE(out.failure, crypto::age::AgeFailure::None) << "read() failed without a failure class";
            return out;
        }
        if (*n == 0)
            return out;
        out.released.insert(out.released.end(), buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(*n));
    }
}

/// An AGE-SECRET-KEY-1... identity as the X25519 scalar; nullopt if it is not one.
inline std::optional<crypto::SecretArray<32>> ageIdentity(std::string_view text)
{
    auto data = crypto::bech32DecodeSecret(text, "age-secret-key-");
    if (!data || data->size() != 32)
        return std::nullopt;
    crypto::SecretArray<32> secret;
    std::copy(data->begin(), data->end(), secret.data());
    return secret;
}

} // namespace coffer::tests

namespace coffer::tests {

/// Encrypts `plain` to age, written in pieces of `writeSize` bytes.
inline crypto::Bytes encryptAge(crypto::ByteView plain, const crypto::age::AgeRecipients& recipients,
                                bool armor = false, std::size_t writeSize = 100000)
{
    AgeMemorySink sink;
    auto encryptor = crypto::age::AgeEncryptor::open(sink, recipients, armor);
    EXPECT_TRUE(encryptor.ok()) << encryptor.error().message;
    if (!encryptor.ok())
        return {};
    for (std::size_t at = 0; at < plain.size(); at += writeSize) {
        const Status st = (*encryptor)->write(plain.subspan(at, std::min(writeSize, plain.size() - at)));
        EXPECT_TRUE(st.ok()) << st.error().message;
    }
    const Status st = (*encryptor)->finish();
    EXPECT_TRUE(st.ok()) << st.error().message;
    return sink.bytes;
}

/// Pseudo-random bytes (not secret), so that a misplaced chunk is visible.
inline crypto::Bytes patternBytes(std::size_t size, std::uint32_t seed = 1)
{
    crypto::Bytes out(size);
    std::uint32_t x = seed * 2654435761u + 1;
    for (auto& b : out) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        b = static_cast<std::uint8_t>(x);
    }
    return out;
}

struct AgeTestKey {
    crypto::SecretArray<32> secret;
    crypto::PublicKey32 recipient{};
    static AgeTestKey generate()
    {
        AgeTestKey k;
        crypto::randomBytes(k.secret.mutableView());
        k.recipient = crypto::x25519PublicKey(k.secret);
        return k;
    }
    std::string identityText() const { return crypto::bech32Encode("age-secret-key-", secret.view(), true); }
    std::string recipientText() const { return crypto::bech32Encode("age", recipient); }
};

} // namespace coffer::tests
