// The install manifest (app/integration/Integration.cpp): what "coffer integrate install"
// created or changed, so that uninstall undoes exactly that. Stored as JSON
// beside the keyring. Internal to the integration code.
#pragma once

#include "IntegrationText.h"
#include "Result.h"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace coffer::integration::detail {

namespace fs = std::filesystem;

struct FileRecord {
    std::string path;
    std::string sha256;
};

struct CacheRecord {
    std::string dir;
    bool hadCache = false;
    std::vector<std::string> preexisting; // top-level names in dir before install (when !hadCache)
};

struct Manifest {
    std::string platform;
    std::string executable;
    bool portable = false;
    std::vector<std::string> createdDirs;
    std::vector<FileRecord> files;
    // Thunar's uca.xml
    std::string thunarPath;
    bool thunarCreated = false;
    std::string thunarBaseSha256;               // the text before Coffer's actions went in
    std::vector<std::string> thunarBaseActions; // ... and its actions (ucaActionSignatures)
    // mimeapps.list
    std::string mimeAppsPath;
    bool mimeAppsCreated = false;
    std::optional<MimeAppsChange> mimeAppsChange;
    std::optional<MimeAppsChange> ageMimeAppsChange; // the .age default, in the same file
    std::optional<CacheRecord> mimeDatabase;
    std::optional<CacheRecord> desktopDatabase;
    // Windows
    bool registry = false;
    std::vector<std::string> registryCreatedParents;
    // How many folders were made for the manifest itself (its parent, grandparent...):
    // counted, not named, because a portable copy moves with its data folder.
    int manifestDirLevels = 0;
};

std::string manifestToJson(const Manifest& m);
Result<Manifest> manifestFromJson(const std::string& text, const fs::path& path);
Result<std::optional<Manifest>> loadManifest(const fs::path& path);
Status saveManifest(const fs::path& path, const Manifest& m);

} // namespace coffer::integration::detail
