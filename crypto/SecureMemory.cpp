#include "SecureMemory.h"

#include "detail/BotanCompat.h"

namespace coffer::crypto {

void secureWipe(void* data, std::size_t size)
{
    if (data && size)
        Botan::secure_scrub_memory(data, size);
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
