// Strict ASCII armor (RFC 7468 §3 "strict"), one codec for two labels: age's
// "AGE ENCRYPTED FILE" (C2SP age.md, FORMAT.md §13) and Coffer's "COFFER
// ENCRYPTED FILE" (FORMAT.md §14). Padded canonical base64 in 64-column lines,
// the last one shorter or full, no headers; LF or CRLF line ends, the same for
// every line. What may surround the block is the style's: age allows
// whitespace before BEGIN and after END, Coffer allows nothing but the END
// line's own line end. Anything else is refused, so an armored file has one
// encoding only and cannot be altered without notice.
#pragma once

#include "ByteStream.h"
#include "LineSource.h"

#include <optional>
#include <string>
#include <string_view>

namespace coffer::crypto {

/// One armor: its exact first and last lines, how errors name it, and what
/// may surround the block.
struct ArmorStyle {
    std::string_view begin; // "-----BEGIN ... -----"
    std::string_view end;   // "-----END ... -----"
    std::string_view what;  // error messages start "<what> is malformed: "
    bool whitespaceAround;  // true: blanks before BEGIN and after END are skipped
};

inline constexpr ArmorStyle kAgeArmor{"-----BEGIN AGE ENCRYPTED FILE-----", "-----END AGE ENCRYPTED FILE-----",
                                      "this age file's ASCII armor", true};
inline constexpr ArmorStyle kCofferArmor{"-----BEGIN COFFER ENCRYPTED FILE-----", "-----END COFFER ENCRYPTED FILE-----",
                                         "this armored Coffer text", false};

/// The binary file inside an armored one, decoded as it is read.
class ArmorReader final : public ByteSource {
public:
    /// `input` must be positioned at the start of the file.
    ArmorReader(LineSource& input, const ArmorStyle& style) : m_input(input), m_style(style) {}
    Result<std::size_t> read(MutableByteView buffer) override;
    /// True once the armor itself was found to break its rules.
    bool failed() const { return m_failed; }

private:
    Status start();
    Status nextLine();
    Status finishEnd();
    Error fail(std::string detail);

    LineSource& m_input;
    const ArmorStyle& m_style;
    Bytes m_decoded;
    std::size_t m_pos = 0;
    bool m_started = false;
    bool m_crlf = false;
    bool m_lastLine = false; // a short (or padded) line was read: END must follow
    bool m_ended = false;
    bool m_failed = false;
    std::optional<Error> m_error;
};

/// Armors what is written to it; finish() writes the last line and END.
class ArmorWriter final : public ByteSink {
public:
    ArmorWriter(ByteSink& output, const ArmorStyle& style) : m_output(output), m_style(style) {}
    Status write(ByteView data) override;
    Status finish();

private:
    Status flushLines(bool final);
    ByteSink& m_output;
    const ArmorStyle& m_style;
    Bytes m_pending; // bytes not yet encoded: less than one line's 48 unless flushing
    bool m_started = false;
};

/// Whole-buffer forms, for small files held in memory. decodeArmor() refuses
/// (Damaged) anything the reader refuses, and (LimitExceeded) text whose decoded
/// form would pass `maxBytes`.
std::string encodeArmor(ByteView data, const ArmorStyle& style);
Result<Bytes> decodeArmor(std::string_view text, const ArmorStyle& style, std::size_t maxBytes);

/// The longest armored text of `bytes` bytes, with CRLF line ends.
std::size_t maxArmoredSize(std::size_t bytes, const ArmorStyle& style);

} // namespace coffer::crypto
