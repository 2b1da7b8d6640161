// Where Coffer keeps its data (DESIGN §3): the platform's app-data and config
// folders, or — in portable mode, when a file named `portable` sits beside
// the executable — `data/` beside it, so nothing is written anywhere else.
// COFFER_HOME overrides both (tests, power users).
#pragma once

#include <filesystem>

namespace coffer {

struct DataLocations {
    std::filesystem::path dataDir;   // keyring and its backup
    std::filesystem::path configDir; // settings
    std::filesystem::path tempDir;   // Coffer's own temporary files
    std::filesystem::path stateDir;  // private records of work in progress (staging folders)
    bool portable = false;
    std::filesystem::path executableDir;
};

/// Resolves the locations from the environment and the executable's folder.
/// Does not create anything.
DataLocations resolveDataLocations();

/// The folder of the running executable.
std::filesystem::path executableDirectory();

inline constexpr const char* kPortableMarker = "portable";

} // namespace coffer
