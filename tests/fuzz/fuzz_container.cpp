// Fuzz target: full container decryption with a fixed key (FORMAT.md §2-§5).
// The fuzz input is a whole container; the reader holds the fixed X25519
// identity that make-seeds.sh encrypts its seed containers to, so mutations
// of real containers reach the header MAC, the key commitment, the chunk
// tags, and (where they survive) the archive. Listing, both readers and
// rekey run on every input; see FuzzContainer.h for what is checked.
#include "FuzzContainer.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    static const coffer::crypto::IdentityList ids = coffer::fuzz::fixedIdentities();
    static coffer::fuzz::MemFile file;
    file.assign(data, size);
    coffer::fuzz::exerciseContainer(file.path(), ids);
    return 0;
}
