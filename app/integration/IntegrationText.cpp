#include "IntegrationText.h"

#include "Integration.h"

#include <QByteArray>
#include <QXmlStreamReader>

#include <algorithm>

namespace coffer::integration {

namespace {

void replaceAll(std::string& text, std::string_view from, std::string_view to)
{
    std::size_t pos = 0;
    while ((pos = text.find(from, pos)) != std::string::npos) {
        text.replace(pos, from.size(), to);
        pos += to.size();
    }
}

std::string doublePercent(std::string_view s)
{
    std::string out;
    for (const char c : s) {
        out += c;
        if (c == '%')
            out += '%';
    }
    return out;
}

std::string trim(std::string_view s)
{
    const auto first = s.find_first_not_of(" \t\r");
    if (first == std::string_view::npos)
        return {};
    const auto last = s.find_last_not_of(" \t\r");
    return std::string(s.substr(first, last - first + 1));
}

// ---- mimeapps.list lines --------------------------------------------------------------------

struct Line {
    std::size_t begin = 0; // first byte
    std::size_t end = 0;   // one past the last byte before the line break
    std::size_t next = 0;  // first byte of the next line
    std::string group;     // the group the line belongs to ("" before the first header)
    bool header = false;
};

std::vector<Line> splitLines(const std::string& text)
{
    std::vector<Line> lines;
    std::string group;
    std::size_t pos = 0;
    while (pos < text.size()) {
        Line line;
        line.begin = pos;
        const auto nl = text.find('\n', pos);
        line.end = nl == std::string::npos ? text.size() : nl;
        line.next = nl == std::string::npos ? text.size() : nl + 1;
        const std::string content = trim(std::string_view(text).substr(line.begin, line.end - line.begin));
        if (content.size() >= 2 && content.front() == '[' && content.back() == ']') {
            group = content.substr(1, content.size() - 2);
            line.header = true;
        }
        line.group = group;
        lines.push_back(line);
        pos = line.next;
    }
    return lines;
}

std::optional<std::string> keyOf(const std::string& text, const Line& line)
{
    const std::string content = text.substr(line.begin, line.end - line.begin);
    const auto eq = content.find('=');
    if (line.header || eq == std::string::npos || trim(content).starts_with('#'))
        return std::nullopt;
    return trim(std::string_view(content).substr(0, eq));
}

constexpr const char* kDefaultGroup = "Default Applications";

// ---- uca.xml actions ------------------------------------------------------------------------

struct ActionSpan {
    std::size_t begin = 0; // "<action>"
    std::size_t end = 0;   // one past "</action>"
    std::string uniqueId;
};

std::vector<ActionSpan> findActions(const std::string& text)
{
    std::vector<ActionSpan> spans;
    std::size_t pos = 0;
    while (true) {
        const auto open = text.find("<action>", pos);
        if (open == std::string::npos)
            break;
        // Skip an <action> inside a comment.
        const auto commentOpen = text.rfind("<!--", open);
        if (commentOpen != std::string::npos) {
            const auto commentClose = text.find("-->", commentOpen);
            if (commentClose == std::string::npos || commentClose > open) {
                pos = commentClose == std::string::npos ? text.size() : commentClose + 3;
                continue;
            }
        }
        const auto close = text.find("</action>", open);
        if (close == std::string::npos)
            break;
        ActionSpan span;
        span.begin = open;
        span.end = close + std::string_view("</action>").size();
        const std::string body = text.substr(open, span.end - open);
        const auto idOpen = body.find("<unique-id>");
        const auto idClose = body.find("</unique-id>");
        if (idOpen != std::string::npos && idClose != std::string::npos && idClose > idOpen)
            span.uniqueId = trim(std::string_view(body).substr(idOpen + 11, idClose - idOpen - 11));
        spans.push_back(span);
        pos = span.end;
    }
    return spans;
}

} // namespace

// ---- Quoting ---------------------------------------------------------------------------------

std::string shellQuote(std::string_view s)
{
    std::string out = "'";
    for (const char c : s) {
        if (c == '\'')
            out += "'\\''";
        else
            out += c;
    }
    return out + "'";
}

std::string desktopStringEscape(std::string_view s)
{
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        switch (c) {
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\t':
            out += "\\t";
            break;
        case '\r':
            out += "\\r";
            break;
        case ' ':
            out += i == 0 ? "\\s" : " ";
            break;
        default:
            out += c;
        }
    }
    return out;
}

std::string desktopExecArgument(std::string_view s)
{
    constexpr std::string_view reserved = " \t\n\"'\\><~|&;$*?#()`";
    const bool needsQuotes = s.empty() || s.find_first_of(reserved) != std::string_view::npos;
    std::string arg;
    if (needsQuotes) {
        arg = "\"";
        for (const char c : s) {
            if (c == '"' || c == '`' || c == '$' || c == '\\')
                arg += '\\';
            arg += c;
        }
        arg += "\"";
    } else {
        arg = std::string(s);
    }
    return desktopStringEscape(doublePercent(arg));
}

