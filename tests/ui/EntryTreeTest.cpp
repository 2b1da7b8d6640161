// The window's tree (ui/EntryTree) against a hostile index: deep paths of
// distinct folders cost their names, not their whole paths; past its budget
// the builder stops and the window says so; folders of one name in different
// places stay apart however the entries come.
#include "ContainerTestSupport.h"

#include "ContainerModel.h"
#include "ContainerWindow.h"
#include "EntryTree.h"
#include "PathText.h"

#include <QSignalSpy>
#include <QTest>

#include <set>

namespace coffer::test::ui {

namespace {

namespace fs = std::filesystem;
using coffer::ui::ContainerWindow;
using coffer::ui::EntryTree;
using coffer::ui::EntryTreeBuilder;
using coffer::ui::NodeId;

IndexEntry fileEntry(std::string path)
{
    IndexEntry e;
    e.info.path = std::move(path);
    e.info.kind = EntryKind::File;
    e.info.size = 1;
    return e;
}

/// Entry `i`'s path: 16 components of 255 bytes (4095 in all), every folder
/// its own, the first named after `i`.
std::string deepPath(int i)
{
    std::string path;
    for (int level = 0; level < 16; ++level) {
        std::string part = std::to_string(i) + "-" + std::to_string(level) + "-";
        part.resize(255, level % 2 ? 'x' : 'y');
        path += (level ? "/" : "") + part;
    }
    return path;
}

/// Every file's path, walking the tree from the root.
std::set<std::string> filePaths(const EntryTree& tree)
{
    std::set<std::string> paths;
    std::vector<NodeId> folders{EntryTree::kRoot};
    while (!folders.empty()) {
        const NodeId f = folders.back();
        folders.pop_back();
        for (int row = 0; row < tree.childCount(f); ++row) {
            const NodeId id = tree.child(f, row);
            if (tree.node(id).folder)
                folders.push_back(id);
            else
                paths.insert(tree.path(id).toStdString());
        }
    }
    return paths;
}

} // namespace

TEST(EntryTree, DeepDistinctFoldersCostTheirNamesNotTheirWholePaths)
{
    // 4,000 paths of 4096 bytes whose 15 folders are all distinct: 64,000
    // nodes, 32 MB of names in UTF-16. Kept by whole path, the folders alone
    // took 245 MB.
    constexpr int kPaths = 4000;
    std::shared_ptr<const EntryTree> tree;
    const double mib = peakMiBDuring([&] {
        EntryTreeBuilder builder;
        for (int i = 0; i < kPaths; ++i)
            builder.add(fileEntry(deepPath(i)));
        tree = builder.finish();
    });
    ASSERT_TRUE(tree);
    std::printf("[ tree     ] %d deep paths: %d nodes, peak +%.0f MiB\n", kPaths, tree->entryCount(), mib);
    EXPECT_EQ(tree->entryCount(), kPaths * 16);
    EXPECT_EQ(tree->fileCount, kPaths);
    EXPECT_LT(mib, 64 + kAsanSlackMiB);
    const auto paths = filePaths(*tree);
    ASSERT_EQ(paths.size(), std::size_t{kPaths});
    for (int i : {0, 1, 1234, kPaths - 1})
        EXPECT_TRUE(paths.count(deepPath(i))) << i;
}

TEST(EntryTree, FoldersOfOneNameInDifferentPlacesStayApartInAnyOrder)
{
    // Files before their folder's own entry, folders named like others
    // elsewhere, and enough folders to grow the builder's table several times.
    std::vector<IndexEntry> entries;
    std::set<std::string> expected;
    for (int i = 0; i < 3000; ++i) {
        const std::string d = "d" + std::to_string(i % 1500);
        for (const std::string& path : {d + "/same/f" + std::to_string(i), "same/" + d + "/g" + std::to_string(i)}) {
            entries.push_back(fileEntry(path));
            expected.insert(path);
        }
        if (i % 7 == 0) {
            IndexEntry folder;
            folder.info.path = d + "/same";
            folder.info.kind = EntryKind::Directory;
            entries.push_back(folder);
        }
    }
    const auto tree = EntryTree::build(entries);
    ASSERT_TRUE(tree);
    EXPECT_EQ(filePaths(*tree), expected);
    // The root holds "same" and d0 ... d1499, once each.
    EXPECT_EQ(tree->childCount(EntryTree::kRoot), 1501);
    EXPECT_EQ(tree->entryCount(), 1 + 1500 + 1500 + 1500 + 6000);
}

TEST(EntryTree, PastItsBudgetTheBuilderStopsAndGivesNoTree)
{
    // 200,000 names of 255 bytes in one folder would take 110 MB; with a
    // budget of 4 MiB the builder stops near it and gives nothing.
    constexpr std::size_t kBudget = 4 << 20;
    bool over = false;
    std::shared_ptr<const EntryTree> tree;
    const double mib = peakMiBDuring([&] {
        EntryTreeBuilder builder(kBudget);
        for (int i = 0; i < 200000; ++i) {
            std::string name = "dir/" + std::to_string(i) + "-";
            name.resize(4 + 255, 'n');
            builder.add(fileEntry(std::move(name)));
        }
        over = builder.overBudget();
        tree = builder.finish();
    });
    EXPECT_TRUE(over);
    EXPECT_FALSE(tree);
    EXPECT_LT(mib, 24 + kAsanSlackMiB);
    // Under its budget, the same builder gives its tree.
    EXPECT_TRUE(EntryTree::build({fileEntry("dir/a"), fileEntry("dir/b")}, kBudget));
}

class EntryTreeWindowTest : public UiTest {
protected:
    ~EntryTreeWindowTest() override { ContainerWindow::setTreeBudget(EntryTree::kBudget); }
};

TEST_F(EntryTreeWindowTest, AContainerWhoseTreeWouldPassItsBudgetIsRefusedInTheWindow)
{
    auto context = makeUnlockedContext("Alice", "alice passphrase");
    for (int i = 0; i < 300; ++i)
        writeFile(work() / "in" / ("file-" + std::to_string(i) + std::string(200, 'z')), "x");
    const fs::path container = work() / "many.coffer";
    encryptToSelf(*context, {work() / "in"}, container);

    ContainerWindow::setTreeBudget(32 * 1024); // 300 names of 200 characters take about 140 KB
    auto* window = new ContainerWindow(*context, coffer::ui::toQString(container));
    QSignalSpy loaded(window, &ContainerWindow::loadFinished);
    window->show();
    ASSERT_TRUE(waitFor(loaded));
    EXPECT_FALSE(loaded.takeFirst().at(0).toBool());
    EXPECT_FALSE(window->isLoaded());
    EXPECT_EQ(window->model()->rowCount(), 0);
    EXPECT_TRUE(window->messageText().contains("coffer list")) << window->messageText().toStdString();
    EXPECT_TRUE(window->messageText().contains("memory")) << window->messageText().toStdString();
    if (const char* shots = std::getenv("COFFER_TEST_SHOTS")) { // a picture to look at, laid out
        QTest::qWait(100);
        window->grab().save(QString::fromLocal8Bit(shots) + QStringLiteral("/container-too-many-names.png"));
    }
    delete window;

    ContainerWindow::setTreeBudget(EntryTree::kBudget); // the same container, within the real budget
    window = openLoaded(*context, container);
    EXPECT_TRUE(window->isLoaded());
    EXPECT_EQ(window->model()->fileCount(), 300);
    delete window;
}

} // namespace coffer::test::ui
