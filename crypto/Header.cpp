#include "Header.h"

#include "Base64.h"

#include <algorithm>
#include <string_view>

namespace coffer::crypto {

namespace {

constexpr std::size_t kColumns = 64;

Error damaged(std::string what)
{
    return makeError(ErrorCode::Damaged, "header: " + std::move(what));
}

void appendBody(std::string& out, ByteView body)
{
    const std::string b64 = base64Encode(body);
    // Lines of exactly 64 columns, then a final line shorter than 64 (maybe empty),
    // so the end of the body is unambiguous (age.md, "Header").
    std::size_t i = 0;
    for (; i + kColumns <= b64.size(); i += kColumns) {
        out.append(b64, i, kColumns);
        out += '\n';
    }
    out.append(b64, i, std::string::npos);
    out += '\n';
}

// An argument or type: one or more visible ASCII characters (age's VCHAR).
bool isArgument(std::string_view s)
{
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= 33 && c <= 126; });
}

std::vector<std::string_view> splitSpaces(std::string_view line)
{
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    while (true) {
        const auto pos = line.find(' ', start);
        parts.push_back(line.substr(start, pos - start));
        if (pos == std::string_view::npos)
            break;
        start = pos + 1;
    }
    return parts;
}

class LineReader {
public:
    explicit LineReader(std::string_view text) : m_text(text) {}
    std::optional<std::string_view> next()
    {
        const auto nl = m_text.find('\n', m_pos);
        if (nl == std::string_view::npos)
            return std::nullopt;
        auto line = m_text.substr(m_pos, nl - m_pos);
        m_pos = nl + 1;
        return line;
    }
    std::size_t position() const { return m_pos; }

private:
    std::string_view m_text;
    std::size_t m_pos = 0;
};

} // namespace

bool startsWithVersionLine(std::string_view start)
{
    for (const std::string_view line : {kVersionLine, kVersionLineV2})
        if (start.size() > line.size() && start.substr(0, line.size()) == line && start[line.size()] == '\n')
            return true;
    return false;
}

std::string serialiseHeaderForMac(const Header& header)
{
    std::string out(header.version == kFormatV2 ? kVersionLineV2 : kVersionLine);
    out += '\n';
    for (const auto& stanza : header.stanzas) {
        out += "-> ";
        out += stanza.type;
        for (const auto& arg : stanza.args) {
            out += ' ';
            out += arg;
        }
        out += '\n';
        appendBody(out, stanza.body);
    }
    out += "---";
    return out;
}

std::optional<Stanza> padStanzaOfLength(std::size_t length)
{
    // "-> pad" LF, then the body: c base64 characters in lines of 64, each with
    // its LF, and a final (maybe empty) line: 8 + c + c/64 bytes. Not every
    // length is reachable by the body alone (c = 1 mod 4 is not base64, and a
    // full line adds an LF); a short argument of 'p's makes up the rest.
    constexpr std::size_t kFixed = 8;
    if (length < kFixed)
        return std::nullopt;
    for (std::size_t n = std::min(kMaxStanzaBody, length * 3 / 4);; --n) {
        const std::size_t c = (4 * n + 2) / 3;
        const std::size_t base = kFixed + c + c / 64;
        if (base <= length) {
            const std::size_t rest = length - base;
            if (rest == 0)
                return Stanza{std::string(kPadStanzaType), {}, Bytes(n, 0)};
            if (rest >= 2 && rest <= 9)
                return Stanza{std::string(kPadStanzaType), {std::string(rest - 1, 'p')}, Bytes(n, 0)};
            if (rest > 9)
                return std::nullopt; // longer than the largest body allows
            // rest == 1: one byte too few for " p"; a shorter body leaves room.
        }
        if (n == 0)
            return std::nullopt;
    }
}

std::string serialiseHeader(const Header& header)
{
    std::string out = serialiseHeaderForMac(header);
    out += ' ';
    out += base64Encode(header.mac);
    out += '\n';
    return out;
}

std::optional<std::size_t> findHeaderEnd(ByteView data)
{
    const std::string_view text(reinterpret_cast<const char*>(data.data()), std::min(data.size(), kMaxHeaderSize));
    std::size_t pos = 0;
    while (pos < text.size()) {
        const auto nl = text.find('\n', pos);
        if (nl == std::string_view::npos)
            return std::nullopt;
        if (text.substr(pos, 4) == "--- ")
            return nl + 1;
        pos = nl + 1;
    }
    return std::nullopt;
}

