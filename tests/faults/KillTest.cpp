// SIGKILL at random moments (DESIGN §4): the real `coffer` executable is
// killed at a uniformly random time during encrypt, extract (both readers),
// keyring save (`contacts add`) and in-place rekey (COFFER_KILL_TRIALS times
// each, default 50), and after every kill:
//   - the sources are untouched;
//   - a file at an output name is complete and authentic (it is decrypted, or
//     opened, and compared);
//   - leftovers (".part", a ".coffer-extract-" staging folder) are counted, and extraction's are
//     gone after the next run;
//   - the keyring is the old or the new version (its contacts counted), and
//     opens without falling back to the backup.
// The counts are printed. COFFER_SKIP_SLOW=1 skips this suite (CTest label
// "slow"); COFFER_KILL_TRIALS=200 is the full campaign (about 5 minutes).
#include "FaultSupport.h"
#include "KeyringStore.h"

#include <map>

using namespace coffer;
using namespace coffer::test;
using namespace coffer::test::faults;

namespace {

constexpr std::size_t kMiB = 1024 * 1024;

// 50 per kind by default (200 in all, about a minute and a half): the keyring's
// trials each cost an Argon2id run, and 200 of every kind take over 5 minutes.
// The full campaign: COFFER_KILL_TRIALS=200.
int trials()
{
    const char* v = std::getenv("COFFER_KILL_TRIALS");
    return v && *v ? std::max(1, std::atoi(v)) : 50;
}

/// Runs `args` and kills it after a random delay in [0, maxSeconds).
/// Returns true if the kill landed while it ran.
bool runAndKill(const std::vector<std::string>& args, const RunOptions& o, double maxSeconds, std::mt19937_64& rng)
{
    std::uniform_real_distribution<double> delay(0.0, maxSeconds);
    Child child(args, o);
    std::this_thread::sleep_for(std::chrono::duration<double>(delay(rng)));
    const bool running = child.running();
    if (running)
        child.kill(SIGKILL);
    child.wait();
    return running;
}

/// How long `args` takes when left alone (the window the kills are spread over).
double calibrate(const std::vector<std::string>& args, const RunOptions& o, const std::function<void()>& reset)
{
    reset();
    Child child(args, o);
    EXPECT_EQ(child.wait(), kExitOk) << child.err();
    return child.seconds();
}

class KillTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        if (skipSlow())
            GTEST_SKIP() << "COFFER_SKIP_SLOW is set";
        key = makeKey(root / "me.key");
        other = makeKey(root / "other.key");
        // The sources: small files, a compressible one, one big enough to take a while.
        writeFile(root / "src" / "a.txt", "first file\n");
        writeFile(root / "src" / "sub" / "b.txt", "second file, in a folder\n");
        std::string text;
        for (int i = 0; i < 40000; ++i)
            text += "line " + std::to_string(i) + " of a compressible file\n";
        writeFile(root / "src" / "sub" / "c.txt", text);
        writeRandomFile(root / "src" / "big.bin", 12 * kMiB, 3);
        source = contents(root / "src");
        seed = std::random_device{}();
        rng.seed(seed);
        std::printf("[ info     ] random seed %llu\n", static_cast<unsigned long long>(seed));
    }
    RunOptions opts() const
    {
        RunOptions o;
        o.env = {"COFFER_HOME=" + (root / "home").string()};
        return o;
    }
    /// Decrypts `container` with `k` into a fresh folder; the content must be the sources.
    bool decryptsToSource(const fs::path& container, const Key& k)
    {
        wipeDeep(root / "verify");
        const Outcome r =
            runCoffer({"decrypt", "-i", k.file.string(), "-o", (root / "verify").string(), container.string()}, opts());
        const bool same = r.code == kExitOk && contents(root / "verify" / "src") == source;
        wipeDeep(root / "verify");
        return same;
    }

    TempDir root;
    Key key, other;
    std::vector<std::pair<std::string, std::string>> source;
    std::uint64_t seed = 0;
    std::mt19937_64 rng;
};

