#include "AgeHeader.h"

#include "Base64.h"

#include <algorithm>
#include <cstring>

namespace coffer::crypto::age {

namespace {

constexpr std::size_t kColumns = 64;
constexpr std::string_view kStanzaPrefix = "-> ";
constexpr std::string_view kMacPrefix = "---";
constexpr std::size_t kMacBase64Size = 43;

Error headerError(AgeFailure& why, std::string detail)
{
    why = AgeFailure::Header;
    return makeError(ErrorCode::Damaged, "this age file's header is malformed: " + std::move(detail));
}

// A line that could not be read: the input's own error (I/O) as it is, anything else as a header failure.
Error lineError(const Result<std::optional<std::string>>& line, AgeFailure& why, std::string detail)
{
    why = AgeFailure::Header;
    if (!line.ok() && line.error().code != ErrorCode::Damaged)
        return line.error();
    return headerError(why, std::move(detail));
}

bool isVchar(char c)
{
    return c >= 0x21 && c <= 0x7e;
}

bool isBase64Char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

// arg-line = "-> " argument *(SP argument) LF, argument = 1*VCHAR
std::optional<std::vector<std::string>> splitArguments(std::string_view text)
{
    std::vector<std::string> args;
    std::size_t start = 0;
    while (true) {
        const std::size_t end = std::min(text.find(' ', start), text.size());
        const std::string_view arg = text.substr(start, end - start);
        if (arg.empty() || !std::all_of(arg.begin(), arg.end(), isVchar))
            return std::nullopt;
        args.emplace_back(arg);
        if (end == text.size())
            return args;
        start = end + 1;
    }
}

} // namespace

namespace {

// Reads the body lines after an arg line: full 64-column lines, then one shorter (maybe empty) line.
Result<Bytes> readBody(LineSource& input, Bytes& raw, AgeFailure& why)
{
    std::string text;
    while (true) {
        auto line = input.readLine(kColumns);
        if (!line.ok() || !line->has_value())
            return lineError(line, why, "a stanza body is missing or cut short");
        const std::string& l = **line;
        if (l.size() > kColumns || !std::all_of(l.begin(), l.end(), isBase64Char))
            return headerError(why, "a stanza body line is not base64 wrapped at 64 columns");
        raw.insert(raw.end(), l.begin(), l.end());
        raw.push_back('\n');
        text += l;
        if (l.size() < kColumns)
            break;
        if (raw.size() > kMaxHeaderSize)
            return headerError(why, "it is too long");
    }
    auto body = base64Decode(text);
    if (!body)
        return headerError(why, "a stanza body is not canonical base64");
    return std::move(*body);
}

Status readVersion(LineSource& input, Bytes& raw, AgeFailure& why)
{
    auto line = input.readLine(256);
    if (!line.ok() || !line->has_value())
        return lineError(line, why, "there is no version line");
    const std::string& l = **line;
    if (l != kVersionLine) {
        constexpr std::string_view prefix = "age-encryption.org/";
        if (l.size() > prefix.size() && l.starts_with(prefix) && std::all_of(l.begin(), l.end(), isVchar)) {
            why = AgeFailure::Header;
            return makeError(ErrorCode::UnsupportedVersion, "this age file uses format version \"" +
                                                                l.substr(prefix.size()) +
                                                                "\", which this version of Coffer cannot open");
        }
        return headerError(why, "the version line is not \"age-encryption.org/v1\"");
    }
    raw.insert(raw.end(), l.begin(), l.end());
    raw.push_back('\n');
    return Status::success();
}

Status readMac(const std::string& line, AgeHeader& header, AgeFailure& why)
{
    // end = "--- " 43base64char LF
    if (line.size() != kMacPrefix.size() + 1 + kMacBase64Size || line[kMacPrefix.size()] != ' ')
        return headerError(why, "the MAC line is malformed");
    const auto mac = base64Decode(std::string_view(line).substr(kMacPrefix.size() + 1));
    if (!mac || mac->size() != header.mac.size())
        return headerError(why, "the MAC is not canonical base64 of 32 bytes");
    std::copy(mac->begin(), mac->end(), header.mac.begin());
    header.macInput.insert(header.macInput.end(), kMacPrefix.begin(), kMacPrefix.end());
    return Status::success();
}

} // namespace

Result<AgeHeader> parseHeader(LineSource& input, AgeFailure& why)
{
    AgeHeader header;
    COFFER_TRY(readVersion(input, header.macInput, why));
    while (true) {
        auto line = input.readLine(kMaxHeaderSize);
        if (!line.ok() || !line->has_value())
            return lineError(line, why, "it ends before the MAC line");
        const std::string& l = **line;
        if (l.starts_with(kMacPrefix) && !header.stanzas.empty()) {
            COFFER_TRY(readMac(l, header, why));
            return header;
        }
        if (!l.starts_with(kStanzaPrefix))
            return headerError(why, "a line is neither a stanza nor the MAC");
        auto args = splitArguments(std::string_view(l).substr(kStanzaPrefix.size()));
        if (!args)
            return headerError(why, "a stanza has an empty or invalid argument");
        header.macInput.insert(header.macInput.end(), l.begin(), l.end());
        header.macInput.push_back('\n');
        auto body = readBody(input, header.macInput, why);
        COFFER_TRY(body);
        AgeStanza stanza{args->front(), std::vector<std::string>(args->begin() + 1, args->end()), std::move(*body)};
        header.stanzas.push_back(std::move(stanza));
        if (header.macInput.size() > kMaxHeaderSize)
            return headerError(why, "it is too long");
    }
}

std::string encodeHeaderForMac(const std::vector<AgeStanza>& stanzas)
{
    std::string out = std::string(kVersionLine) + "\n";
    for (const auto& s : stanzas) {
        out += std::string(kStanzaPrefix) + s.type;
        for (const auto& a : s.args)
            out += " " + a;
        out += "\n";
        const std::string body = base64Encode(s.body);
        // Full 64-column lines, then a shorter one, empty if the body fills its lines exactly.
        for (std::size_t at = 0; at <= body.size(); at += kColumns)
            out += body.substr(at, kColumns) + "\n";
    }
    return out + std::string(kMacPrefix);
}

std::string encodeMacLine(const Digest32& mac)
{
    return " " + base64Encode(mac) + "\n";
}

Result<Digest32> headerMac(ByteView fileKey, ByteView macInput)
{
    auto key = hkdfSha256(fileKey, {}, asBytes("header"), 32);
    COFFER_TRY(key);
    return hmacSha256(*key, macInput);
}

} // namespace coffer::crypto::age