Result<ParsedHeader> parseHeader(ByteView data)
{
    const std::string_view text(reinterpret_cast<const char*>(data.data()), std::min(data.size(), kMaxHeaderSize));
    LineReader lines(text);

    const auto version = lines.next();
    if (!version) {
        // No complete first line: a truncated container still starts like one.
        const std::size_t n = std::min<std::size_t>(kVersionLine.size(), text.size());
        for (const std::string_view line : {kVersionLine, kVersionLineV2})
            if (n > 0 && text.substr(0, n) == line.substr(0, n))
                return damaged("the header is truncated");
        return makeError(ErrorCode::NotAContainer, "not a Coffer container");
    }
    const auto crLine = [&](std::string_view line) {
        return version->size() == line.size() + 1 && version->substr(0, line.size()) == line && version->back() == '\r';
    };
    if (crLine(kVersionLine) || crLine(kVersionLineV2))
        return damaged(
            "its line endings were changed to CR LF (the file was transferred as text); get the original file");
    if (*version != kVersionLine && *version != kVersionLineV2) {
        if (version->substr(0, 7) == "coffer/")
            return makeError(ErrorCode::UnsupportedVersion,
                             "unsupported container version \"" + std::string(version->substr(0, 32)) + "\"");
        return makeError(ErrorCode::NotAContainer, "not a Coffer container");
    }

    ParsedHeader parsed;
    parsed.header.version = *version == kVersionLineV2 ? kFormatV2 : kFormatV1;
    while (true) {
        const auto line = lines.next();
        if (!line)
            return data.size() >= kMaxHeaderSize ? makeError(ErrorCode::LimitExceeded, "header larger than 256 KiB")
                                                 : damaged("the header is truncated");
        if (line->substr(0, 4) == "--- " || *line == "---") {
            const auto macText = line->size() > 4 ? line->substr(4) : std::string_view{};
            const auto mac = base64Decode(macText);
            if (!mac || mac->size() != kSha256Size)
                return damaged("the MAC line is malformed");
            std::copy(mac->begin(), mac->end(), parsed.header.mac.begin());
            parsed.length = lines.position();
            parsed.macInputLength = lines.position() - line->size() - 1 + 3;
            if (parsed.header.stanzas.empty())
                return damaged("the header has no recipient stanza");
            break;
        }
        if (line->substr(0, 3) != "-> ")
            return damaged("expected a stanza or the MAC line");
        const auto parts = splitSpaces(line->substr(3));
        if (parts.size() > kMaxStanzaArgs + 1)
            return makeError(ErrorCode::LimitExceeded, "a stanza has too many arguments");
        for (const auto part : parts)
            if (!isArgument(part))
                return damaged("a stanza line is malformed");
        if (parsed.header.stanzas.size() == kMaxStanzas)
            return makeError(ErrorCode::LimitExceeded, "the header has more than 1024 stanzas");

        Stanza stanza;
        stanza.type = std::string(parts[0]);
        for (std::size_t i = 1; i < parts.size(); ++i)
            stanza.args.emplace_back(parts[i]);

        std::string b64;
        while (true) {
            const auto bodyLine = lines.next();
            if (!bodyLine)
                return data.size() >= kMaxHeaderSize ? makeError(ErrorCode::LimitExceeded, "header larger than 256 KiB")
                                                     : damaged("a stanza body is truncated");
            if (bodyLine->size() > kColumns)
                return damaged("a stanza body line is longer than 64 columns");
            b64 += *bodyLine;
            if (b64.size() > (kMaxStanzaBody * 4 + 2) / 3)
                return makeError(ErrorCode::LimitExceeded, "a stanza body is too large");
            if (bodyLine->size() < kColumns)
                break;
        }
        auto body = base64Decode(b64);
        if (!body)
            return damaged("a stanza body is not canonical base64");
        if (body->size() > kMaxStanzaBody)
            return makeError(ErrorCode::LimitExceeded, "a stanza body is too large");
        stanza.body = std::move(*body);
        parsed.header.stanzas.push_back(std::move(stanza));
    }

    // Canonical form only: re-serialising must give back the same bytes. This
    // catches every encoding choice the grammar leaves open (FORMAT.md §2.1).
    const std::string again = serialiseHeader(parsed.header);
    if (again.size() != parsed.length || std::string_view(text.data(), parsed.length) != again)
        return damaged("the header is not in canonical form");
    return parsed;
}

Digest32 computeHeaderMac(const FileKey& fileKey, ByteView macInput)
{
    static constexpr std::string_view label = "coffer/v1/header";
    auto key =
        hkdfSha256(fileKey.view(), {}, ByteView(reinterpret_cast<const std::uint8_t*>(label.data()), label.size()), 32);
    // hkdfSha256 only fails for out-of-range lengths; 32 is in range.
    return hmacSha256(key.value(), macInput);
}

Status verifyHeaderMac(const FileKey& fileKey, ByteView macInput, const Digest32& mac)
{
    const Digest32 expected = computeHeaderMac(fileKey, macInput);
    if (!constantTimeEqual(expected, mac))
        return makeError(ErrorCode::Damaged,
                         "the header's MAC does not match: the container was damaged or tampered with");
    return Status::success();
}

} // namespace coffer::crypto
