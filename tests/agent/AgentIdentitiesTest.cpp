// The key agent holding several identities (issue 23, KEYRING.md "Several
// identities", AGENT.md "Sign"): it opens what is sent to any of them and
// signs as the one a request names by its Ed25519 key; a key it does not hold
// is refused. Real processes, a real socket, real Botan.
#include "AgentClient.h"
#include "AgentHarness.h"
#include "AgentProtocol.h"
#include "Signature.h"

using namespace coffer;
using namespace coffer::agent;
using namespace coffer::test;
using namespace coffer::test::agent;

namespace {

const std::string kLetter = "Dear Work, the budget is due on Friday.\n";

/// Alice's keyring gets a second identity, Work, beside her own.
crypto::SecretIdentity addWork(const AgentUser& u)
{
    auto work = crypto::SecretIdentity::generate("Work");
    auto store = u.person.store();
    auto updated = store.update(secret(kPassphrase), [&](Keyring& k) { return k.addIdentity(work.clone()); });
    EXPECT_TRUE(updated.ok()) << updated.error().message;
    return work;
}

} // namespace

TEST(AgentIdentities, TheAgentHoldingBothOpensForTheSecondAndSignsAsIt)
{
    AgentUser u;
    const auto work = addWork(u);
    writeFile(u.root / "letter.txt", kLetter);
    // Bob's letter to Work (unsigned, made without any keyring).
    const fs::path letter = u.root / "to-work.coffer";
    const Outcome sent =
        shell("env COFFER_HOME=" + q(u.root / "bob-home") + " " + cofferCommand() + " encrypt --no-sign -r " +
              shellQuote(work.card()->encode()) + " -o " + q(letter) + " " + q(u.root / "letter.txt"));
    ASSERT_EQ(sent.code, kExitOk) << sent.output;

    ASSERT_EQ(u.unlock("--idle-timeout 600").code, kExitOk);
    const Outcome list = u.run("id list");
    ASSERT_EQ(list.code, kExitOk) << list.output;
    EXPECT_TRUE(contains(list.output, "* Alice\t")) << list.output;
    EXPECT_TRUE(contains(list.output, "  Work\t" + work.card()->fingerprint())) << list.output;

    const Outcome opened = u.run("decrypt -o " + q(u.root / "out") + " " + q(letter));
    ASSERT_EQ(opened.code, kExitOk) << opened.output;
    EXPECT_EQ(readFile(u.root / "out" / "letter.txt"), kLetter);

    const fs::path signedAsWork = u.root / "signed.coffer";
    const Outcome enc = u.run("encrypt --sign-as work -r Bob -r " + shellQuote(u.identity.card()->encode()) + " -o " +
                              q(signedAsWork) + " " + q(u.root / "letter.txt"));
    ASSERT_EQ(enc.code, kExitOk) << enc.output;
    const Outcome read = u.run("list " + q(signedAsWork));
    ASSERT_EQ(read.code, kExitOk) << read.output;
    EXPECT_TRUE(contains(read.output, "signed by you (Work)")) << read.output;
    // And without the agent, from the keyring itself, the same.
    EXPECT_TRUE(contains(u.runWithPassphrase("list " + q(signedAsWork)).output, "signed by you (Work)"));
}

TEST(AgentIdentities, ASignRequestNamingAKeyTheAgentDoesNotHoldIsRefused)
{
    AgentUser u;
    const auto work = addWork(u);
    ASSERT_EQ(u.unlock("--idle-timeout 600").code, kExitOk);
    const auto message = crypto::indexSignatureMessage(crypto::Bytes{1, 2, 3});
    const crypto::PublicKey32 workKey = work.card()->ed25519;
    const crypto::PublicKey32 strangerKey = crypto::SecretIdentity::generate("Mallory").card()->ed25519;

    // Work's key: a signature by Work.
    crypto::SecureBytes asWork(message.begin(), message.end());
    asWork.insert(asWork.end(), workKey.begin(), workKey.end());
    auto signedReply = askAgent(u.socket(), {AgentOp::Sign, asWork});
    ASSERT_TRUE(signedReply.ok()) << signedReply.error().message;
    ASSERT_EQ(signedReply->op, AgentOp::Ok);
    crypto::Signature64 sig{};
    ASSERT_EQ(signedReply->payload.size(), sig.size());
    std::copy(signedReply->payload.begin(), signedReply->payload.end(), sig.begin());
    EXPECT_TRUE(crypto::ed25519Verify(workKey, message, sig));

    // A stranger's key, or a key of the wrong length: refused, nothing signed.
    crypto::SecureBytes asStranger(message.begin(), message.end());
    asStranger.insert(asStranger.end(), strangerKey.begin(), strangerKey.end());
    auto refused = askAgent(u.socket(), {AgentOp::Sign, asStranger});
    ASSERT_TRUE(refused.ok()) << refused.error().message;
    EXPECT_EQ(refused->op, AgentOp::Failed);
    const std::string why(refused->payload.begin(), refused->payload.end());
    EXPECT_NE(why.find("holds no identity with that key"), std::string::npos) << why;
    crypto::SecureBytes cut(asWork.begin(), asWork.end() - 1);
    auto short_ = askAgent(u.socket(), {AgentOp::Sign, cut});
    ASSERT_TRUE(short_.ok());
    EXPECT_EQ(short_->op, AgentOp::Failed);

    // The CLI says the same in its words.
    const Outcome unknown =
        u.run("encrypt --sign-as Mallory -r Bob -o " + q(u.root / "x.coffer") + " " + q(u.root / "run"));
    EXPECT_EQ(unknown.code, kExitUsage) << unknown.output;
    EXPECT_FALSE(fs::exists(u.root / "x.coffer"));
}
