#include "BackgroundPriority.h"

#include "WorkerPool.h"

#include <cerrno>
#include <thread>

#if defined(__linux__)
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace coffer::ui {

namespace {

constexpr int kBackgroundNice = 5;

} // namespace

void lowerCurrentThreadPriority()
{
    thread_local bool lowered = false;
    if (lowered)
        return;
    lowered = true;
#if defined(__linux__)
    // On Linux PRIO_PROCESS with a thread id changes that one thread only.
    const auto tid = static_cast<id_t>(::syscall(SYS_gettid));
    errno = 0;
    const int current = ::getpriority(PRIO_PROCESS, tid);
    if (errno == 0 && current < kBackgroundNice)
        ::setpriority(PRIO_PROCESS, tid, kBackgroundNice);
#endif
}

void startCryptoWorkersAtLowPriority()
{
    std::thread([]() {
        lowerCurrentThreadPriority();
        (void)crypto::WorkerPool::shared();
    }).join();
}

} // namespace coffer::ui
