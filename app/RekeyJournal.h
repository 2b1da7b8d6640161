// Rekey in place (FORMAT.md §12.1): when the new header has exactly the old
// one's length (headers are padded for that, §3.4), it is written over the
// old one and the payload is not touched, so a rekey takes milliseconds
// whatever the container's size. A crash must still leave the old or the new
// container, never a mix: before the overwrite, a journal beside the
// container (".NAME.rekey-journal") holds both headers and a SHA-256 of
// them, flushed to disk. Whoever opens the container next finishes the job
// from the journal (recoverInterruptedRekey) without needing any key.
#pragma once

#include "FileIO.h"

#include <filesystem>

namespace coffer {

/// ".NAME.rekey-journal" in the container's folder.
std::filesystem::path rekeyJournalPath(const std::filesystem::path& container);

/// The journal's bytes (FORMAT.md §12.1): a line "coffer-rekey-journal/v1",
/// the header length (8 bytes, big-endian), the old header, the new header,
/// and SHA-256 of all that. Public for tests that stage interrupted rekeys.
Bytes encodeRekeyJournal(ByteView oldHeader, ByteView newHeader);

/// Replaces the header `oldHeader` at the start of `container` (open
/// read-write as `fd`) with `newHeader` of the same length, through the
/// journal. The container is locked (flock) for the duration.
Status rewriteHeaderInPlace(int fd, const std::filesystem::path& container, ByteView oldHeader, ByteView newHeader);

/// If an in-place rekey of `container` was interrupted (its journal is
/// there and no Coffer holds the lock), completes it and removes the journal.
/// Does nothing when the folder cannot be written (a read-only medium).
Status recoverInterruptedRekey(const std::filesystem::path& container);

} // namespace coffer
