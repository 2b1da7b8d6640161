// Finishing an in-place rekey that was cut short (FORMAT.md §12.2). The
// journal beside a container is a file anyone who can write that folder
// could have put there, so nothing is written, or removed, because of it
// until the opener's own keys have shown that both of its headers hold this
// container's file key and that the container is exactly what a crash in
// that rekey leaves. Openers without keys (inspect) never call this.
#pragma once

#include "Recipient.h"

#include <filesystem>

namespace coffer {

enum class RekeyRecovery {
    NoJournal,    // the usual case
    Finished,     // a verified journal: the rekey is complete and the journal gone
    RekeyRunning, // another Coffer holds the container's lock: its journal is left alone
    NotTrusted,   // a journal is there but did not verify: nothing was changed
};

/// If `container`'s journal verifies under a file key that `identities`
/// unwrap, completes the interrupted rekey and removes the journal.
RekeyRecovery recoverInterruptedRekey(const std::filesystem::path& container, const crypto::IdentityList& identities);

/// `error` (the container did not open) with a sentence on the journal beside
/// it when `recovery` left one that did not verify.
Error explainUntrustedJournal(Error error, RekeyRecovery recovery, const std::filesystem::path& container);

} // namespace coffer
