// Botan keeps its own small secrets (key schedules, hash states: 16 to 256
// bytes each) in a pool of locked pages it makes at the first secure
// allocation. Its default of 512 KiB costs every command 128 pages mapped,
// locked, guarded, then unlocked and unmapped at exit: about 9 ms of the
// 46 ms a `coffer list` with the agent took (bench/agent.sh; the target is
// 50). crypto::sizeLockedPool(), which hardenProcess() calls first thing,
// sets it to 64 KiB: one page for each of Botan's twelve sizes, and room.
// A program of its own: the pool is made once per process.
#include "Primitives.h"
#include "SecureMemory.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <sys/resource.h>

using namespace coffer::crypto;

namespace {

/// VmLck of this process, in KiB (-1 if /proc says nothing).
long lockedKiB()
{
    std::ifstream status("/proc/self/status");
    for (std::string line; std::getline(status, line);)
        if (line.rfind("VmLck:", 0) == 0)
            return std::strtol(line.c_str() + 6, nullptr, 10);
    return -1;
}

TEST(LockedPool, IsSixtyFourKiBNotHalfAMebibyte)
{
    ::unsetenv("BOTAN_MLOCK_POOL_SIZE");
    sizeLockedPool();
    ASSERT_EQ(lockedKiB(), 0) << "something locked memory before the test";
    // The first hash makes the pool.
    const std::string text = "make the pool";
    (void)sha256(ByteView(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
    const long locked = lockedKiB();
    EXPECT_LE(locked, 64) << "Botan's pool is its default size";
    struct rlimit limit {};
    ::getrlimit(RLIMIT_MEMLOCK, &limit);
#if defined(__SANITIZE_ADDRESS__)
    limit.rlim_cur = 0; // AddressSanitizer makes mlock a no-op that succeeds: nothing is ever locked
#endif
    if (limit.rlim_cur >= 64 * 1024) {
        EXPECT_GT(locked, 0) << "no locked pool at all: Botan's small secrets could reach swap";
    }
}

TEST(LockedPool, AUsersOwnSizeIsKept)
{
    // After the first test the pool exists; only the variable is checked.
    ::setenv("BOTAN_MLOCK_POOL_SIZE", "256", 1);
    sizeLockedPool();
    EXPECT_STREQ(std::getenv("BOTAN_MLOCK_POOL_SIZE"), "256");
}

} // namespace
