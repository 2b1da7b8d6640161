// encrypt --follow-links: a symbolic link is stored as what it points to when
// that lies inside the chosen paths; one pointing outside is skipped with a
// warning unless --follow-all-links; a link back up the tree (a loop) is
// reported and skipped, and the command ends.
#include "CliHarness.h"

#include <unistd.h>

namespace coffer::test::cli {
namespace {

class FollowLinksTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        m_key = makeKey(m_dir / "k.key");
        writeFile(m_dir / "tree/docs/a.txt", "inside\n");
        writeFile(m_dir / "outside/secret.txt", "outside\n");
        link("docs/a.txt", "tree/to-a.txt");
        link("docs", "tree/to-docs");
        link("../outside/secret.txt", "tree/to-outside.txt");
        link("..", "tree/docs/up"); // a loop: tree/docs/up/docs/up/...
    }
    void link(const std::string& target, const std::string& at)
    {
        ASSERT_EQ(::symlink(target.c_str(), (m_dir / at).c_str()), 0) << at;
    }
    /// Encrypts tree/ with `options`; the listing of the container, and standard error.
    struct Run {
        int code;
        std::string errors;
        std::vector<std::string> files;
    };
    Run encrypt(const std::string& options)
    {
        fs::remove(m_dir / "t.coffer");
        // timeout: a loop that is not detected fails the test instead of hanging it.
        const Outcome r = shell("cd " + q(m_dir.path()) + " && timeout 60 " + cofferCommand() + " encrypt -r " +
                                m_key.card + " " + options + " -o t.coffer tree");
        Run out{r.code, r.output, {}};
        if (r.code != kExitOk)
            return out;
        TempDir x;
        const Outcome d = coffer("decrypt -i " + q(m_key.file) + " -o " + q(x.path()) + " " + q(m_dir / "t.coffer"));
        EXPECT_EQ(d.code, kExitOk) << d.output;
        for (const auto& rel : listTree(x.path()))
            if (fs::is_regular_file(x / rel))
                out.files.push_back(rel + "=" + readFile(x / rel));
        return out;
    }

    TempDir m_dir;
    Key m_key;
};

TEST_F(FollowLinksTest, WithoutTheOptionLinksAreSkippedWithAWarning)
{
    const Run r = encrypt("");
    ASSERT_EQ(r.code, kExitOk) << r.errors;
    EXPECT_EQ(r.files, (std::vector<std::string>{"tree/docs/a.txt=inside\n"}));
    EXPECT_NE(r.errors.find("warning: skipped the symbolic link"), std::string::npos) << r.errors;
    EXPECT_NE(r.errors.find("--follow-links"), std::string::npos) << r.errors;
}

TEST_F(FollowLinksTest, LinksInsideTheChosenTreeAreFollowed)
{
    const Run r = encrypt("--follow-links");
    ASSERT_EQ(r.code, kExitOk) << r.errors;
    EXPECT_EQ(r.files, (std::vector<std::string>{"tree/docs/a.txt=inside\n", "tree/to-a.txt=inside\n",
                                                 "tree/to-docs/a.txt=inside\n"}));
    // The link leading out is refused, and the loop is reported, each by name.
    EXPECT_TRUE(hasLineStartingWith(r.errors, "warning: skipped the symbolic link \"tree/to-outside.txt\""))
        << r.errors;
    EXPECT_NE(r.errors.find("outside"), std::string::npos) << r.errors;
    EXPECT_TRUE(hasLineStartingWith(r.errors, "warning: skipped the symbolic link \"tree/docs/up\"")) << r.errors;
    EXPECT_NE(r.errors.find("loop"), std::string::npos) << r.errors;
}

TEST_F(FollowLinksTest, LinksOutsideAreFollowedOnlyWhenAsked)
{
    const Run r = encrypt("--follow-all-links");
    ASSERT_EQ(r.code, kExitOk) << r.errors;
    EXPECT_EQ(r.files, (std::vector<std::string>{"tree/docs/a.txt=inside\n", "tree/to-a.txt=inside\n",
                                                 "tree/to-docs/a.txt=inside\n", "tree/to-outside.txt=outside\n"}));
    EXPECT_NE(r.errors.find("loop"), std::string::npos) << r.errors;
}

TEST_F(FollowLinksTest, AChosenLinkIsFollowedWithTheOption)
{
    fs::remove(m_dir / "tree/docs/up");
    link("tree/docs", "chosen");
    const Outcome r = shell("cd " + q(m_dir.path()) + " && " + cofferCommand() + " encrypt --follow-links -r " +
                            m_key.card + " -o c.coffer chosen");
    ASSERT_EQ(r.code, kExitOk) << r.output;
    const Outcome list = coffer("list -i " + q(m_key.file) + " " + q(m_dir / "c.coffer"));
    EXPECT_NE(list.output.find("chosen/a.txt\n"), std::string::npos) << list.output;
}

TEST_F(FollowLinksTest, ABrokenLinkIsSkippedWithAWarning)
{
    link("nowhere", "tree/broken");
    const Run r = encrypt("--follow-links");
    ASSERT_EQ(r.code, kExitOk) << r.errors;
    EXPECT_TRUE(hasLineStartingWith(r.errors, "warning: skipped the symbolic link \"tree/broken\"")) << r.errors;
}

} // namespace
} // namespace coffer::test::cli
