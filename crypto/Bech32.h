// Bech32 (BIP 173) without the 90-character limit, as age uses it for keys.
// Coffer's cards and secret keys are Bech32 strings (FORMAT.md §6).
#pragma once

#include "SecureMemory.h"

#include <optional>
#include <string>
#include <string_view>

namespace coffer::crypto {

struct Bech32Data {
    std::string hrp; // lower case
    Bytes data;      // 8-bit bytes after regrouping
};

/// Encodes `data` under human-readable part `hrp`. Upper-cases the whole
/// string when `upper` (age's secret keys are upper case).
std::string bech32Encode(std::string_view hrp, ByteView data, bool upper = false);
/// Decodes a Bech32 string; refuses mixed case, bad checksums, bad padding.
std::optional<Bech32Data> bech32Decode(std::string_view text);
/// Same as bech32Decode, for strings that hold a secret: the data never
/// passes through an ordinary vector.
std::optional<SecureBytes> bech32DecodeSecret(std::string_view text, std::string_view expectedHrp);

} // namespace coffer::crypto
