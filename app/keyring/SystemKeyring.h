// The keyring passphrase kept in the desktop's own keyring (the Secret
// Service: GNOME Keyring, KWallet, KeePassXC), through qtkeychain; only when
// the user turns "Remember the keyring passphrase" on (off by default, never
// in portable mode). One entry per keyring file, under the service "Coffer".
// docs/SECURITY.md "The passphrase in the system keyring" says what this
// trades away.
//
// Each call starts a job on the Qt event loop of the calling thread and
// returns at once; `done` runs there when the job has finished, unless
// `receiver` has been destroyed by then. The passphrase crosses qtkeychain's
// QByteArray (its API has no other type): Coffer's own copies are wiped, the
// buffer qtkeychain and the D-Bus library hand on is theirs.
#pragma once

#include "Result.h"
#include "SecureMemory.h"

#include <filesystem>
#include <functional>
#include <optional>

class QObject;

namespace coffer {

namespace SystemKeyring {

/// The remembered passphrase, nullopt if none is kept for this keyring, or
/// an error if the system keyring cannot be reached or refused (its message
/// is the system keyring's own words; the caller says what failed).
using Recalled = std::function<void(Result<std::optional<crypto::SecureString>>)>;
using Done = std::function<void(Status)>;

void recall(const std::filesystem::path& keyringFile, QObject* receiver, Recalled done);
void remember(const std::filesystem::path& keyringFile, const crypto::SecureString& passphrase, QObject* receiver,
              Done done = {});
/// Removes the entry; none there is success.
void forget(const std::filesystem::path& keyringFile, QObject* receiver, Done done = {});

} // namespace SystemKeyring

} // namespace coffer