TEST_F(KillTest, Encrypt)
{
    const fs::path out = root / "enc";
    const std::vector<std::string> args = {
        "encrypt", "-r", key.card, "--no-sign", "-o", (out / "x.coffer").string(), (root / "src").string()};
    const double window = 1.1 * calibrate(args, opts(), [&] {
                              wipeDeep(out);
                              fs::create_directories(out);
                          });
    int killed = 0, complete = 0, partLeft = 0, partCleanedNext = 0, partCheckedNext = 0;
    for (int i = 0; i < trials(); ++i) {
        wipeDeep(out);
        fs::create_directories(out);
        killed += runAndKill(args, opts(), window, rng);
        ASSERT_TRUE(contents(root / "src") == source) << "trial " << i << ": the sources changed";
        bool part = false;
        for (const auto& rel : listTree(out)) {
            if (rel == "x.coffer") {
                ASSERT_TRUE(decryptsToSource(out / rel, key)) << "trial " << i << ": x.coffer is not complete";
                ++complete;
            } else if (rel == "x.coffer.part") {
                part = true;
            } else {
                FAIL() << "trial " << i << ": unexpected \"" << rel << "\" after the kill";
            }
        }
        partLeft += part;
        if (part) {
            // The next run removes what the killed one left: Coffer marks its
            // partial outputs (an extended attribute) and locks them while it
            // writes, so an unlocked marked NAME.part is stale.
            ++partCheckedNext;
            fs::remove(out / "x.coffer");
            const Outcome again = runCoffer(args, opts());
            ASSERT_EQ(again.code, kExitOk) << again.err;
            partCleanedNext += !fs::exists(out / "x.coffer.part");
            ASSERT_EQ(listTree(out), std::vector<std::string>{"x.coffer"}) << "trial " << i;
        }
    }
    std::printf("[ counts   ] encrypt: %d trials, %d killed while running, %d complete outputs (all decrypted and "
                "equal), %d left x.coffer.part; the next run removed it in %d of %d\n",
                trials(), killed, complete, partLeft, partCleanedNext, partCheckedNext);
    RecordProperty("killed", killed);
    RecordProperty("part_left", partLeft);
}

TEST_F(KillTest, Extract)
{
    const fs::path container = root / "c.coffer";
    ASSERT_EQ(
        runCoffer({"encrypt", "-r", key.card, "--no-sign", "-o", container.string(), (root / "src").string()}, opts())
            .code,
        kExitOk);
    const fs::path dest = root / "dest";
    auto argsFor = [&](bool stream, bool force) {
        std::vector<std::string> a = {"decrypt", "-i", key.file.string(), "-o", dest.string()};
        if (force)
            a.push_back("--force");
        a.push_back(stream ? "-" : container.string());
        return a;
    };
    auto optsFor = [&](bool stream) {
        RunOptions o = opts();
        if (stream)
            o.stdinFile = container;
        return o;
    };
    const auto reset = [&] {
        wipeDeep(dest);
        fs::create_directories(dest);
    };
    const double windowFile = 1.1 * calibrate(argsFor(false, false), optsFor(false), reset);
    const double windowStream = 1.1 * calibrate(argsFor(true, false), optsFor(true), reset);
    std::map<bool, int> killed, partialFiles, tempsLeft, tempsCleaned;
    for (int i = 0; i < trials(); ++i) {
        const bool stream = i % 2 == 1;
        reset();
        killed[stream] += runAndKill(argsFor(stream, false), optsFor(stream), stream ? windowStream : windowFile, rng);
        // Whatever has its final name is complete and authentic.
        const auto temps = temporaries(dest);
        int finals = 0;
        for (const auto& rel : listTree(dest)) {
            if (rel.back() == '/' || std::find(temps.begin(), temps.end(), rel) != temps.end())
                continue;
            const auto it =
                std::find_if(source.begin(), source.end(), [&](const auto& s) { return "src/" + s.first == rel; });
            ASSERT_NE(it, source.end()) << "trial " << i << ": unexpected \"" << rel << "\"";
            ASSERT_TRUE(readFile(dest / rel) == it->second) << "trial " << i << ": \"" << rel << "\" is not complete";
            ++finals;
        }
        partialFiles[stream] += finals > 0;
        if (!temps.empty()) {
            ++tempsLeft[stream];
            // The next extraction into the same folder removes the leftovers.
            const Outcome again = runCoffer(argsFor(stream, true), optsFor(stream));
            ASSERT_EQ(again.code, kExitOk) << again.err;
            EXPECT_TRUE(temporaries(dest).empty())
                << "trial " << i << ": the next run left " << ::testing::PrintToString(temporaries(dest));
            tempsCleaned[stream] += temporaries(dest).empty();
            EXPECT_TRUE(contents(dest / "src") == source) << "trial " << i;
        }
    }
    for (const bool stream : {false, true})
        std::printf("[ counts   ] extract (%s reader): %d trials, %d killed while running, %d with some files already "
                    "in place (all complete), %d left temporaries, %d of them cleaned by the next run\n",
                    stream ? "stream" : "file", trials() / 2 + (stream ? 0 : trials() % 2), killed[stream],
                    partialFiles[stream], tempsLeft[stream], tempsCleaned[stream]);
}

