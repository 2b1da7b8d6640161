// The age header (C2SP age.md, "Header"; FORMAT.md §13): a version line,
// one or more stanzas ("-> type args" then a base64 body wrapped at 64
// columns and ended by a shorter line), and the MAC line. Parsing is exact:
// anything the ABNF does not allow is refused, the base64 must be canonical,
// and the MAC input is the bytes as read, so nothing is ever re-encoded.
#pragma once

#include "Age.h"
#include "ByteStream.h"
#include "LineSource.h"
#include "Primitives.h"

#include <optional>
#include <string>
#include <vector>

namespace coffer::crypto::age {

struct AgeStanza {
    std::string type;              // the first argument
    std::vector<std::string> args; // the arguments after the type
    Bytes body;
};

struct AgeHeader {
    std::vector<AgeStanza> stanzas;
    Bytes macInput; // the header up to and including "---"
    Digest32 mac{};
};

/// Longest header Coffer reads: far above any real one (a post-quantum stanza
/// is 1.5 KiB), so a hostile file cannot make us buffer without end.
inline constexpr std::size_t kMaxHeaderSize = 1024 * 1024;

/// Reads and checks the header's syntax. On failure `why` is Header.
Result<AgeHeader> parseHeader(LineSource& input, AgeFailure& why);

/// The header's text up to and including "---", for the MAC.
std::string encodeHeaderForMac(const std::vector<AgeStanza>& stanzas);
/// The MAC line's tail: " " + base64(mac) + "\n".
std::string encodeMacLine(const Digest32& mac);
/// HMAC-SHA-256 under HKDF-SHA-256(file key, salt = "", info = "header").
Result<Digest32> headerMac(ByteView fileKey, ByteView macInput);

} // namespace coffer::crypto::age
