#include "Version.h"

#include "Header.h"
#include "Primitives.h"

#include <QtGlobal>

#include <zstd.h>

namespace coffer {

std::string cofferVersion()
{
    return COFFER_VERSION;
}

std::string containerFormatVersion()
{
    // The header's version line (FORMAT.md §2) of what Coffer writes.
    const std::string_view line =
        crypto::kCurrentFormat == crypto::kFormatV2 ? crypto::kVersionLineV2 : crypto::kVersionLine;
    return std::string(line.substr(line.find('/') + 1));
}

std::string libraryVersions()
{
    // The versions loaded at run time, not the headers compiled against.
    return crypto::cryptoLibraryVersion() + ", zstd " + ZSTD_versionString() + ", Qt " + qVersion();
}

} // namespace coffer
