// The paper key (KEYRING.md "Paper key"): a Coffer identity as text to print
// and type back in: a header line, numbered lines of base32 groups each ending
// in a two-character checksum (a typo is reported on its line), and the
// fingerprint, which the restored key must match.
#pragma once

#include "Keys.h"
#include "Result.h"

#include <string>
#include <string_view>

namespace coffer {

inline constexpr std::string_view kPaperKeyHeader = "COFFER-PAPER-KEY-1";

/// The paper text of a Coffer identity (one that can sign), lines ending in '\n'.
crypto::SecureString paperKeyText(const crypto::SecretIdentity& identity);

/// Whether `text` starts (after blank lines and spaces) with the paper key's header.
bool looksLikePaperKey(std::string_view text);

/// The identity on a paper key; each error says which line to check.
Result<crypto::SecretIdentity> parsePaperKey(std::string_view text);

} // namespace coffer