TEST_F(KillTest, KeyringSave)
{
    const fs::path home = root / "kr-home";
    const fs::path data = home / "data";
    writeFile(root / "pass", "keyring passphrase\n");
    const crypto::SecureString pass("keyring passphrase");
    RunOptions o;
    o.env = {"COFFER_HOME=" + home.string()};
    // The identity once, through the CLI (one Argon2id run at the real cost).
    ASSERT_EQ(
        runCoffer({"id", "create", "--name", "Me", "--keyring-passphrase-file", (root / "pass").string()}, o).code,
        kExitOk);
    // The "old" keyring of every trial: that identity and two contacts, saved with
    // cheap Argon2id settings (a test-only knob) so that opening it costs nothing;
    // the CLI's save writes the real settings.
    constexpr std::size_t kOld = 2;
    {
        auto loaded = KeyringStore(data).load(pass);
        ASSERT_TRUE(loaded.ok()) << loaded.error().message;
        for (std::size_t c = 0; c < kOld; ++c) {
            const Key k = makeKey(root / ("contact" + std::to_string(c) + ".key"));
            auto recipient = crypto::parseRecipientKey(k.card);
            ASSERT_TRUE(recipient.ok());
            ASSERT_TRUE(loaded->keyring.addContact(Contact{"Contact " + std::to_string(c), k.card, *recipient}).ok());
        }
        wipeDeep(root / "cheap");
        KeyringStore cheap(root / "cheap");
        cheap.setKdfParams(crypto::Argon2Params{1, 64, 1});
        ASSERT_TRUE(cheap.create(loaded->keyring, pass).ok());
    }
    const std::string oldBytes = readFile(root / "cheap" / "keyring.coffer");
    const auto reset = [&] {
        wipeDeep(data);
        fs::create_directories(data);
        ::chmod(data.c_str(), 0700);
        writeFile(data / "keyring.coffer", oldBytes);
        ::chmod((data / "keyring.coffer").c_str(), 0600);
    };
    const std::vector<std::string> args = {
        "contacts", "add", other.card, "--name", "Newcomer", "--keyring-passphrase-file", (root / "pass").string()};
    // 1.3: a good share of the kills come after the save, to see the new version too.
    const double window = 1.3 * calibrate(args, o, reset);

    int killed = 0, oldVersion = 0, newVersion = 0, backups = 0, partsLeft = 0, lockLeft = 0, checkedNext = 0,
        partsAfterNext = 0;
    for (int i = 0; i < trials(); ++i) {
        reset();
        killed += runAndKill(args, o, window, rng);
        KeyringStore store(data);
        auto loaded = store.load(pass);
        ASSERT_TRUE(loaded.ok()) << "trial " << i << ": the keyring does not open: " << loaded.error().message;
        ASSERT_FALSE(loaded->fromBackup) << "trial " << i << ": the main keyring file is broken";
        const std::size_t n = loaded->keyring.contacts().size();
        ASSERT_TRUE(n == kOld || n == kOld + 1) << "trial " << i << ": " << n << " contacts";
        ASSERT_TRUE(loaded->keyring.identity() != nullptr);
        (n == kOld ? oldVersion : newVersion)++;
        // A backup, if written, is the old version and opens.
        if (fs::exists(data / "keyring.coffer.bak")) {
            ++backups;
            ASSERT_EQ(readFile(data / "keyring.coffer.bak"), oldBytes) << "trial " << i;
        }
        const auto parts = temporaries(data);
        partsLeft += !parts.empty();
        lockLeft += fs::exists(data / "keyring.lock");
        if (!parts.empty() && checkedNext < 3) {
            // The next save: does it leave the stale parts? (Reported, not failed.)
            ++checkedNext;
            const Outcome again =
                runCoffer({"contacts", "add", makeKey(root / "late.key").card, "--name", "Late " + std::to_string(i),
                           "--keyring-passphrase-file", (root / "pass").string()},
                          o);
            ASSERT_EQ(again.code, kExitOk) << "trial " << i << ": the next save failed: " << again.err;
            partsAfterNext += !temporaries(data).empty();
            fs::remove(root / "late.key");
        }
    }
    std::printf("[ counts   ] keyring save: %d trials, %d killed while running; afterwards the old version (%zu "
                "contacts) %d times, the new one (%zu) %d times, never broken; a backup existed %d times; .part files "
                "left %d times (still there after the next save in %d of %d checked); keyring.lock left %d times\n",
                trials(), killed, kOld, oldVersion, kOld + 1, newVersion, backups, partsLeft, partsAfterNext,
                checkedNext, lockLeft);
}

