// DESIGN §3: the secret key is "never written to disk except inside the
// encrypted keyring, or on explicit export". After a whole session through
// the CLI (create, add a contact, encrypt signed, decrypt, export to stdout),
// no file anywhere under the session's folders (COFFER_HOME, HOME, TMPDIR,
// inputs and outputs, the keyring and its backup included) holds the secret:
// neither its text form nor its raw 32-byte keys, in binary, hex or base64.
#include "KeyringHarness.h"

#include "Base64.h"
#include "Bech32.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>

using namespace coffer;
using namespace coffer::test;
using namespace coffer::test::keyring;

namespace {

std::string hex(crypto::ByteView bytes, bool upper)
{
    const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    std::string s;
    for (const auto b : bytes) {
        s += digits[b >> 4];
        s += digits[b & 15];
    }
    return s;
}

std::string lower(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

/// The forms a leaked secret could take on disk.
std::vector<std::pair<std::string, std::string>> secretForms(const std::string& secretText)
{
    std::vector<std::pair<std::string, std::string>> forms{{"secret key text", secretText},
                                                           {"secret key text, lower case", lower(secretText)}};
    const auto decoded = crypto::bech32Decode(secretText);
    EXPECT_TRUE(decoded.has_value());
    if (!decoded)
        return forms;
    EXPECT_EQ(decoded->data.size(), 65u);
    const crypto::ByteView data(decoded->data);
    const std::pair<std::string, crypto::ByteView> raws[] = {
        {"X25519 secret", data.subspan(1, 32)}, {"Ed25519 seed", data.subspan(33, 32)}, {"secret key data", data}};
    for (const auto& [what, bytes] : raws) {
        forms.emplace_back(what + " (binary)", std::string(bytes.begin(), bytes.end()));
        forms.emplace_back(what + " (hex)", hex(bytes, false));
        forms.emplace_back(what + " (HEX)", hex(bytes, true));
        std::string b64 = crypto::base64Encode(bytes); // canonical unpadded
        forms.emplace_back(what + " (base64)", b64);
    }
    return forms;
}

} // namespace

TEST(KeyringNoSecretOnDisk, SecretKeyAppearsInNoFileAfterAFullSession)
{
    TempDir root;
    for (const char* d : {"home", "tmp", "coffer-home", "work"})
        fs::create_directories(root / d);
    writeFile(root / "pass", kPassphrase + "\n");
    const std::string coffer = "HOME=" + q(root / "home") + " TMPDIR=" + q(root / "tmp") +
                               " COFFER_HOME=" + q(root / "coffer-home") + " " + cofferCommand();
    const std::string pass = " --keyring-passphrase-file " + q(root / "pass");

    const Outcome created = shell(coffer + " id create --name Kim" + pass);
    ASSERT_EQ(created.code, kExitOk) << created.output;
    const std::string myCard = "coffer1" + lineAfter(created.output, "coffer1");

    const auto lee = crypto::SecretIdentity::generate("Lee");
    const Outcome added = shell(coffer + " contacts add " + shellQuote(lee.card()->encode()) + pass);
    ASSERT_EQ(added.code, kExitOk) << added.output;

    writeFile(root / "work" / "docs" / "plan.txt", "the plan\n");
    const Outcome enc = shell(coffer + " encrypt -r Lee -r " + shellQuote(myCard) + " -o " +
                              q(root / "work" / "plan.coffer") + " " + q(root / "work" / "docs") + pass);
    ASSERT_EQ(enc.code, kExitOk) << enc.output;
    const Outcome dec =
        shell(coffer + " decrypt -o " + q(root / "work" / "out") + " " + q(root / "work" / "plan.coffer") + pass);
    ASSERT_EQ(dec.code, kExitOk) << dec.output;
    EXPECT_TRUE(contains(dec.output, "signed by you")) << dec.output;

    // The explicit export goes to standard output (captured here in memory), with a warning.
    const Outcome exported = shell(coffer + " id export" + pass);
    ASSERT_EQ(exported.code, kExitOk) << exported.output;
    EXPECT_TRUE(contains(exported.output, "warning: this is your SECRET key")) << exported.output;
    const std::string secret = "COFFER-SECRET-KEY-1" + lineAfter(exported.output, "COFFER-SECRET-KEY-1");
    ASSERT_GT(secret.size(), 100u) << exported.output;
    auto identity = crypto::SecretIdentity::decode(secret);
    ASSERT_TRUE(identity.ok()) << identity.error().message;
    auto card = crypto::ContactCard::decode(myCard);
    ASSERT_TRUE(card.ok());
    ASSERT_TRUE(identity->card()->sameKeys(*card)) << "the export is not the identity that was created";

    const auto forms = secretForms(secret);
    ASSERT_GE(forms.size(), 11u);
    std::vector<std::string> searched;
    for (const auto& rel : listTree(root.path())) {
        if (rel.back() == '/')
            continue;
        searched.push_back(rel);
        const std::string content = readFile(root / rel);
        for (const auto& [what, needle] : forms)
            EXPECT_EQ(content.find(needle), std::string::npos) << what << " found in " << rel;
    }
    // The search did cover the keyring, its backup and the container.
    for (const char* must : {"coffer-home/data/keyring.coffer", "coffer-home/data/keyring.coffer.bak",
                             "work/plan.coffer", "work/out/docs/plan.txt"})
        EXPECT_NE(std::find(searched.begin(), searched.end(), must), searched.end()) << must;
    EXPECT_TRUE(listTree(root / "home").empty());
    EXPECT_TRUE(listTree(root / "tmp").empty());
}
