#include "PaperKey.h"

#include "Bech32.h"
#include "Utf8.h"

#include <algorithm>

namespace coffer {

namespace {

constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"; // RFC 4648 base32
constexpr std::size_t kGroup = 5;
constexpr std::size_t kGroupsPerLine = 6;
constexpr std::size_t kSymbolsPerLine = kGroup * kGroupsPerLine;
constexpr std::size_t kKeyBytes = 65; // version byte, X25519 secret, Ed25519 seed (FORMAT.md §6)
constexpr std::string_view kFingerprintLabel = "FINGERPRINT:";

Error bad(const std::string& what, const std::string& hint = "compare the text with the printed page")
{
    return makeError(ErrorCode::InvalidArgument, what, hint);
}

std::string lineName(std::size_t n)
{
    return "line " + std::to_string(n) + " of the paper key";
}

int symbolValue(char c)
{
    if (c >= 'a' && c <= 'z')
        c = static_cast<char>(c - 'a' + 'A');
    const auto pos = kAlphabet.find(c);
    return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}

/// (97 * line + sum of (i + 1) * symbol_i) mod 1021, as two symbols: any one
/// wrong symbol and any swap of two neighbours changes it (KEYRING.md).
std::string checksum(std::size_t lineNo, const crypto::SecureBytes& symbols)
{
    std::uint32_t sum = static_cast<std::uint32_t>((97 * lineNo) % 1021);
    for (std::size_t i = 0; i < symbols.size(); ++i)
        sum = (sum + static_cast<std::uint32_t>(i + 1) * symbols[i]) % 1021;
    return {kAlphabet[sum / 32], kAlphabet[sum % 32]};
}

std::string_view trim(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

/// The non-blank lines of `text`, trimmed.
std::vector<std::string_view> contentLines(std::string_view text)
{
    std::vector<std::string_view> lines;
    while (!text.empty()) {
        const auto nl = text.find('\n');
        const auto line = trim(text.substr(0, nl));
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        if (!line.empty())
            lines.push_back(line);
    }
    return lines;
}

std::string digitsOf(std::string_view s)
{
    std::string d;
    for (const char c : s)
        if (c >= '0' && c <= '9')
            d += c;
    return d;
}

} // namespace

crypto::SecureString paperKeyText(const crypto::SecretIdentity& identity)
{
    const crypto::SecureString secret = identity.encode();
    auto raw = crypto::bech32DecodeSecret(secret, crypto::kSecretHrp);
    crypto::SecureBytes payload = raw ? std::move(*raw) : crypto::SecureBytes{};
    payload.insert(payload.end(), identity.name().begin(), identity.name().end());
    // Bytes to 5-bit symbols, most significant bit first; the last symbol is zero-padded.
    crypto::SecureBytes symbols;
    std::uint32_t acc = 0;
    int bits = 0;
    for (const auto b : payload) {
        acc = (acc << 8) | b;
        bits += 8;
        while (bits >= 5) {
            symbols.push_back(static_cast<std::uint8_t>((acc >> (bits - 5)) & 31));
            bits -= 5;
        }
    }
    if (bits > 0)
        symbols.push_back(static_cast<std::uint8_t>((acc << (5 - bits)) & 31));
    acc = 0;

    crypto::SecureString out(kPaperKeyHeader);
    out += '\n';
    for (std::size_t start = 0, lineNo = 1; start < symbols.size(); start += kSymbolsPerLine, ++lineNo) {
        const std::size_t end = std::min(symbols.size(), start + kSymbolsPerLine);
        crypto::SecureBytes line(symbols.begin() + static_cast<std::ptrdiff_t>(start),
                                 symbols.begin() + static_cast<std::ptrdiff_t>(end));
        out += std::to_string(lineNo) + ":";
        for (std::size_t i = 0; i < line.size(); ++i) {
            if (i % kGroup == 0)
                out += ' ';
            out += kAlphabet[line[i]];
        }
        out += "  " + checksum(lineNo, line) + "\n";
    }
    out += std::string(kFingerprintLabel) + " " + identity.card()->fingerprint() + "\n";
    return out;
}

bool looksLikePaperKey(std::string_view text)
{
    const auto lines = contentLines(text.substr(0, 4096));
    return !lines.empty() && lines.front() == kPaperKeyHeader;
}

Result<crypto::SecretIdentity> parsePaperKey(std::string_view text)
{
    const auto lines = contentLines(text);
    if (lines.empty() || lines.front() != kPaperKeyHeader)
        return bad("this is not a Coffer paper key: its first line should read " + std::string(kPaperKeyHeader),
                   "paste the whole key, from " + std::string(kPaperKeyHeader) + " to the FINGERPRINT line");
    crypto::SecureBytes symbols;
    std::size_t lineNo = 0;
    std::size_t i = 1;
    for (; i < lines.size() && lines[i].substr(0, kFingerprintLabel.size()) != kFingerprintLabel; ++i) {
        ++lineNo;
        const auto line = lines[i];
        const std::string label = std::to_string(lineNo) + ":";
        if (line.substr(0, label.size()) != label)
            return bad(lineName(lineNo) + " is missing or out of order: the next line should start with \"" + label +
                       "\"");
        // The data symbols, then the checksum as the last group.
        std::vector<std::string_view> groups;
        std::string_view rest = line.substr(label.size());
        while (!(rest = trim(rest)).empty()) {
            const auto space = rest.find_first_of(" \t");
            groups.push_back(rest.substr(0, space));
            rest = space == std::string_view::npos ? std::string_view{} : rest.substr(space);
        }
        if (groups.size() < 2 || groups.back().size() != 2)
            return bad(lineName(lineNo) + " does not end in its two-letter checksum");
        crypto::SecureBytes lineSymbols;
        for (std::size_t g = 0; g < groups.size(); ++g)
            for (const char c : groups[g]) {
                const int v = symbolValue(c);
                if (v < 0)
                    return bad(lineName(lineNo) + " holds \"" + std::string(1, c) +
                               "\", which is not on a paper key (only the letters A to Z and the digits 2 to 7)");
                if (g + 1 < groups.size())
                    lineSymbols.push_back(static_cast<std::uint8_t>(v));
            }
        if (lineSymbols.size() > kSymbolsPerLine)
            return bad(lineName(lineNo) + " has more than " + std::to_string(kSymbolsPerLine) + " characters");
        std::string given(groups.back());
        std::transform(given.begin(), given.end(), given.begin(),
                       [](char c) { return kAlphabet[static_cast<std::size_t>(symbolValue(c))]; });
        if (given != checksum(lineNo, lineSymbols))
            return bad(lineName(lineNo) + " does not match its checksum: a character on that line is mistyped",
                       "compare line " + std::to_string(lineNo) + " with the printed page, group by group");
        symbols.insert(symbols.end(), lineSymbols.begin(), lineSymbols.end());
    }
    if (i == lines.size())
        return bad("the paper key ends early: its last line, \"FINGERPRINT: ...\", is missing");
    if (i + 1 != lines.size())
        return bad("there is more text after the paper key's FINGERPRINT line",
                   "paste only the key, from " + std::string(kPaperKeyHeader) + " to the FINGERPRINT line");
    // Symbols back to bytes; the padding bits must be zero.
    crypto::SecureBytes payload;
    std::uint32_t acc = 0;
    int bits = 0;
    for (const auto s : symbols) {
        acc = ((acc << 5) | s) & 0xFFFF;
        bits += 5;
        if (bits >= 8) {
            payload.push_back(static_cast<std::uint8_t>((acc >> (bits - 8)) & 0xFF));
            bits -= 8;
        }
    }
    const bool cleanEnd = (acc & ((1u << bits) - 1)) == 0;
    acc = 0;
    if (payload.size() < kKeyBytes || payload.size() > kKeyBytes + crypto::kMaxCardNameBytes || !cleanEnd)
        return bad("the paper key has " + std::string(payload.size() < kKeyBytes ? "too few" : "too many") +
                   " characters: a line is missing or was typed twice");
    const crypto::SecureBytes key(payload.begin(), payload.begin() + kKeyBytes);
    std::string keyText = crypto::bech32Encode(crypto::kSecretHrp, crypto::ByteView(key.data(), key.size()), true);
    auto id = crypto::SecretIdentity::decode(keyText);
    crypto::secureWipe(keyText.data(), keyText.size());
    if (!id.ok() || !id->canSign())
        return bad("the paper key does not hold a Coffer secret key of a version this Coffer reads");
    const std::string name(payload.begin() + kKeyBytes, payload.end());
    if (crypto::sanitizeDisplayName(name, crypto::kMaxCardNameBytes) != name)
        return bad("the name on the paper key is not text");
    id->setName(name);
    const auto printed = lines[i].substr(kFingerprintLabel.size());
    if (digitsOf(printed) != digitsOf(id->card()->fingerprint()))
        return bad("the key on this page does not match the fingerprint printed under it",
                   "check the FINGERPRINT line and each line of the key against the printed page");
    return std::move(*id);
}

} // namespace coffer