TEST_F(KillTest, RekeyInPlace)
{
    const fs::path original = root / "original.coffer";
    ASSERT_EQ(
        runCoffer({"encrypt", "-r", key.card, "--no-sign", "-o", original.string(), (root / "src").string()}, opts())
            .code,
        kExitOk);
    const std::string originalBytes = readFile(original);
    const fs::path dir = root / "rk";
    const fs::path container = dir / "c.coffer";
    const std::vector<std::string> args = {
        "rekey", "--add", "-r", other.card, "-i", key.file.string(), "-o", container.string(), container.string()};
    const auto reset = [&] {
        wipeDeep(dir);
        fs::create_directories(dir);
        writeFile(container, originalBytes);
    };
    const double window = 1.1 * calibrate(args, opts(), reset);
    // The original has room in its header (FORMAT.md §3.4), so the rekey
    // rewrites the header in place through a journal (§12.1) instead of
    // writing c.coffer.part.
    int killed = 0, oldVersion = 0, newVersion = 0, partLeft = 0, journalLeft = 0;
    for (int i = 0; i < trials(); ++i) {
        reset();
        killed += runAndKill(args, opts(), window, rng);
        const auto names = listTree(dir);
        const bool journal = std::find(names.begin(), names.end(), ".c.coffer.rekey-journal") != names.end();
        journalLeft += journal;
        for (const auto& rel : names) {
            if (rel == "c.coffer") {
                // The old key always opens it, completely (an open first finishes an
                // interrupted rekey from its journal); the new key only once rekeyed.
                ASSERT_TRUE(decryptsToSource(container, key)) << "trial " << i << ": c.coffer is broken";
                if (readFile(container) == originalBytes) {
                    ++oldVersion;
                } else {
                    ASSERT_TRUE(decryptsToSource(container, other)) << "trial " << i;
                    ++newVersion;
                }
            } else if (rel == "c.coffer.part") {
                ++partLeft;
            } else if (rel != ".c.coffer.rekey-journal") {
                FAIL() << "trial " << i << ": unexpected \"" << rel << "\"";
            }
        }
        ASSERT_TRUE(fs::exists(container)) << "trial " << i << ": the container is gone";
        ASSERT_FALSE(fs::exists(dir / ".c.coffer.rekey-journal"))
            << "trial " << i << ": opening the container must finish and remove the journal";
    }
    std::printf("[ counts   ] rekey in place: %d trials, %d killed while running; the original %d times, the rekeyed "
                "one %d times (both complete), journal left by the kill %d times (removed by the next open each "
                "time), c.coffer.part left %d times\n",
                trials(), killed, oldVersion, newVersion, journalLeft, partLeft);
}

} // namespace
