// Untrusted text (paths from a container, names from a card or a keyring,
// echoed input) made safe to show, in the terminal and in the GUI alike
// (SECURITY.md "Showing untrusted text").
#pragma once

#include "Result.h"

#include <string>
#include <string_view>

namespace coffer {

/// `untrusted` with every character that could move the cursor, reorder or
/// hide text made visible: C0 and C1 controls and DEL as `\xNN` (bytes) or
/// `\u{NNNN}` (code points); bidi controls, zero-width and other invisible
/// format characters, line and paragraph separators as `\u{NNNN}`; a byte that
/// is not part of valid UTF-8 as `\xNN`. Everything else is kept as is.
std::string displayable(std::string_view untrusted);

/// True when displayable(text) == text: nothing in it needs escaping.
bool isPlainDisplayText(std::string_view text);

/// A contact name the user keeps: 1..64 bytes of plain text (isPlainDisplayText),
/// no tab, not padded with spaces, and nothing that reads like Coffer's own
/// status words (SECURITY.md "Contact names").
Status checkContactName(std::string_view name);

} // namespace coffer
