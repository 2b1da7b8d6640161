// Fuzz target: the archive readers on decrypted plaintext (FORMAT.md §5).
// The fuzz input is the payload's plaintext; it is sealed into a container
// with valid encryption (as HostileContainer's sealContainer does: a real
// X25519 stanza to the fixed identity, a real Cobblestone payload) in an
// in-memory file, so every byte reaches the archive parsers: listing,
// extraction with the file reader and with the stream reader, and rekey.
// See FuzzContainer.h for what is checked.
//
// The payload is sealed chunk by chunk with ChunkCipher rather than through
// PayloadWriter, whose 2 MiB of wiped batch buffers cost more per input
// (under ASan) than everything else here; the bytes are the same.
#include "FuzzContainer.h"
#include "PayloadStream.h"
#include "Recipient.h"

namespace {

using namespace coffer;

Bytes seal(ByteView plaintext, const crypto::RecipientList& recipients)
{
    auto sealed = crypto::sealHeader(recipients);
    FUZZ_CHECK(sealed.ok());
    auto cipher = crypto::ChunkCipher::forEncryption(sealed->fileKey.view(), crypto::asBytes(crypto::kPayloadContext));
    FUZZ_CHECK(cipher.ok());
    Bytes out(sealed->text.begin(), sealed->text.end());
    const ByteView prefix = cipher->prefix();
    out.insert(out.end(), prefix.begin(), prefix.end());
    // n = floor(len / 16 KiB) + 1 chunks; the final one is shorter than 16 KiB, maybe empty (§4).
    const std::uint64_t chunks = plaintext.size() / crypto::kChunkSize + 1;
    for (std::uint64_t i = 0; i < chunks; ++i) {
        const std::size_t begin = static_cast<std::size_t>(i * crypto::kChunkSize);
        const std::size_t n = std::min(crypto::kChunkSize, plaintext.size() - begin);
        const std::size_t at = out.size();
        out.resize(at + n + crypto::kGcmTagSize);
        FUZZ_CHECK(cipher->sealChunk(i, plaintext.subspan(begin, n), MutableByteView(out).subspan(at)).ok());
    }
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    static const crypto::RecipientList recipients = [] {
        crypto::RecipientList list;
        list.push_back(fuzz::fixedIdentity().makeRecipient());
        return list;
    }();
    static const crypto::IdentityList ids = fuzz::fixedIdentities();
    static fuzz::MemFile file;
    const Bytes container = seal(ByteView(data, size), recipients);
    file.assign(container.data(), container.size());
    fuzz::exerciseContainer(file.path(), ids);
    return 0;
}
