// Coffer's own version and the libraries it runs on, for `coffer --version`
// and the About dialog (so neither needs the build's compile definitions).
#pragma once

#include <string>

namespace coffer {

/// Coffer's release, e.g. "0.1.0" (the project version in CMakeLists.txt).
std::string cofferVersion();
/// The container format this build writes, e.g. "v1".
std::string containerFormatVersion();
/// The crypto, compression and GUI libraries in use at run time, e.g.
/// "Botan 2.19.3, zstd 1.5.4, Qt 6.4.2".
std::string libraryVersions();

} // namespace coffer
