// Finding entries in a container window: the box above the tree filters by
// substring or `*` glob, case-insensitively, keeps the folders that lead to
// a match, counts the matches, and hands the keyboard to the tree; columns
// sort. 200,000 entries: shown at once and filtered without stalling the
// event loop (the stall probe, as tools/tour measures).
#include "ContainerTestSupport.h"

#include "ContainerModel.h"
#include "EntryFilter.h"
#include "EntryTree.h"
#include "OpenEntry.h"
#include "PathText.h"
#include "StallProbe.h"

#include <QElapsedTimer>
#include <QHeaderView>
#include <QLineEdit>
#include <QTest>
#include <QTreeView>

#include <cstdio>
#include <ctime>

namespace coffer::test::ui {

namespace {

namespace fs = std::filesystem;
constexpr int kWait = 20000; // ms; a few here on a busy machine
using coffer::ui::ContainerModel;
using coffer::ui::ContainerWindow;
using coffer::ui::EntryOpener;

class FindTest : public UiTest {
protected:
    void SetUp() override
    {
        m_context = makeUnlockedContext("Alice", "alice passphrase");
        writeFile(work() / "in" / "Reports" / "Q1-Summary.PDF", "q1");
        writeFile(work() / "in" / "Reports" / "q2-summary.pdf", "q2, longer");
        writeFile(work() / "in" / "Reports" / "budget.xlsx", "numbers, the longest of all");
        writeFile(work() / "in" / "photos" / "beach.jpg", "sand");
        writeFile(work() / "in" / "notes.txt", "n");
        encryptToSelf(*m_context, {work() / "in" / "Reports", work() / "in" / "photos", work() / "in" / "notes.txt"},
                      work() / "box.coffer");
    }

    /// Types `text` into the box and waits for the tree to show its result.
    static void find(ContainerWindow& window, const QString& text)
    {
        QSignalSpy shown(window.model(), &ContainerModel::orderChanged);
        window.filterBar()->field()->clear();
        QTest::keyClicks(window.filterBar()->field(), text);
        ASSERT_TRUE(waitFor(shown, kWait));
    }

