// Pure text transforms for desktop integration (no file system, no tools), so
// tests can check them on their own: quoting an executable path for each
// consumer (Desktop Entry Exec, POSIX shell, GKeyFile, Thunar, XML), filling
// the templates in resources/, merging Coffer's actions into Thunar's uca.xml
// and setting the default handler in a mimeapps.list, both reversibly.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace coffer::integration {

/// Written into every file Coffer creates, so that uninstall (and a reinstall
/// that lost its manifest) can tell Coffer's files from the user's.
inline constexpr std::string_view kMarker =
    "coffer-integration-v1: created by \"coffer integrate install\", removed by \"coffer integrate uninstall\"";

/// The unique-id prefix of Coffer's actions in Thunar's uca.xml.
inline constexpr std::string_view kThunarIdPrefix = "coffer-integration-";

// ---- Quoting -------------------------------------------------------------------------------

/// POSIX sh single quotes: 'it'\''s'.
std::string shellQuote(std::string_view s);
/// A Desktop Entry "string" value: \ -> \\, and \n \t \r, leading space as \s.
std::string desktopStringEscape(std::string_view s);
/// One Exec= argument (Desktop Entry spec, "The Exec key"): double-quoted only
/// when it holds a reserved character, with " ` $ \ escaped, % doubled, then
/// string-escaped. Unquoted when possible: xdg-mime's generic "query default"
/// only recognises an unquoted program.
std::string desktopExecArgument(std::string_view s);
/// &, <, >, " and ' as entities.
std::string xmlEscape(std::string_view s);

/// The placeholders the templates in resources/linux use, for executable `exe`:
///   @MARKER@             kMarker
///   @EXEC_DESKTOP@       desktopExecArgument(exe)
///   @EXEC_PATH_DESKTOP@  desktopStringEscape(exe)            (TryExec)
///   @EXEC_SHELL@         shellQuote(exe)                      (sh scripts)
///   @EXEC_NEMO@          GKeyFile-escaped shellQuote, % doubled (Nemo actions)
///   @EXEC_THUNAR@        XML-escaped shellQuote, % doubled    (uca.xml commands)
std::string fillTemplate(std::string_view text, std::string_view exe);

/// True if `exe` can be written into the files at all (absolute, no newline or NUL).
bool isUsableExecutablePath(std::string_view exe);

// ---- Thunar uca.xml ------------------------------------------------------------------------

/// The skeleton Coffer writes when the user has no uca.xml and no system one to start from.
std::string emptyUcaFile();

/// Inserts `actionsBlock` (one or more <action> elements, ending with a newline)
/// right before the last </actions>, leaving every other byte as it was.
/// Fails (nullopt) if the text has no </actions> or would not be well-formed XML.
std::optional<std::string> mergeUcaActions(const std::string& existing, const std::string& actionsBlock);

/// Removes every <action> whose <unique-id> starts with kThunarIdPrefix (with
/// the indentation before it and the line break after it), leaving the rest
/// byte for byte. `removed` receives how many were taken out.
std::string removeUcaActions(const std::string& text, int* removed = nullptr);

/// The unique-ids of Coffer's actions present in `text`.
std::vector<std::string> coffersUcaActionIds(const std::string& text);

/// "name\ncommand" of every action that is not Coffer's, in order: what the
/// file does, whatever its formatting (Thunar rewrites the file, adding
/// unique-ids, when it loads one without them).
std::vector<std::string> ucaActionSignatures(const std::string& text);

/// True if `text` is well-formed XML with an <actions> root.
bool isWellFormedUca(const std::string& text);

// ---- mimeapps.list -------------------------------------------------------------------------

/// What setDefaultHandler changed, so that restoreDefaultHandler can undo it.
struct MimeAppsChange {
    std::string line;                    // the line Coffer wrote: "application/x-coffer=coffer.desktop;"
    std::optional<std::string> previous; // the line it replaced, if any
    std::string appended;                // text appended at the end (a new [Default Applications] group)
};

/// Makes `desktopId` the default for `mimeType` in the [Default Applications] group.
MimeAppsChange setDefaultHandler(std::string& text, const std::string& mimeType, const std::string& desktopId);

/// Undoes `change` if Coffer's line is still there; leaves a choice the user made since alone.
/// Returns false if Coffer's line was not found (nothing changed).
bool restoreDefaultHandler(std::string& text, const MimeAppsChange& change);

/// The desktop file id set as default for `mimeType` in `text` (first entry), if any.
std::optional<std::string> defaultHandler(const std::string& text, const std::string& mimeType);

} // namespace coffer::integration
