// coffer id backup, and coffer id import of a backup file or a paper key
// (KEYRING.md "Backups", "Paper key").
#pragma once

#include "Args.h"

#include <string_view>

namespace coffer::cli {

/// coffer id backup [-o FILE] [--with-contacts] [--paper-text FILE] [--force].
int idBackup(const Args& args);
/// coffer id import FILE when FILE is a backup file (looksLikeContainer()).
int idImportBackupFile(const Args& args);
/// coffer id import FILE|- when its text is a paper key (looksLikePaperKey()).
int idImportPaperKey(const Args& args, std::string_view text);

} // namespace coffer::cli