    std::unique_ptr<AppContext> m_context;
};

TEST_F(FindTest, TheBoxFindsBySubstringAndGlobWhateverTheCase)
{
    ContainerWindow* window = openLoaded(*m_context, work() / "box.coffer");
    find(*window, "SUMMARY");
    EXPECT_EQ(shownPaths(*window), (QStringList{"Reports", "Reports/Q1-Summary.PDF", "Reports/q2-summary.pdf"}));
    EXPECT_EQ(window->filterBar()->countText(), "2 of 7");

    find(*window, "*.pdf");
    EXPECT_EQ(shownPaths(*window), (QStringList{"Reports", "Reports/Q1-Summary.PDF", "Reports/q2-summary.pdf"}));
    find(*window, "q?-*");
    EXPECT_EQ(shownPaths(*window), (QStringList{"Reports", "Reports/Q1-Summary.PDF", "Reports/q2-summary.pdf"}));
    find(*window, "*.PD");
    EXPECT_TRUE(shownPaths(*window).isEmpty()) << "a glob matches the whole name";
    EXPECT_EQ(window->filterBar()->countText(), "0 of 7");

    find(*window, "photos");
    EXPECT_EQ(shownPaths(*window), (QStringList{"photos", "photos/beach.jpg"})) << "a matching folder brings its files";

    find(*window, "");
    EXPECT_EQ(shownPaths(*window).size(), 7);
    EXPECT_TRUE(window->filterBar()->countText().isEmpty());
    delete window;
}

TEST_F(FindTest, DownLeavesTheBoxForTheTreeAndEnterOpens)
{
    QStringList launched;
    EntryOpener::setLauncher([&](const QString& path) {
        launched << path;
        return true;
    });
    ContainerWindow* window = openLoaded(*m_context, work() / "box.coffer");
    window->activateWindow();
    window->filterBar()->field()->setFocus();
    find(*window, "notes");
    QTest::keyClick(window->filterBar()->field(), Qt::Key_Down);
    EXPECT_TRUE(window->view()->hasFocus());
    EXPECT_EQ(window->model()->archivePath(window->view()->currentIndex()), "notes.txt");
    QSignalSpy opened(window->opener(), &EntryOpener::opened);
    QTest::keyClick(window->view(), Qt::Key_Return);
    ASSERT_TRUE(waitFor(opened, kWait)) << window->messageText().toStdString();
    EXPECT_EQ(readFile(coffer::ui::toPath(launched.value(0))), "n");
    EntryOpener::setLauncher(nullptr);
    delete window;
}

TEST_F(FindTest, ColumnsSortAndFoldersStayFirst)
{
    ContainerWindow* window = openLoaded(*m_context, work() / "box.coffer");
    QSignalSpy sorted(window->model(), &ContainerModel::orderChanged);
    window->view()->header()->setSortIndicator(ContainerModel::SizeColumn, Qt::DescendingOrder);
    ASSERT_TRUE(waitFor(sorted, kWait));
    EXPECT_EQ(shownPaths(*window), (QStringList{"Reports", "Reports/budget.xlsx", "Reports/q2-summary.pdf",
                                                "Reports/Q1-Summary.PDF", "photos", "photos/beach.jpg", "notes.txt"}));
    if (const char* shots = std::getenv("COFFER_TEST_SHOTS")) { // pictures to look at
        window->view()->expandAll();
        window->grab().save(QString::fromLocal8Bit(shots) + QStringLiteral("/container-by-size.png"));
        find(*window, "*.pdf");
        window->grab().save(QString::fromLocal8Bit(shots) + QStringLiteral("/container-found.png"));
    }
    delete window;
}

/// CPU time of the calling thread: what our code costs, whatever else the machine runs.
qint64 threadCpuMs()
{
    timespec ts{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<qint64>(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000;
}

/// 200,000 entries in 400 folders: a listing as the worker gets it.
std::vector<IndexEntry> manyEntries()
{
    std::vector<IndexEntry> entries;
    for (int folder = 0; folder < 400; ++folder)
        for (int file = 0; file < 500; ++file) {
            IndexEntry e;
            e.info.kind = EntryKind::File;
            e.info.path = "folder-" + std::to_string(folder) + "/file-" + std::to_string(file) + ".txt";
            e.info.size = static_cast<std::uint64_t>(file);
            entries.push_back(std::move(e));
        }
    return entries;
}

TEST_F(FindTest, TwoHundredThousandEntriesShowAtOnceAndFilterWithoutStalling)
{
    const auto entries = manyEntries();
    QElapsedTimer clock;
    clock.start();
    const qint64 cpuStart = threadCpuMs();
    auto tree = coffer::ui::EntryTree::build(entries);
    auto order = coffer::ui::EntryOrder::everything(*tree);
    const qint64 buildMs = clock.restart(); // on the listing worker in the window

    ContainerModel model;
    QTreeView view;
    view.setUniformRowHeights(true);
    view.setModel(&model);
    view.show();
    coffer::ui::StallProbe probe(5);
    probe.start();
    model.setTree(tree, std::move(order));
    view.expand(model.index(0, 0));
    view.grab();
    const qint64 showMs = clock.restart();
    const qint64 cpuMs = threadCpuMs() - cpuStart;

    QSignalSpy shown(&model, &ContainerModel::orderChanged);
    model.setFilter("file-4*9.txt");
    ASSERT_TRUE(waitFor(shown, kWait));
    view.grab();
    const qint64 filterMs = clock.restart();
    probe.stop();
    std::printf("200,000 entries: tree built in %lld ms (worker), shown in %lld ms (CPU for both %lld ms); filtered "
                "in %lld ms, longest event-loop gap %lld ms (GUI thread CPU in it %lld ms)\n",
                static_cast<long long>(buildMs), static_cast<long long>(showMs), static_cast<long long>(cpuMs),
                static_cast<long long>(filterMs), static_cast<long long>(probe.maxGapMs()),
                static_cast<long long>(probe.maxGapCpuMs()));
    EXPECT_EQ(model.matchCount(), 400 * 11); // file-409, 419, ..., 499 in each folder
    EXPECT_EQ(model.entryCount(), 200'400);
    EXPECT_LT(cpuMs, 1000) << "CPU time: wall time on this shared 2-core machine depends on the others";
    // The GUI thread's own work in its longest gap: a busy machine may delay
    // the thread, but our code must not hold it.
    EXPECT_LT(probe.maxGapCpuMs(), 50);
}

} // namespace

} // namespace coffer::test::ui

namespace coffer::test::ui {

namespace {

// By hand (a measurement, not a test: it encrypts the 200,000 files first):
//   COFFER_BIG_TREE=DIR ui_find_test --gtest_also_run_disabled_tests --gtest_filter='*ARealContainer*'
TEST_F(FindTest, DISABLED_ARealContainerOfTwoHundredThousandFilesShowsWithinASecond)
{
    const char* tree = std::getenv("COFFER_BIG_TREE");
    if (!tree)
        GTEST_SKIP() << "set COFFER_BIG_TREE to a folder of many files";
    encryptToSelf(*m_context, {fs::path(tree)}, work() / "big.coffer");
    QElapsedTimer clock;
    clock.start();
    coffer::ui::StallProbe opening(5);
    opening.start();
    ContainerWindow* window = openLoaded(*m_context, work() / "big.coffer");
    opening.stop();
    const qint64 shownMs = clock.restart();
    coffer::ui::StallProbe filtering(5);
    filtering.start();
    find(*window, "file-4*9.txt");
    filtering.stop();
    const qint64 filterMs = clock.restart();
    std::printf("real container, %d entries: window shown %lld ms after it was asked to open (longest event-loop "
                "gap %lld ms, GUI thread CPU in it %lld ms); filtered in %lld ms (longest gap %lld ms, GUI thread "
                "CPU in it %lld ms)\n",
                window->model()->entryCount(), static_cast<long long>(shownMs),
                static_cast<long long>(opening.maxGapMs()), static_cast<long long>(opening.maxGapCpuMs()),
                static_cast<long long>(filterMs), static_cast<long long>(filtering.maxGapMs()),
                static_cast<long long>(filtering.maxGapCpuMs()));
    EXPECT_LT(shownMs, 1000);
    delete window;
}

} // namespace

} // namespace coffer::test::ui
