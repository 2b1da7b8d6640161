// Process hardening at start-up (DESIGN §4): no core dumps, no ptrace attach,
// so key material cannot be read out of the process by a same-user program;
// and the locked pool for Botan's own secrets sized before its first use
// (crypto::sizeLockedPool).
#pragma once

namespace coffer {

/// Call first thing in main(). Failures are ignored: hardening is best effort.
void hardenProcess();

} // namespace coffer
