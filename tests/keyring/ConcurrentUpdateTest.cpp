// Several Coffer processes changing one keyring at the same time (DESIGN §3:
// "guarded by a lock so two instances cannot clobber it"): two processes
// started at once, each adding five contacts one after the other, so every
// add races with one from the other process. Each add reloads under the
// lock, so all ten contacts are there at the end and every add succeeded.
//
// Each save holds the lock for two full Argon2id runs at the default
// settings (reload, then save), and the ten saves queue up behind each
// other: about 25 s on an idle 2-core machine, up to a minute under load.
// (Ten processes at once also work since the lock wait became 120 s, but
// the last one then waits for nine saves and QLockFile's polling back-off,
// up to 6.4 s, so that form is too slow and load-sensitive for the suite.)
#include "KeyringHarness.h"

#include <gtest/gtest.h>

#include <algorithm>

using namespace coffer;
using namespace coffer::test;
using namespace coffer::test::keyring;

TEST(KeyringConcurrentUpdate, TwoProcessesAddingContactsAtTheSameTimeLoseNone)
{
    constexpr int kProcesses = 2;
    constexpr int kAddsEach = 5;
    TempDir root;
    const Person owner(root.path(), "owner");
    ASSERT_NO_FATAL_FAILURE(createKeyring(owner, crypto::SecretIdentity::generate("Owner")));

    // Process P adds Friend<P>-0 ... Friend<P>-4 in sequence and logs each exit status.
    std::string script;
    std::vector<std::string> expected;
    for (int p = 0; p < kProcesses; ++p) {
        script += "(\n";
        for (int i = 0; i < kAddsEach; ++i) {
            const std::string name = "Friend" + std::to_string(p) + "-" + std::to_string(i);
            expected.push_back(name);
            script += "  COFFER_HOME=" + q(owner.home) + " " + cofferCommand() + " contacts add " +
                      shellQuote(crypto::SecretIdentity::generate().card()->encode()) + " --name " + name +
                      " --keyring-passphrase-file " + q(owner.passFile) + " >> " + q(root / ("log" + name)) +
                      " 2>&1; echo \"" + name + " $?\" >> " + q(root / ("status" + std::to_string(p))) + "\n";
        }
        script += ") &\n";
    }
    script += "wait\n";
    writeFile(root / "add-all.sh", script);
    const Outcome all = shell("sh " + q(root / "add-all.sh"));
    ASSERT_EQ(all.code, 0) << all.output;

    for (const auto& name : expected) {
        const std::string status = readFile(root / ("status" + name.substr(6, 1)));
        EXPECT_TRUE(contains(status, name + " 0\n")) << name << ": " << readFile(root / ("log" + name));
    }

    std::vector<std::string> names = contactNames(loadKeyring(owner));
    std::sort(names.begin(), names.end());
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(names, expected);

    // No lock file, no half-written keyring left behind.
    EXPECT_EQ(listTree(owner.dataDir()), (std::vector<std::string>{"keyring.coffer", "keyring.coffer.bak"}));
}
