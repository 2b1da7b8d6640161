// The container header (FORMAT.md §2): a version line, stanzas, and a MAC
// line, in age's text grammar. Parsing is strict: only the one canonical
// serialisation of a header is accepted, so parse(serialise(h)) == h and
// serialise(parse(b)) == b.
#pragma once

#include "Primitives.h"
#include "Result.h"
#include "SecureMemory.h"

#include <optional>
#include <string>
#include <vector>

namespace coffer::crypto {

/// The version line names the archive's format (FORMAT.md §2.1): v1 (Coffer
/// 0.1) or v2 (compact metadata, §5). Everything else in the header is the same.
inline constexpr std::string_view kVersionLine = "coffer/v1";
inline constexpr std::string_view kVersionLineV2 = "coffer/v2";
inline constexpr std::uint8_t kFormatV1 = 1;
inline constexpr std::uint8_t kFormatV2 = 2;
/// What Coffer writes.
inline constexpr std::uint8_t kCurrentFormat = kFormatV2;
/// True if `start` begins with a version line Coffer reads, its LF included
/// ("coffer/v1" or "coffer/v2"): a quick look at a file, not a check of it.
bool startsWithVersionLine(std::string_view start);
inline constexpr std::size_t kMaxHeaderSize = 256 * 1024;
inline constexpr std::size_t kMaxStanzas = 1024;
inline constexpr std::size_t kMaxStanzaArgs = 16;
inline constexpr std::size_t kMaxStanzaBody = 16 * 1024;

using FileKey = SecretArray<32>;

/// One recipient entry: "-> TYPE ARG..." then a base64 body.
struct Stanza {
    std::string type;
    std::vector<std::string> args;
    Bytes body;
    bool operator==(const Stanza&) const = default;
};

struct Header {
    std::uint8_t version = kFormatV1; // kFormatV1 or kFormatV2: the version line
    std::vector<Stanza> stanzas;
    Digest32 mac{};
};

/// The padding stanza (FORMAT.md §3.4): "-> pad [p...]" with a body of zero
/// bytes. Writers add one so that headers have room for rekeying in place;
/// readers skip it like any unknown type.
inline constexpr std::string_view kPadStanzaType = "pad";
/// A pad stanza whose serialised text is exactly `length` bytes, if one exists
/// (every length from 10 up to about 21 KiB has one, and 8).
std::optional<Stanza> padStanzaOfLength(std::size_t length);

/// Serialises everything up to and including "---" (the bytes the MAC covers).
std::string serialiseHeaderForMac(const Header& header);
/// The full header text, ending with the MAC line and its newline.
std::string serialiseHeader(const Header& header);

struct ParsedHeader {
    Header header;
    std::size_t length = 0;         // bytes of the header including the MAC line's newline
    std::size_t macInputLength = 0; // bytes covered by the MAC
};

/// Returns the header's length once `data` holds the whole MAC line, nullopt if
/// more bytes are needed. Does not validate anything else.
std::optional<std::size_t> findHeaderEnd(ByteView data);

/// Parses the header at the start of `data` (which may continue with the payload).
Result<ParsedHeader> parseHeader(ByteView data);

/// The header MAC key: HKDF-SHA-256(file key, no salt, "coffer/v1/header").
Digest32 computeHeaderMac(const FileKey& fileKey, ByteView macInput);
/// Constant-time check of the header MAC.
Status verifyHeaderMac(const FileKey& fileKey, ByteView macInput, const Digest32& mac);

} // namespace coffer::crypto
