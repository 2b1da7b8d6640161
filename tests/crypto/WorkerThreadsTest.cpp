// The thread helper every owner builds on (crypto/WorkerThreads.h): work
// handed over under its lock reaches its threads, and destroying it stops
// and joins them even while they wait, or while they still work. Then the
// pool on top of it (WorkerPool) with fewer parts than workers.
#include "WorkerThreads.h"
#include "WorkerPool.h"

#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <thread>

namespace coffer::crypto {
namespace {

TEST(WorkerThreads, WorkPostedUnderItsLockReachesEveryThreadUntilItStops)
{
    int queued = 0;
    int done = 0;
    std::condition_variable progress;
    {
        WorkerThreads threads;
        threads.start(3, [&](unsigned) {
            std::unique_lock lock(threads.mutex());
            while (threads.wait(lock, [&] { return queued > 0; })) {
                --queued;
                ++done;
                progress.notify_all();
            }
        });
        EXPECT_EQ(threads.size(), 3u);
        for (int i = 0; i < 100; ++i) {
            {
                std::lock_guard lock(threads.mutex());
                ++queued;
            }
            threads.wakeOne();
        }
        std::unique_lock lock(threads.mutex());
        progress.wait(lock, [&] { return done == 100; });
    } // the destructor wakes the waiting threads and joins them
    EXPECT_EQ(done, 100);
    EXPECT_EQ(queued, 0);
}

TEST(WorkerThreads, StopReachesAThreadThatNeverWaits)
{
    WorkerThreads threads;
    std::atomic<int> rounds{0};
    threads.start(1, [&](unsigned) {
        while (!threads.stopping()) { // a scan checks the flag between files
            ++rounds;
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
    });
    while (rounds == 0)
        std::this_thread::yield();
    threads.stop();
    EXPECT_TRUE(threads.stopping());
    threads.stop(); // again: nothing left to join
}

TEST(WorkerPool, FewerPartsThanWorkersEachRunOnceAndTheNextTaskStillRuns)
{
    WorkerPool pool(4);
    for (std::size_t parts : {1u, 2u, 3u, 0u, 4u, 9u, 1u}) {
        std::mutex m;
        std::multiset<std::size_t> ran;
        pool.run(parts, [&](unsigned, std::size_t part) {
            std::lock_guard lock(m);
            ran.insert(part);
        });
        std::multiset<std::size_t> expected;
        for (std::size_t i = 0; i < parts; ++i)
            expected.insert(i);
        EXPECT_EQ(ran, expected) << parts << " parts";
    }
}

} // namespace
} // namespace coffer::crypto
