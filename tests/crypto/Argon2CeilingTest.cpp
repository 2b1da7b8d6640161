// Argon2id cost ceilings (FORMAT.md §3.2, issue 17): parameters above what
// Coffer itself writes are announced before the derivation runs, and those
// above the ceilings are refused before any KDF work. Real Botan; the one
// derivation run here is kept cheap (one pass).
#include "PassphraseRecipient.h"

#include <gtest/gtest.h>

using namespace coffer;
using namespace coffer::crypto;

namespace {

Stanza argon2Stanza(std::uint32_t t, std::uint32_t m, std::uint32_t p)
{
    // The salt is the canonical base64 of 16 zero bytes; the body is the right
    // length, so only the parameters decide.
    return Stanza{std::string(kArgon2StanzaType),
                  {"AAAAAAAAAAAAAAAAAAAAAA", std::to_string(t), std::to_string(m), std::to_string(p)},
                  Bytes(48, 0x42)};
}

} // namespace

TEST(Argon2Cost, WhatCofferWritesIsUsualAndALittleMoreIsUnusual)
{
    EXPECT_EQ(argon2Cost(defaultArgon2Params()), Argon2Cost::Usual);
    EXPECT_EQ(argon2Cost({1, 8, 1}), Argon2Cost::Usual);
    EXPECT_EQ(argon2Cost({4, 256 * 1024, 1}), Argon2Cost::Unusual);
    EXPECT_EQ(argon2Cost({1, 256 * 1024 + 1, 1}), Argon2Cost::Unusual);
    EXPECT_EQ(argon2Cost({3, 1024 * 1024, 4}), Argon2Cost::Unusual); // exactly at every ceiling
    EXPECT_EQ(argon2Cost({12, 256 * 1024, 1}), Argon2Cost::Unusual);
}

TEST(Argon2Cost, BeyondTheCeilingsIsRefusedBeforeTheKdfRuns)
{
    // Each of these was allowed before (t <= 16, m <= 2 GiB, p <= 16) and
    // cost up to 40 s and 2 GiB. LimitExceeded comes only from the check that
    // precedes the derivation (a derivation that ran ends in WrongPassphrase),
    // and the notice, which would precede it, never comes.
    const std::vector<Argon2Params> over = {
        {1, 1024 * 1024 + 1, 1}, // memory over 1 GiB
        {4, 1024 * 1024, 1},     // t x m over 3 GiB passes
        {13, 8 * 1024, 1},       // passes over 12
        {1, 64, 5},              // lanes over 4
        {16, 2 * 1024 * 1024, 16},
    };
    for (const auto& params : over) {
        SCOPED_TRACE(std::to_string(params.passes) + " " + std::to_string(params.memoryKiB) + " " +
                     std::to_string(params.parallelism));
        EXPECT_EQ(argon2Cost(params), Argon2Cost::OverCeiling);
        bool noticed = false;
        PassphraseIdentity identity(SecureString("any passphrase"), [&](const Argon2Params&) { noticed = true; });
        auto result = identity.unwrap(argon2Stanza(params.passes, params.memoryKiB, params.parallelism));
        ASSERT_FALSE(result.ok());
        EXPECT_EQ(result.error().code, ErrorCode::LimitExceeded) << result.error().message;
        EXPECT_FALSE(noticed);
        // Nor may Coffer write them (FORMAT.md §3.2: never what a reader refuses).
        PassphraseRecipient recipient(SecureString("any passphrase"), params);
        auto wrapped = recipient.wrap(FileKey{});
        ASSERT_FALSE(wrapped.ok());
        EXPECT_EQ(wrapped.error().code, ErrorCode::InvalidArgument);
    }
}

TEST(Argon2Cost, AnUnusualCostIsAnnouncedBeforeTheDerivationAndStillOpens)
{
    const Argon2Params unusual{1, 256 * 1024 + 8, 1}; // one pass: cheap to test, yet above the usual memory
    PassphraseRecipient recipient(SecureString("correct horse"), unusual);
    FileKey key;
    key.mutableView()[0] = 7;
    auto stanza = recipient.wrap(key);
    ASSERT_TRUE(stanza.ok()) << stanza.error().message;
    ASSERT_EQ(argon2ParamsOf(*stanza).value().memoryKiB, unusual.memoryKiB);
    std::vector<Argon2Params> notices;
    PassphraseIdentity identity(SecureString("correct horse"), [&](const Argon2Params& p) { notices.push_back(p); });
    auto opened = identity.unwrap(*stanza);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    ASSERT_TRUE(opened->fileKey.has_value());
    EXPECT_EQ(opened->fileKey->view()[0], 7);
    ASSERT_EQ(notices.size(), 1u);
    EXPECT_EQ(notices[0].memoryKiB, unusual.memoryKiB);
    EXPECT_GT(argon2Seconds(unusual), 0.3);
}
