// A small tree of real files for round trips: text that compresses, random
// bytes that do not, an already-compressed name, an empty file, empty and
// nested folders, several modes and nanosecond times.
#pragma once

#include "Encrypt.h"

#include <filesystem>
#include <string>
#include <vector>

namespace coffer::test {

/// Creates `root` (a folder named like the last component) with the sample files.
void makeSampleTree(const std::filesystem::path& root);

/// `size` bytes from a fixed-seed generator: incompressible, reproducible.
std::string randomText(std::size_t size, std::uint64_t seed = 1);

/// For `root` and each path under it: permission bits, modification time
/// (seconds and nanoseconds; folders too) and content, one line per path.
std::vector<std::string> describeTree(const std::filesystem::path& root);

/// The recipient for `identity`'s X25519 key.
crypto::RecipientKey recipientFor(const crypto::SecretIdentity& identity);

/// Argon2id parameters that take milliseconds, for tests.
inline constexpr crypto::Argon2Params kFastArgon2{1, 8 * 1024, 1};

} // namespace coffer::test
