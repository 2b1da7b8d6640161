#include "SecureMemory.h"

#include "detail/BotanCompat.h"

#include <cstdlib>

namespace coffer::crypto {

void secureWipe(void* data, std::size_t size)
{
    if (data && size)
        Botan::secure_scrub_memory(data, size);
}

void sizeLockedPool()
{
    // Botan 2 reads this (in KiB) once, when it makes the pool; its pool
    // serves requests of 16 to 256 bytes in twelve sizes, a page per size in
    // use, and anything that does not fit goes to the heap, wiped on free as
    // before. 64 KiB is also what Botan gets on a system whose RLIMIT_MEMLOCK
    // is the kernel's old default.
#if defined(_WIN32)
    if (!std::getenv("BOTAN_MLOCK_POOL_SIZE"))
        ::_putenv_s("BOTAN_MLOCK_POOL_SIZE", "64");
#else
    ::setenv("BOTAN_MLOCK_POOL_SIZE", "64", 0);
#endif
}

SecureString::~SecureString()
{
    secureWipe(data(), capacity());
}

bool constantTimeEqual(ByteView a, ByteView b)
{
    if (a.size() != b.size())
        return false;
    return Botan::constant_time_compare(a.data(), b.data(), a.size());
}

} // namespace coffer::crypto
