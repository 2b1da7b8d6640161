// A process-wide count of Argon2id derivations (crypto/Primitives.cpp bumps
// it). Each costs about a second with the default settings (FORMAT.md §3.2),
// so tests count them: opening a passphrase container, and rekeying one,
// derive once, not once per look at the header.
#pragma once

#include <cstdint>

namespace coffer::crypto {

/// How many Argon2id derivations this process has started.
std::uint64_t argon2idRuns();

} // namespace coffer::crypto
