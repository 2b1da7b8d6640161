// coffer id list, id create beside an existing identity, id remove, id default:
// several Coffer identities in one keyring (KEYRING.md "Several identities").
#pragma once

#include "Args.h"

namespace coffer::cli {

/// coffer id list: name, fingerprint, default marker and last backup of each identity.
int idList(const Args& args);
/// coffer id create --name NAME when the keyring exists: adds another identity.
int idAdd(const Args& args);
/// coffer id remove NAME|FINGERPRINT [--yes].
int idRemove(const Args& args);
/// coffer id default NAME|FINGERPRINT.
int idDefault(const Args& args);

} // namespace coffer::cli