std::string xmlEscape(std::string_view s)
{
    std::string out;
    for (const char c : s) {
        switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '"':
            out += "&quot;";
            break;
        case '\'':
            out += "&apos;";
            break;
        default:
            out += c;
        }
    }
    return out;
}

std::string fillTemplate(std::string_view text, std::string_view exe)
{
    std::string out(text);
    replaceAll(out, "@MARKER@", kMarker);
    replaceAll(out, "@EXEC_DESKTOP@", desktopExecArgument(exe));
    replaceAll(out, "@EXEC_PATH_DESKTOP@", desktopStringEscape(exe));
    replaceAll(out, "@EXEC_SHELL@", shellQuote(exe));
    replaceAll(out, "@EXEC_NEMO@", desktopStringEscape(doublePercent(shellQuote(exe))));
    // Thunar's <command> is XML text; quotes there need no entity, and Thunar
    // rewrites the file with plain quotes anyway.
    std::string thunar;
    for (const char c : doublePercent(shellQuote(exe))) {
        if (c == '&')
            thunar += "&amp;";
        else if (c == '<')
            thunar += "&lt;";
        else if (c == '>')
            thunar += "&gt;";
        else
            thunar += c;
    }
    replaceAll(out, "@EXEC_THUNAR@", thunar);
    return out;
}

bool isUsableExecutablePath(std::string_view exe)
{
    if (exe.empty() || exe.find_first_of(std::string_view("\n\r\0", 3)) != std::string_view::npos)
        return false;
#if defined(_WIN32)
    return exe.size() > 2 && exe[1] == ':';
#else
    return exe.front() == '/';
#endif
}

// ---- Thunar uca.xml --------------------------------------------------------------------------

std::string emptyUcaFile()
{
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<actions>\n</actions>\n";
}

std::vector<std::string> ucaActionSignatures(const std::string& text)
{
    std::vector<std::string> out;
    QXmlStreamReader reader(QByteArray::fromStdString(text));
    QString name;
    QString command;
    QString id;
    while (!reader.atEnd()) {
        reader.readNext();
        if (reader.isStartElement()) {
            const auto element = reader.name();
            if (element == QLatin1String("action")) {
                name.clear();
                command.clear();
                id.clear();
            } else if (element == QLatin1String("name") &&
                       reader.attributes().value(QLatin1String("xml:lang")).isEmpty()) {
                name = reader.readElementText().trimmed();
            } else if (element == QLatin1String("command")) {
                command = reader.readElementText().trimmed();
            } else if (element == QLatin1String("unique-id")) {
                id = reader.readElementText().trimmed();
            }
        } else if (reader.isEndElement() && reader.name() == QLatin1String("action")) {
            if (!id.startsWith(QLatin1String(kThunarIdPrefix.data(), static_cast<qsizetype>(kThunarIdPrefix.size()))))
                out.push_back((name + QLatin1Char('\n') + command).toStdString());
        }
    }
    return out;
}

bool isWellFormedUca(const std::string& text)
{
    QXmlStreamReader reader(QByteArray::fromStdString(text));
    bool sawRoot = false;
    while (!reader.atEnd()) {
        reader.readNext();
        if (reader.isStartElement() && !sawRoot) {
            if (reader.name() != QLatin1String("actions"))
                return false;
            sawRoot = true;
        }
    }
    return sawRoot && !reader.hasError();
}

std::optional<std::string> mergeUcaActions(const std::string& existing, const std::string& actionsBlock)
{
    const auto close = existing.rfind("</actions>");
    if (close == std::string::npos || !isWellFormedUca(existing))
        return std::nullopt;
    // Insert at the start of the </actions> line when only blanks precede it there,
    // so the removal (which takes the action's own line) restores every byte.
    std::size_t at = close;
    while (at > 0 && (existing[at - 1] == ' ' || existing[at - 1] == '\t'))
        --at;
    if (at != 0 && existing[at - 1] != '\n')
        at = close;
    std::string merged = existing;
    merged.insert(at, actionsBlock);
    if (!isWellFormedUca(merged))
        return std::nullopt;
    return merged;
}

std::string removeUcaActions(const std::string& text, int* removed)
{
    std::string out = text;
    int count = 0;
    auto spans = findActions(out);
    for (auto it = spans.rbegin(); it != spans.rend(); ++it) {
        if (!it->uniqueId.starts_with(kThunarIdPrefix))
            continue;
        std::size_t begin = it->begin;
        std::size_t b = begin;
        while (b > 0 && (out[b - 1] == ' ' || out[b - 1] == '\t'))
            --b;
        if (b == 0 || out[b - 1] == '\n')
            begin = b;
        std::size_t end = it->end;
        if (end < out.size() && out[end] == '\r' && end + 1 < out.size() && out[end + 1] == '\n')
            end += 2;
        else if (end < out.size() && out[end] == '\n')
            end += 1;
        out.erase(begin, end - begin);
        ++count;
    }
    if (removed)
        *removed = count;
    return out;
}

