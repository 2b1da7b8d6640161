#include "DisplayText.h"

#include "Utf8.h"

#include <array>
#include <cstdint>
#include <cstdio>

namespace coffer {

namespace {

/// Code points that move, reorder or hide text without looking like anything.
bool needsEscape(std::uint32_t cp)
{
    return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)           // C0, DEL, C1
           || cp == 0x00ad || cp == 0x061c || cp == 0x180e   // soft hyphen, Arabic letter mark, Mongolian separator
           || (cp >= 0x200b && cp <= 0x200f)                 // zero-width space/joiners, LRM, RLM
           || (cp >= 0x2028 && cp <= 0x202e)                 // line/paragraph separators, bidi embeddings
           || (cp >= 0x2060 && cp <= 0x206f)                 // word joiner, invisible operators, bidi isolates
           || cp == 0xfeff || (cp >= 0xfff9 && cp <= 0xfffb) // BOM, interlinear annotations
           || (cp >= 0xe0000 && cp <= 0xe007f);              // tag characters
}

/// Length of the UTF-8 sequence starting with `lead`, or 0 for a byte that cannot start one.
std::size_t sequenceLength(unsigned char lead)
{
    if (lead < 0x80)
        return 1;
    if ((lead & 0xe0) == 0xc0)
        return 2;
    if ((lead & 0xf0) == 0xe0)
        return 3;
    if ((lead & 0xf8) == 0xf0)
        return 4;
    return 0;
}

std::uint32_t decode(std::string_view seq)
{
    static constexpr std::array<unsigned, 5> kLeadMask = {0, 0x7f, 0x1f, 0x0f, 0x07};
    std::uint32_t cp = static_cast<unsigned char>(seq[0]) & kLeadMask[seq.size()];
    for (std::size_t k = 1; k < seq.size(); ++k)
        cp = (cp << 6) | (static_cast<unsigned char>(seq[k]) & 0x3f);
    return cp;
}

void appendEscape(std::string& out, const char* format, std::uint32_t value)
{
    char buf[16];
    std::snprintf(buf, sizeof buf, format, static_cast<unsigned>(value));
    out += buf;
}

bool isOpeningOrClosingBracket(std::uint32_t cp)
{
    // ASCII, fullwidth and small forms: Coffer's own status words come in parentheses.
    return cp == '(' || cp == ')' || cp == '[' || cp == ']' || cp == 0xff08 || cp == 0xff09 || cp == 0xff3b ||
           cp == 0xff3d || cp == 0xfe59 || cp == 0xfe5a;
}

std::string lowerAscii(std::string_view s)
{
    std::string out(s);
    for (auto& c : out)
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    return out;
}

/// True when `word` appears in `text` with no letter or digit right before or after it.
bool hasWord(const std::string& text, std::string_view word)
{
    auto isWordByte = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || static_cast<unsigned char>(c) >= 0x80;
    };
    for (auto at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) {
        const bool startOk = at == 0 || !isWordByte(text[at - 1]);
        const bool endOk = at + word.size() == text.size() || !isWordByte(text[at + word.size()]);
        if (startOk && endOk)
            return true;
    }
    return false;
}

Error badName(const std::string& why)
{
    return makeError(ErrorCode::InvalidArgument, "a contact name " + why);
}

} // namespace

std::string displayable(std::string_view untrusted)
{
    std::string out;
    out.reserve(untrusted.size());
    std::size_t i = 0;
    while (i < untrusted.size()) {
        const std::size_t n = sequenceLength(static_cast<unsigned char>(untrusted[i]));
        const std::string_view seq = untrusted.substr(i, n);
        if (n == 0 || seq.size() < n || !crypto::isValidUtf8(seq)) {
            appendEscape(out, "\\x%02x", static_cast<unsigned char>(untrusted[i]));
            ++i;
            continue;
        }
        const std::uint32_t cp = decode(seq);
        if (!needsEscape(cp))
            out += seq;
        else if (cp < 0x80)
            appendEscape(out, "\\x%02x", cp);
        else
            appendEscape(out, "\\u{%04X}", cp);
        i += n;
    }
    return out;
}

bool isPlainDisplayText(std::string_view text)
{
    return displayable(text) == text;
}

Status checkContactName(std::string_view name)
{
    if (name.empty() || name.size() > 64)
        return badName("is 1 to 64 characters");
    if (!isPlainDisplayText(name))
        return badName("cannot hold control, direction or invisible characters");
    if (name.front() == ' ' || name.back() == ' ')
        return badName("cannot start or end with a space");
    for (std::size_t i = 0; i < name.size();) {
        const std::size_t n = sequenceLength(static_cast<unsigned char>(name[i]));
        if (isOpeningOrClosingBracket(decode(name.substr(i, n))))
            return badName("cannot hold brackets: Coffer shows its own notes, such as \"(verified)\", in them");
        i += n;
    }
    const std::string lower = lowerAscii(name);
    if (lower == "you" || lower == "me")
        return badName("cannot be \"you\" or \"me\": Coffer uses those words for you");
    if (hasWord(lower, "verified") || hasWord(lower, "unverified"))
        return badName("cannot hold the words \"verified\" or \"unverified\": Coffer uses them for its own checks");
    return Status::success();
}

} // namespace coffer
