// age's ASCII armor (C2SP age.md, "ASCII armor"; FORMAT.md §13): strict PEM
// (RFC 7468 §3) with the label "AGE ENCRYPTED FILE", padded canonical base64
// in 64-column lines, the last one shorter or full, no headers. Coffer
// accepts whitespace before the BEGIN line and after the END line, and LF or
// CRLF line ends (the same for every line); anything else is refused, so an
// armored file has one encoding only and cannot be altered without notice.
#pragma once

#include "ByteStream.h"

#include <optional>

namespace coffer::crypto::age {

class LineSource;

/// The binary age file inside an armored one, decoded as it is read.
class ArmorReader final : public ByteSource {
public:
    /// `input` must be positioned at the start of the file.
    explicit ArmorReader(LineSource& input) : m_input(input) {}
    Result<std::size_t> read(MutableByteView buffer) override;
    /// True once the armor itself was found to break its rules.
    bool failed() const { return m_failed; }

private:
    Status start();
    Status nextLine();
    Status finishEnd();
    Error fail(std::string detail);

    LineSource& m_input;
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
    explicit ArmorWriter(ByteSink& output) : m_output(output) {}
    Status write(ByteView data) override;
    Status finish();

private:
    Status flushLines(bool final);
    ByteSink& m_output;
    Bytes m_pending; // bytes not yet encoded: less than one line's 48 unless flushing
    bool m_started = false;
};

} // namespace coffer::crypto::age
