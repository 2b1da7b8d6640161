// UTF-8 checks shared by names on cards and paths in archives.
#pragma once

#include <string>
#include <string_view>

namespace coffer::crypto {

/// Well-formed UTF-8: shortest form, no surrogates, nothing past U+10FFFF.
bool isValidUtf8(std::string_view s);

/// Drops control characters and cuts to at most `maxBytes` on a character boundary.
std::string sanitizeDisplayName(std::string_view name, std::size_t maxBytes);

} // namespace coffer::crypto
