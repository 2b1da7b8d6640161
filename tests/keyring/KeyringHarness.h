// Helpers for the keyring suites: people (identities in memory, keyrings on
// disk under their own COFFER_HOME) and the real `coffer` executable run as
// a script would run it, with --keyring-passphrase-file.
//
// Cost note: the CLI saves the keyring with the default Argon2id settings
// (about a second on the reference machine), so every CLI command that
// unlocks or saves a keyring costs that much. Keyrings made here in C++ use
// cheap settings (kCheapKdf) and open instantly until the CLI saves them.
#pragma once

#include "KeyringStore.h"
#include "PassphraseRecipient.h"
#include "TestSupport.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

namespace coffer::test::keyring {

namespace fs = std::filesystem;

// The exit codes documented in `coffer --help` (app/cli/Cli.cpp).
inline constexpr int kExitOk = 0;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitNoKey = 3;
inline constexpr int kExitDamaged = 4;

inline const crypto::Argon2Params kCheapKdf{1, 8 * 1024, 1};
inline const std::string kPassphrase = "correct horse battery staple";

inline crypto::SecureString secret(std::string_view s)
{
    return crypto::SecureString(s.begin(), s.end());
}

/// The identities a passphrase alone gives.
inline crypto::IdentityList byPassphrase(std::string_view p)
{
    crypto::IdentityList list;
    list.push_back(std::make_unique<crypto::PassphraseIdentity>(secret(p)));
    return list;
}

inline std::string q(const fs::path& p)
{
    return shellQuote(p.string());
}
inline std::string cofferCommand()
{
    return shellQuote(COFFER_BINARY);
}

struct Outcome {
    int code = -1;
    std::string output; // stdout and stderr, merged
};

inline Outcome shell(const std::string& command)
{
    Outcome r;
    r.code = runCommand(command, &r.output);
    return r;
}

/// One user of the CLI: a COFFER_HOME of their own and a passphrase file.
struct Person {
    Person(const fs::path& root, const std::string& who) : home(root / who), passFile(root / (who + ".pass"))
    {
        fs::create_directories(home);
        writeFile(passFile, kPassphrase + "\n");
    }

    fs::path home;
    fs::path passFile;

    fs::path dataDir() const { return home / "data"; }
    KeyringStore store() const
    {
        KeyringStore s(dataDir());
        s.setKdfParams(kCheapKdf);
        return s;
    }
    /// `coffer ARGS` as this person (ARGS already quoted), keyring passphrase from the file.
    Outcome run(const std::string& args) const
    {
        return shell("COFFER_HOME=" + q(home) + " " + cofferCommand() + " " + args + " --keyring-passphrase-file " +
                     q(passFile));
    }
};

/// The keyring as saved on disk (opened with the test passphrase).
inline Keyring loadKeyring(const Person& p)
{
    auto loaded = p.store().load(crypto::SecureString(kPassphrase.begin(), kPassphrase.end()));
    EXPECT_TRUE(loaded.ok()) << (loaded.ok() ? "" : loaded.error().message);
    if (!loaded.ok())
        return Keyring();
    EXPECT_FALSE(loaded->fromBackup);
    return std::move(loaded->keyring);
}

/// Creates `p`'s keyring in C++ (cheap KDF) around `identity`.
inline void createKeyring(const Person& p, const crypto::SecretIdentity& identity,
                          const std::vector<Contact>& contacts = {})
{
    Keyring k;
    k.setIdentity(identity.clone());
    for (const auto& c : contacts)
        ASSERT_TRUE(k.addContact(c).ok());
    auto store = p.store();
    const auto st = store.create(k, crypto::SecureString(kPassphrase.begin(), kPassphrase.end()));
    ASSERT_TRUE(st.ok()) << st.error().message;
}

inline Contact contactFor(const std::string& name, const crypto::SecretIdentity& id, bool verified = false)
{
    Contact c;
    c.name = name;
    c.recipient = crypto::RecipientKey(id.x25519Public(), id.card());
    c.key = id.card() ? id.card()->encode() : crypto::encodeAgeRecipient(id.x25519Public());
    c.verified = verified;
    return c;
}

inline std::vector<std::string> contactNames(const Keyring& k)
{
    std::vector<std::string> names;
    for (const auto& c : k.contacts())
        names.push_back(c.name);
    return names;
}

/// The value after "PREFIX" on the first line that starts with it ("" if none).
inline std::string lineAfter(const std::string& text, const std::string& prefix)
{
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);)
        if (line.rfind(prefix, 0) == 0)
            return line.substr(prefix.size());
    return {};
}

inline bool contains(const std::string& text, const std::string& needle)
{
    return text.find(needle) != std::string::npos;
}

} // namespace coffer::test::keyring
