// Desktop integration (DESIGN §6, issue 5): "Open with Coffer" for .coffer
// files and "Encrypt with Coffer" in the user's file manager, per user, without
// root, only on request, and fully reversible.
//
// What is installed is one table (linuxItems()) of templates from
// resources/linux, compiled in as Qt resources and filled with the running
// executable's path. install() records everything it creates or changes in a
// manifest (the data folder's "integration.manifest", JSON), and uninstall()
// undoes exactly that: it removes the files it made (if they still carry
// Coffer's marker or their recorded hash), takes its actions out of Thunar's
// uca.xml byte for byte, restores the previous default handler in
// mimeapps.list, regenerates (or removes) the MIME cache it caused, and removes
// the folders it created once they are empty. Nothing else is touched: a file
// in the way that Coffer did not make is left alone, with a warning.
//
// On Windows the same operations write the table of IntegrationWindows.h into
// HKEY_CURRENT_USER\Software\Classes; on macOS the app bundle's Info.plist
// declares everything (resources/macos, packaging/macos-integration.md).
#pragma once

#include "Result.h"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace coffer::integration {

inline constexpr const char* kManifestName = "integration.manifest";
inline constexpr const char* kMimeType = "application/x-coffer";
/// Coffer's MIME type for age files (resources/linux/coffer-mime.xml): freedesktop has none.
inline constexpr const char* kAgeMimeType = "application/x-age-encrypted";
inline constexpr const char* kDesktopId = "coffer.desktop";

/// Where integration goes, and what it points at.
struct Environment {
    std::filesystem::path dataHome;                // $XDG_DATA_HOME, else ~/.local/share
    std::filesystem::path configHome;              // $XDG_CONFIG_HOME, else ~/.config
    std::vector<std::filesystem::path> configDirs; // $XDG_CONFIG_DIRS, else /etc/xdg (Thunar's system uca.xml)
    std::filesystem::path executable;              // absolute path written into every command
    std::filesystem::path manifest;                // the record of what install did
    bool portable = false;
    bool runTools = true; // update-mime-database, update-desktop-database

    /// From the environment: the XDG variables, resolveDataLocations() for the
    /// manifest (the portable data folder in portable mode), and the running
    /// executable ($APPIMAGE for an AppImage, else /proc/self/exe).
    static Environment fromSystem();
};

/// The running executable's absolute path (the AppImage itself when run as one).
std::filesystem::path currentExecutable();

enum class Base { DataHome, ConfigHome };

/// One file Coffer installs on Linux.
struct LinuxItem {
    const char* id;       // short name used in messages and the manifest
    Base base;            // which XDG folder relPath is under
    const char* relPath;  // e.g. "applications/coffer.desktop"
    const char* resource; // the template, e.g. ":/integration/linux/coffer.desktop"
    int mode;             // permission bits (service menus and scripts must be executable)
    bool desktopEntry;    // validated with desktop-file-validate by the tests
};

/// The table. Thunar's uca.xml is not in it: it is merged, not owned.
const std::vector<LinuxItem>& linuxItems();
/// Thunar's user file and the template of Coffer's <action> elements.
inline constexpr const char* kThunarRelPath = "Thunar/uca.xml";
inline constexpr const char* kThunarResource = ":/integration/linux/thunar-uca-actions.xml";

/// A template filled for `exe` (see fillTemplate for the placeholders).
Result<std::string> renderResource(const char* resource, const std::filesystem::path& exe);

/// What install/uninstall did, for the user: one line per change, and warnings
/// for what was left alone.
struct Report {
    std::vector<std::string> done;
    std::vector<std::string> warnings;
};

/// Installs (or refreshes: a previous install is undone first, so running it
/// twice leaves the same state as once, and after a move the commands point at
/// the new place). On failure, whatever this run did is undone.
Result<Report> install(const Environment& env);

/// Undoes what the manifest records, then removes the manifest. Without a
/// manifest there is nothing to do (not an error).
Result<Report> uninstall(const Environment& env);

struct ItemStatus {
    std::filesystem::path path;
    std::string state; // "ok", "missing", "changed"
};

struct StatusReport {
    bool installed = false;
    std::filesystem::path manifest;
    std::filesystem::path recordedExecutable;
    std::filesystem::path currentExecutable;
    bool moved = false;           // the recorded executable is not this one
    bool recordedMissing = false; // ... and no longer exists
    bool portable = false;
    std::vector<ItemStatus> items;
    std::optional<std::string> defaultHandler; // mimeapps.list's default for .coffer, if any
    int thunarActions = 0;
};

Result<StatusReport> status(const Environment& env);

/// The status as text for the terminal (also what `coffer integrate status` prints).
std::string formatStatus(const StatusReport& status);

} // namespace coffer::integration
