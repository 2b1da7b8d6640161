// File helpers for desktop integration (app/integration/Integration.cpp): reading and
// atomically writing small files, folders made and removed again, running the
// freedesktop tools. Internal to the integration code.
#pragma once

#include "Integration.h"
#include "Result.h"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace coffer::integration::detail {

namespace fs = std::filesystem;

std::optional<std::string> readFile(const fs::path& path);
std::string sha256Hex(const std::string& data);
bool existsNoFollow(const fs::path& path);
bool isRegularNoFollow(const fs::path& path);
/// A file the user may keep as a link (dotfile managers): changes go to its target.
fs::path followLink(const fs::path& path);
/// Writes `content` to `path` under a temporary name, then renames it into place.
Status writeFileAtomic(const fs::path& path, const std::string& content, int mode);
/// The permission bits of an existing file, to keep them when it is rewritten.
int modeOf(const fs::path& path, int fallback);
/// Creates the missing folders of `dir`, outermost first, appending each one it
/// made to `created`.
Status ensureDirs(const fs::path& dir, std::vector<std::string>& created, int mode = 0755);
/// Removes the folders in `created` (innermost last in the list) that are empty.
void removeCreatedDirs(const std::vector<std::string>& created);
/// Runs a freedesktop tool on `dir`. An error message on failure, nullopt on success.
std::optional<std::string> runTool(const char* tool, const fs::path& dir);
std::vector<std::string> dirEntries(const fs::path& dir);
fs::path envDir(const char* name, const fs::path& fallback);
fs::path baseDir(const Environment& env, Base base);

} // namespace coffer::integration::detail
