// A small container as text (FORMAT.md §14, "Armored text"): "Copy as text"
// writes it, "Open from clipboard" and the CLI read it. The armor is only
// transport: what it decodes to is a container file like any other, opened
// with every usual check; the armor itself is checked strictly first.
#pragma once

#include "Result.h"

#include <filesystem>
#include <string>
#include <string_view>

namespace coffer {

class OpenCopies;

/// Largest container that may be armored (and decoded from armor).
inline constexpr std::size_t kMaxArmoredContainer = 64 * 1024;

/// True if `text` starts with Coffer's BEGIN line (nothing before it).
bool looksLikeArmoredContainer(std::string_view text);
/// True if the file at `path` starts like an armored container.
bool isArmoredContainerFile(const std::filesystem::path& path);

/// The armored text of the container at `path`. Refuses a file over
/// kMaxArmoredContainer (LimitExceeded) and one that is not a Coffer container.
Result<std::string> armorContainer(const std::filesystem::path& path);

/// Reads an armored container file (refusing more than armor of the limit
/// could be) and returns its text.
Result<std::string> readArmoredText(const std::filesystem::path& path);

/// Decodes `text` into a new file "NAME.coffer" in a fresh slot of `copies`
/// (mode 0600 in a 0700 folder). On failure nothing is left behind.
Result<std::filesystem::path> dearmorInto(std::string_view text, OpenCopies& copies,
                                          const std::string& name = "pasted");

} // namespace coffer