std::vector<std::string> coffersUcaActionIds(const std::string& text)
{
    std::vector<std::string> ids;
    for (const auto& span : findActions(text))
        if (span.uniqueId.starts_with(kThunarIdPrefix))
            ids.push_back(span.uniqueId);
    return ids;
}

// ---- mimeapps.list ---------------------------------------------------------------------------

MimeAppsChange setDefaultHandler(std::string& text, const std::string& mimeType, const std::string& desktopId)
{
    MimeAppsChange change;
    change.line = mimeType + "=" + desktopId + ";";
    const auto lines = splitLines(text);
    for (const auto& line : lines) {
        if (line.group != kDefaultGroup || line.header)
            continue;
        if (keyOf(text, line) == mimeType) {
            change.previous = text.substr(line.begin, line.end - line.begin);
            text.replace(line.begin, line.end - line.begin, change.line);
            return change;
        }
    }
    for (const auto& line : lines) {
        if (line.header && line.group == kDefaultGroup && line.next > line.end) { // the header ends with a line break
            text.insert(line.next, change.line + "\n");
            return change;
        }
    }
    // No group, or only its header on the last line without a line break: append.
    const bool haveGroup =
        std::any_of(lines.begin(), lines.end(), [](const Line& l) { return l.header && l.group == kDefaultGroup; });
    std::string appended;
    if (haveGroup)
        appended = "\n";
    else if (!text.empty())
        appended = std::string(text.back() == '\n' ? "\n" : "\n\n") + "[" + kDefaultGroup + "]\n";
    else
        appended = std::string("[") + kDefaultGroup + "]\n";
    appended += change.line + "\n";
    change.appended = appended;
    text += appended;
    return change;
}

bool restoreDefaultHandler(std::string& text, const MimeAppsChange& change)
{
    if (!change.appended.empty() && text.ends_with(change.appended)) {
        text.erase(text.size() - change.appended.size());
        return true;
    }
    for (const auto& line : splitLines(text)) {
        if (line.group != kDefaultGroup || line.header)
            continue;
        if (text.compare(line.begin, line.end - line.begin, change.line) != 0)
            continue;
        if (change.previous)
            text.replace(line.begin, line.end - line.begin, *change.previous);
        else
            text.erase(line.begin, line.next - line.begin);
        return true;
    }
    return false;
}

std::optional<std::string> defaultHandler(const std::string& text, const std::string& mimeType)
{
    for (const auto& line : splitLines(text)) {
        if (line.group != kDefaultGroup || line.header || keyOf(text, line) != mimeType)
            continue;
        const std::string content = text.substr(line.begin, line.end - line.begin);
        std::string value = content.substr(content.find('=') + 1);
        std::size_t pos = 0;
        while (pos <= value.size()) {
            const auto semi = value.find(';', pos);
            const std::string item =
                trim(std::string_view(value).substr(pos, semi == std::string::npos ? std::string::npos : semi - pos));
            if (!item.empty())
                return item;
            if (semi == std::string::npos)
                break;
            pos = semi + 1;
        }
        return std::nullopt;
    }
    return std::nullopt;
}

std::string formatStatus(const StatusReport& st)
{
    std::string out;
    if (!st.installed) {
        out += "integration: not installed\n";
        out += st.portable ? "hint: this is a portable copy; run \"coffer integrate install\" to add Coffer to the "
                             "file manager (\"coffer integrate uninstall\" takes it away again)\n"
                           : "hint: run \"coffer integrate install\" to add Coffer to the file manager\n";
        return out;
    }
    out += std::string("integration: installed for this user") + (st.portable ? " (portable copy)" : "") + "\n";
    out += "executable: " + st.recordedExecutable.string() + "\n";
    if (st.moved) {
        out += "warning: Coffer moved: run \"coffer integrate install\" again\n";
        out += "  the file manager starts " + st.recordedExecutable.string() +
               (st.recordedMissing ? " (no longer there)" : "") + "; this copy is " + st.currentExecutable.string() +
               "\n";
    }
    for (const auto& item : st.items)
        out += "  " + item.state + std::string(8 - std::min<std::size_t>(item.state.size(), 7), ' ') +
               item.path.string() + "\n";
    if (st.thunarActions > 0)
        out += "Thunar: " + std::to_string(st.thunarActions) +
               (st.thunarActions == 1 ? " Coffer action" : " Coffer actions") + " in uca.xml\n";
    if (st.defaultHandler)
        out += "default for .coffer files: " + *st.defaultHandler + "\n";
    out += "record: " + st.manifest.string() + "\n";
    return out;
}

} // namespace coffer::integration
