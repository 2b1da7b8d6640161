// `coffer rekey` on a 1 GiB container (DESIGN §2: the header alone is
// rewritten, never the payload). Into a new file the payload is copied byte
// for byte; over the original the new header takes the old one's place and
// the payload is not touched (FORMAT.md §12.1). Prints how long each took;
// asserts only sanity bounds, and that the old recipient no longer opens the
// new file while the new one does.
// Needs about 2 GiB free in $TMPDIR; labelled "slow" in CTest.
#include "KeyringHarness.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <fstream>

using namespace coffer;
using namespace coffer::test;
using namespace coffer::test::keyring;

namespace {

constexpr std::uint64_t kGiB = std::uint64_t(1) << 30;

/// The same `length` bytes at `offset` in both files?
bool sameBytes(const fs::path& a, std::uint64_t offsetA, const fs::path& b, std::uint64_t offsetB, std::size_t length)
{
    std::ifstream fa(a, std::ios::binary), fb(b, std::ios::binary);
    std::string x(length, '\0'), y(length, '\0');
    fa.seekg(static_cast<std::streamoff>(offsetA));
    fb.seekg(static_cast<std::streamoff>(offsetB));
    fa.read(x.data(), static_cast<std::streamsize>(length));
    fb.read(y.data(), static_cast<std::streamsize>(length));
    return fa.gcount() == static_cast<std::streamsize>(length) && fb.gcount() == static_cast<std::streamsize>(length) &&
           x == y;
}

} // namespace

TEST(KeyringRekeyLarge, OneGibContainerIsRekeyedWithoutReEncryption)
{
    TempDir root;
    const std::string coffer = "COFFER_HOME=" + q(root / "home") + " " + cofferCommand();

    // 1 GiB, random at both ends and sparse in between: quick to make, and
    // with --compression off the whole GiB is encrypted and stored.
    const fs::path input = root / "big.bin";
    const Outcome made = shell("truncate -s 1G " + q(input) + " && head -c 4M /dev/urandom | dd of=" + q(input) +
                               " conv=notrunc status=none && head -c 4M /dev/urandom | dd of=" + q(input) +
                               " bs=1M seek=1020 conv=notrunc status=none");
    ASSERT_EQ(made.code, 0) << made.output;
    ASSERT_EQ(fs::file_size(input), kGiB);

    const Outcome oldKey = shell(coffer + " keygen -o " + q(root / "old.key"));
    const Outcome newKey = shell(coffer + " keygen -o " + q(root / "new.key"));
    ASSERT_EQ(oldKey.code, kExitOk) << oldKey.output;
    ASSERT_EQ(newKey.code, kExitOk) << newKey.output;
    const std::string oldCard = "coffer1" + lineAfter(oldKey.output, "coffer1");
    const std::string newCard = "coffer1" + lineAfter(newKey.output, "coffer1");

    const fs::path original = root / "big.coffer";
    const Outcome enc = shell(coffer + " encrypt --no-sign --compression off -r " + shellQuote(oldCard) + " -o " +
                              q(original) + " " + q(input));
    ASSERT_EQ(enc.code, kExitOk) << enc.output;
    fs::remove(input); // only the two containers on disk from here on
    ASSERT_GT(fs::file_size(original), kGiB);

    const fs::path rekeyed = root / "big-for-new.coffer";
    const auto start = std::chrono::steady_clock::now();
    const Outcome rekey = shell(coffer + " rekey -i " + q(root / "old.key") + " -r " + shellQuote(newCard) + " -o " +
                                q(rekeyed) + " " + q(original));
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ASSERT_EQ(rekey.code, kExitOk) << rekey.output;
    std::printf("[ figure   ] coffer rekey of a 1 GiB container: %.3f s\n", seconds);
    RecordProperty("rekey_seconds_1GiB", std::to_string(seconds));
    EXPECT_LT(seconds, 10.0) << "sanity bound only";

    // One X25519 stanza before and after: same header length, same size, payload copied as it was.
    const std::uint64_t size = fs::file_size(original);
    ASSERT_EQ(fs::file_size(rekeyed), size);
    EXPECT_FALSE(sameBytes(original, 0, rekeyed, 0, 200)) << "the header must change";
    constexpr std::size_t kProbe = 1 << 20;
    EXPECT_TRUE(sameBytes(original, 4096, rekeyed, 4096, kProbe));
    EXPECT_TRUE(sameBytes(original, size / 2, rekeyed, size / 2, kProbe));
    EXPECT_TRUE(sameBytes(original, size - kProbe, rekeyed, size - kProbe, kProbe));

    // The old recipient no longer opens the new file; the new one does.
    const Outcome oldOpens = shell(coffer + " list -i " + q(root / "old.key") + " " + q(rekeyed));
    EXPECT_EQ(oldOpens.code, kExitNoKey) << oldOpens.output;
    const Outcome newOpens = shell(coffer + " list -l -i " + q(root / "new.key") + " " + q(rekeyed));
    EXPECT_EQ(newOpens.code, kExitOk) << newOpens.output;
    EXPECT_TRUE(contains(newOpens.output, "1073741824  ")) << newOpens.output;
    EXPECT_TRUE(contains(newOpens.output, "big.bin")) << newOpens.output;
    // The original is untouched and still opens for the old recipient only.
    EXPECT_EQ(shell(coffer + " list -i " + q(root / "old.key") + " " + q(original)).code, kExitOk);
    EXPECT_EQ(shell(coffer + " list -i " + q(root / "new.key") + " " + q(original)).code, kExitNoKey);

    // Over the original, adding a recipient: the header is rewritten in place.
    const auto startInPlace = std::chrono::steady_clock::now();
    const Outcome inPlace = shell(coffer + " rekey --add -i " + q(root / "old.key") + " -r " + shellQuote(newCard) +
                                  " -o " + q(original) + " " + q(original));
    const double inPlaceSeconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - startInPlace).count();
    ASSERT_EQ(inPlace.code, kExitOk) << inPlace.output;
    std::printf("[ figure   ] coffer rekey --add in place of a 1 GiB container: %.3f s\n", inPlaceSeconds);
    RecordProperty("rekey_in_place_seconds_1GiB", std::to_string(inPlaceSeconds));
    EXPECT_LT(inPlaceSeconds, 10.0) << "sanity bound only";
    EXPECT_EQ(fs::file_size(original), size) << "the header keeps its length";
    EXPECT_TRUE(sameBytes(original, 4096, rekeyed, 4096, kProbe)) << "the payload is untouched";
    EXPECT_TRUE(sameBytes(original, size - kProbe, rekeyed, size - kProbe, kProbe));
    EXPECT_FALSE(fs::exists(root / ".big.coffer.rekey-journal"));
    EXPECT_EQ(shell(coffer + " list -i " + q(root / "old.key") + " " + q(original)).code, kExitOk);
    EXPECT_EQ(shell(coffer + " list -i " + q(root / "new.key") + " " + q(original)).code, kExitOk);
}
