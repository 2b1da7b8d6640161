// The end of an index (FORMAT.md §5.2, §5.7), shared by v1's index and format
// v2's directory (docs/FORMAT-v2.md §3.6): the recipient list, then the
// optional signature block whose signature covers every byte before it.
#pragma once

#include "ArchiveFormat.h"
#include "Keys.h"

#include <optional>
#include <vector>

namespace coffer {

/// Verifies a signature over the signed bytes: crypto::verifyIndexSignature (v1)
/// or crypto::verifyDirectorySignature (v2); each uses its own label.
using SignatureCheck = bool (*)(const crypto::PublicKey32& ed25519, ByteView signedBytes,
                                const crypto::Signature64& signature);

/// Appends the recipient list and, if given, the signature block (its 64
/// signature bytes as given: the writer signs what precedes them and patches them in).
void encodeAudience(Bytes& out, const std::vector<IndexRecipient>& recipients,
                    const std::optional<IndexSignature>& signature);

struct IndexAudience {
    std::vector<IndexRecipient> recipients;
    std::optional<IndexSignature> signature; // present only if it verified
};

/// Reads the recipient list at `position` in `plain` (at most 1024, types known
/// and allowed by `indexVersion`, none twice) and, if `signedIndex`, the
/// signature block, verified with `check` over plain[0, end of block - 64).
/// `position` moves past what was read; the caller checks that nothing follows.
Result<IndexAudience> decodeAudience(ByteView plain, std::size_t& position, std::uint32_t indexVersion,
                                     bool signedIndex, SignatureCheck check);

} // namespace coffer
