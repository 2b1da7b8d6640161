// Encrypt reads exactly what its scan saw (SECURITY.md "Reading the files
// being encrypted"): another local user who swaps a folder inside the chosen
// tree for a link (or for another folder) between the scan and the reading
// must not get a file from outside the tree into the container.
#include "Encrypt.h"
#include "SampleTree.h"
#include "TestSupport.h"

#include <gtest/gtest.h>

using namespace coffer;
using namespace coffer::test;
namespace fs = std::filesystem;

namespace {

/// The scan hook for one test: removed again when the test ends.
class ScanEndHook {
public:
    explicit ScanEndHook(std::function<void()> hook) { setScanEndHookForTests(std::move(hook)); }
    ~ScanEndHook() { setScanEndHookForTests({}); }
};

struct SwapScene {
    TempDir root;
    fs::path tree = root.path() / "tree";
    fs::path secret = root.path() / "private";
    fs::path output = root.path() / "out.coffer";
    crypto::SecretIdentity identity = crypto::SecretIdentity::generate();

    SwapScene()
    {
        writeFile(tree / "a.txt", "first file here"); // the same sizes as the secret
        writeFile(tree / "sub" / "deeper" / "b.txt", "inside the tree");
        writeFile(secret / "deeper" / "b.txt", "VICTIM'S SECRET"); // same names, outside the tree
        fs::permissions(secret, fs::perms::owner_all, fs::perm_options::replace);
    }
    Result<EncryptSummary> encrypt()
    {
        EncryptRequest request;
        request.inputs = {tree};
        request.recipients = {recipientFor(identity)};
        request.output = output;
        JobControl job;
        return encryptFiles(request, job);
    }
    /// The refusal: it names the file, and no output (nor a part of one) is left.
    void expectRefused(const Result<EncryptSummary>& result, const fs::path& named)
    {
        ASSERT_FALSE(result.ok()) << "the container was written: it may hold the outside file";
        EXPECT_NE(result.error().message.find(named.string()), std::string::npos) << result.error().message;
        EXPECT_FALSE(fs::exists(output));
        for (const auto& e : fs::directory_iterator(root.path()))
            EXPECT_FALSE(e.path().filename().string().starts_with("out.coffer")) << e.path();
    }
};

} // namespace

TEST(EncryptSource, RefusesAFolderSwappedForALinkAfterTheScan)
{
    for (const char* level : {"sub", "sub/deeper"}) {
        SCOPED_TRACE(level);
        SwapScene scene;
        const fs::path swapped = scene.tree / level;
        const fs::path target = std::string(level) == "sub" ? scene.secret : scene.secret / "deeper";
        ScanEndHook hook([&] {
            fs::rename(swapped, scene.root.path() / "moved-away");
            fs::create_directory_symlink(target, swapped);
        });
        scene.expectRefused(scene.encrypt(), scene.tree / "sub" / "deeper" / "b.txt");
    }
}

TEST(EncryptSource, RefusesAFolderSwappedForAnotherFolderAfterTheScan)
{
    SwapScene scene;
    ScanEndHook hook([&] {
        fs::rename(scene.tree / "sub", scene.root.path() / "moved-away");
        fs::create_directories(scene.tree / "sub");
        fs::rename(scene.secret / "deeper", scene.tree / "sub" / "deeper");
    });
    scene.expectRefused(scene.encrypt(), scene.tree / "sub" / "deeper" / "b.txt");
}

TEST(EncryptSource, RefusesAFileReplacedAfterTheScan)
{
    SwapScene scene;
    ScanEndHook hook([&] {
        fs::remove(scene.tree / "a.txt");
        fs::create_hard_link(scene.secret / "deeper" / "b.txt", scene.tree / "a.txt");
    });
    scene.expectRefused(scene.encrypt(), scene.tree / "a.txt");
}

TEST(EncryptSource, ATreeLeftAloneIsEncrypted)
{
    SwapScene scene;
    ScanEndHook hook([] {});
    auto result = scene.encrypt();
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_EQ(result->files, 2u);
}

// FORMAT.md §5.5: writers refuse Coffer's bookkeeping names, which no reader
// would extract (a staging folder left in a folder being encrypted, say).
TEST(EncryptSource, RefusesToStoreABookkeepingName)
{
    SwapScene scene;
    writeFile(scene.tree / "sub" / ".coffer-extract-0123456789ab" / "x.txt", "left by a stopped extraction");
    auto result = scene.encrypt();
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, ErrorCode::InvalidArgument) << result.error().message;
    EXPECT_NE(result.error().message.find(".coffer-extract-0123456789ab"), std::string::npos) << result.error().message;
    EXPECT_FALSE(fs::exists(scene.output));
}
