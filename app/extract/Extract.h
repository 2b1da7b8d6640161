// List and extract containers: the functions the GUI and the CLI both call.
#pragma once

#include "ArchiveFormat.h"
#include "Job.h"
#include "PayloadStream.h"
#include "Recipient.h"

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace coffer {

struct Listing {
    ArchiveIndex index;
    std::uint64_t containerBytes = 0;
};

/// Reads only the header, the final chunk(s) and the index.
Result<Listing> listContainer(const std::filesystem::path& container, const crypto::IdentityList& identities);

/// The same, without holding the entries: `each` gets every file and folder
/// (not the packs) in the container's order, a format v2 container read one
/// segment at a time; every segment is checked before its entries are given.
/// Returns the index without its entries (signature, recipients).
/// `ListingPass::CheckAllFirst` gives no entry before the whole index was
/// read and checked, then reads it again (SegmentWalk's PathCheck::SyntaxOnly):
/// a little slower, but the set of all paths is gone before `each` starts
/// keeping what it is given (the window's tree of a million entries).
enum class ListingPass { Once, CheckAllFirst };
Result<ArchiveIndex> listContainerEntries(const std::filesystem::path& container,
                                          const crypto::IdentityList& identities,
                                          const std::function<void(const IndexEntry&)>& each,
                                          ListingPass pass = ListingPass::Once);

/// Reads one stored (uncompressed) file entry into wiped memory (the keyring);
/// refuses (LimitExceeded) an entry larger than `maxBytes`.
Result<crypto::SecureBytes> readStoredEntry(const std::filesystem::path& container,
                                            const crypto::IdentityList& identities, const std::string& path,
                                            std::uint64_t maxBytes = UINT64_MAX);

struct ExtractRequest {
    std::filesystem::path container; // "-" reads standard input front to back
    std::filesystem::path destination;
    std::vector<std::string> only; // archive paths; a folder selects everything under it
    bool overwrite = false;
    crypto::Bytes inputStart{}; // with "-": what was already read of standard input, to be read first
};

struct ExtractSummary {
    ArchiveIndex index; // what the container's index says: signature, recipients (entries: v1's only)
    std::uint64_t files = 0;
    std::uint64_t bytes = 0;
    std::vector<std::filesystem::path> written; // what appeared in the destination: its new top-level names
};

/// Writes the content of one file of a container file to `out` (standard
/// output, say): the only file it holds, or `path`. The index and the
/// signature are checked first and every chunk is authenticated before its
/// bytes go out; a file's hash (signed containers) can only be compared at its
/// end, so a mismatch is reported after its bytes were written, as with any
/// streaming decryption.
Result<ExtractSummary> extractFileTo(const std::filesystem::path& container, const std::string& path,
                                     const crypto::IdentityList& identities, crypto::ByteSink& out, JobControl& job);

/// Extracts into `destination`. On any failure or cancel, everything this call
/// created is removed again and the error says why.
Result<ExtractSummary> extractContainer(const ExtractRequest& request, const crypto::IdentityList& identities,
                                        JobControl& job);

} // namespace coffer
