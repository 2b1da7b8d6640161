// Canonical, unpadded standard base64 (RFC 4648 §4, no '='), as the header uses
// (FORMAT.md §2.1). Decoding is strict: any other encoding of the same bytes
// is refused, so a header has exactly one valid serialisation.
#pragma once

#include "SecureMemory.h"

#include <optional>
#include <string>
#include <string_view>

namespace coffer::crypto {

std::string base64Encode(ByteView data);
/// nullopt on padding, whitespace, characters outside the alphabet, a length of
/// 1 mod 4, or non-zero unused bits in the last character.
std::optional<Bytes> base64Decode(std::string_view text);

} // namespace coffer::crypto
