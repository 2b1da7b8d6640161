#include "Hardening.h"

#include "SecureMemory.h"

#if defined(__linux__)
#include <sys/prctl.h>
#include <sys/resource.h>
#elif defined(__APPLE__)
#include <sys/ptrace.h>
#include <sys/resource.h>
#elif defined(_WIN32)
#include <windows.h>
#endif

namespace coffer {

void hardenProcess()
{
    crypto::sizeLockedPool(); // before anything allocates secure memory
#if defined(__linux__)
    // Not dumpable: no core file, and ptrace attach by other same-user processes is refused.
    const struct rlimit none = {0, 0};
    ::setrlimit(RLIMIT_CORE, &none);
    ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
#elif defined(__APPLE__)
    const struct rlimit none = {0, 0};
    ::setrlimit(RLIMIT_CORE, &none);
    ::ptrace(PT_DENY_ATTACH, 0, nullptr, 0);
#elif defined(_WIN32)
    // No Windows Error Reporting dumps with our memory in them.
    ::SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX);
#endif
}

} // namespace coffer
