// The strict armor codec (Armor.h; FORMAT.md §13 for age, §14 for Coffer).
#include "Armor.h"

#include "Base64.h"

#include <algorithm>
#include <cstring>

namespace coffer::crypto {

namespace {

constexpr std::size_t kColumns = 64;
constexpr std::size_t kBytesPerLine = 48;
// Whitespace around the block that the age style skips: more than any editor
// or mail client adds, and a bound, so a stream of blanks cannot keep us reading.
constexpr std::size_t kMaxOutsideWhitespace = 64 * 1024;

bool isWhitespace(std::uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// Padded, canonical base64 of one line (RFC 4648 §4 with '='; RFC 7468 strict).
std::optional<Bytes> decodePadded(std::string_view line)
{
    std::size_t pads = 0;
    while (pads < line.size() && line[line.size() - 1 - pads] == '=')
        ++pads;
    const std::string_view body = line.substr(0, line.size() - pads);
    if (line.size() % 4 != 0 || pads != (4 - body.size() % 4) % 4)
        return std::nullopt;
    return base64Decode(body); // refuses '=' inside, other characters and non-zero spare bits
}

std::string encodePadded(ByteView data)
{
    std::string text = base64Encode(data);
    text.append((4 - text.size() % 4) % 4, '=');
    return text;
}

class StringSink final : public ByteSink {
public:
    Status write(ByteView data) override
    {
        text.append(data.begin(), data.end());
        return Status::success();
    }
    std::string text;
};

} // namespace

Error ArmorReader::fail(std::string detail)
{
    m_failed = true;
    m_error = makeError(ErrorCode::Damaged, std::string(m_style.what) + " is malformed: " + std::move(detail));
    return *m_error;
}

Status ArmorReader::start()
{
    m_started = true;
    for (std::size_t skipped = 0; m_style.whitespaceAround; ++skipped) {
        auto next = m_input.peek(1);
        COFFER_TRY(next);
        if (next->empty() || !isWhitespace((*next)[0]))
            break;
        if (skipped == kMaxOutsideWhitespace)
            return fail("too much whitespace before it");
        std::uint8_t byte = 0;
        COFFER_TRY(m_input.read(MutableByteView(&byte, 1)));
    }
    auto line = m_input.readLine(m_style.begin.size() + 1);
    if (!line.ok() && line.error().code == ErrorCode::Io)
        return line.error();
    if (!line.ok() || !line->has_value())
        return fail("the BEGIN line is missing");
    std::string& l = **line;
    m_crlf = l.ends_with('\r');
    if (m_crlf)
        l.pop_back();
    if (l != m_style.begin)
        return fail("the first line is not \"" + std::string(m_style.begin) + "\"");
    return Status::success();
}

Status ArmorReader::finishEnd()
{
    Bytes rest(m_style.end.size());
    COFFER_TRY(m_input.read(rest)); // peeked: all there
    if (!m_style.whitespaceAround) {
        // Strict: nothing after END but its own line end, LF or CRLF as the others.
        const std::string_view lineEnd = m_crlf ? "\r\n" : "\n";
        Bytes tail(lineEnd.size() + 1);
        auto n = m_input.read(tail);
        COFFER_TRY(n);
        while (*n < tail.size()) { // a short read is not the end yet
            auto more = m_input.read(MutableByteView(tail).subspan(*n));
            COFFER_TRY(more);
            if (*more == 0)
                break;
            *n += *more;
        }
        const std::string_view got(reinterpret_cast<const char*>(tail.data()), *n);
        if (!got.empty() && got != lineEnd)
            return fail("there is something after the END line");
        m_ended = true;
        return Status::success();
    }
    // After END, only whitespace (the line end, blank lines) may follow.
    std::size_t seen = 0;
    while (true) {
        auto n = m_input.read(rest);
        COFFER_TRY(n);
        if (*n == 0)
            break;
        seen += *n;
        if (!std::all_of(rest.begin(), rest.begin() + static_cast<std::ptrdiff_t>(*n), isWhitespace))
            return fail("there is data after the END line");
        if (seen > kMaxOutsideWhitespace)
            return fail("there is too much whitespace after the END line");
    }
    m_ended = true;
    return Status::success();
}

Status ArmorReader::nextLine()
{
    auto ahead = m_input.peek(m_style.end.size());
    COFFER_TRY(ahead);
    if (std::equal(ahead->begin(), ahead->end(), m_style.end.begin(), m_style.end.end()))
        return finishEnd();
    if (m_lastLine)
        return fail("the END line does not follow the last line");
    auto line = m_input.readLine(kColumns + 1);
    if (!line.ok() && line.error().code == ErrorCode::Io)
        return line.error();
    if (!line.ok() || !line->has_value())
        return fail("it ends without an END line, or a line is too long");
    std::string& l = **line;
    if (m_crlf && !l.ends_with('\r'))
        return fail("its line ends mix CRLF and LF");
    if (m_crlf)
        l.pop_back();
    if (l.empty() || l.size() > kColumns)
        return fail("a line is empty or longer than 64 columns");
    auto bytes = decodePadded(l);
    if (!bytes)
        return fail("a line is not canonical padded base64");
    m_lastLine = l.size() < kColumns || l.back() == '=';
    m_decoded = std::move(*bytes);
    m_pos = 0;
    return Status::success();
}

Result<std::size_t> ArmorReader::read(MutableByteView buffer)
{
    if (m_error)
        return *m_error;
    std::size_t total = 0;
    while (total < buffer.size()) {
        if (m_pos < m_decoded.size()) {
            const std::size_t take = std::min(buffer.size() - total, m_decoded.size() - m_pos);
            std::memcpy(buffer.data() + total, m_decoded.data() + m_pos, take);
            m_pos += take;
            total += take;
            continue;
        }
        if (m_ended)
            break;
        const Status status = m_started ? nextLine() : start();
        if (!status.ok()) {
            m_error = status.error();
            return total > 0 ? Result<std::size_t>(total) : Result<std::size_t>(*m_error);
        }
    }
    return total;
}

Status ArmorWriter::flushLines(bool final)
{
    std::string text;
    if (!m_started)
        text = std::string(m_style.begin) + "\n";
    m_started = true;
    const std::size_t whole = final ? m_pending.size() : m_pending.size() / kBytesPerLine * kBytesPerLine;
    for (std::size_t at = 0; at < whole; at += kBytesPerLine)
        text += encodePadded(ByteView(m_pending).subspan(at, std::min(kBytesPerLine, whole - at))) + "\n";
    m_pending.erase(m_pending.begin(), m_pending.begin() + static_cast<std::ptrdiff_t>(whole));
    if (final)
        text += std::string(m_style.end) + "\n";
    return m_output.write(asBytes(text));
}

Status ArmorWriter::write(ByteView data)
{
    m_pending.insert(m_pending.end(), data.begin(), data.end());
    if (m_pending.size() < 1024 * kBytesPerLine)
        return Status::success();
    return flushLines(false);
}

Status ArmorWriter::finish()
{
    return flushLines(true);
}

std::string encodeArmor(ByteView data, const ArmorStyle& style)
{
    StringSink sink;
    ArmorWriter writer(sink, style);
    (void)writer.write(data); // a StringSink never fails
    (void)writer.finish();
    return std::move(sink.text);
}

std::size_t maxArmoredSize(std::size_t bytes, const ArmorStyle& style)
{
    const std::size_t lines = (bytes + kBytesPerLine - 1) / kBytesPerLine;
    return style.begin.size() + 2 + lines * (kColumns + 2) + style.end.size() + 2;
}

Result<Bytes> decodeArmor(std::string_view text, const ArmorStyle& style, std::size_t maxBytes)
{
    if (!style.whitespaceAround && text.size() > maxArmoredSize(maxBytes, style))
        return makeError(ErrorCode::LimitExceeded, std::string(style.what) + " is longer than the " +
                                                       std::to_string(maxBytes / 1024) + " KiB that may be armored");
    MemorySource memory(asBytes(text));
    LineSource lines(memory);
    ArmorReader reader(lines, style);
    Bytes out;
    Bytes chunk(16 * 1024);
    while (true) {
        auto n = reader.read(chunk);
        COFFER_TRY(n);
        if (*n == 0)
            break;
        out.insert(out.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(*n));
        if (out.size() > maxBytes)
            return makeError(ErrorCode::LimitExceeded, std::string(style.what) + " holds more than the " +
                                                           std::to_string(maxBytes / 1024) +
                                                           " KiB that may be armored");
    }
    return out;
}

} // namespace coffer::crypto
