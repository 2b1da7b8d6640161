// Helper of make-seeds.sh: turns real containers (made by the coffer
// executable and encrypted to the fuzzing identity) into seeds for the
// targets that start below the encryption.
//
//   coffer_fuzz_seedtool card                    the fixed identity's card (encrypt to it)
//   coffer_fuzz_seedtool secret                  its secret key (for -i FILE)
//   coffer_fuzz_seedtool header CONTAINER OUT    the header bytes            (fuzz_header)
//   coffer_fuzz_seedtool plaintext CONTAINER OUT the payload's plaintext     (fuzz_archive)
//   coffer_fuzz_seedtool index CONTAINER OUT     u64 index offset + index    (fuzz_index)
//   coffer_fuzz_seedtool frame CONTAINER OUT     u64 index offset + zstd frame (fuzz_index)
//   coffer_fuzz_seedtool trailer CONTAINER OUT   u64 plaintext length + trailer (fuzz_index)
#include "ContainerReader.h"
#include "FuzzSupport.h"
#include "Zstd.h"

#include <cstring>
#include <fstream>
#include <iostream>

using namespace coffer;

namespace {

int fail(const std::string& what)
{
    std::cerr << "coffer_fuzz_seedtool: " << what << "\n";
    return 1;
}

void put(const char* path, ByteView a, ByteView b = {})
{
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(a.data()), static_cast<std::streamsize>(a.size()));
    out.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

Bytes le64(std::uint64_t v)
{
    Bytes out;
    for (int i = 0; i < 8; ++i)
        out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    return out;
}

} // namespace

int main(int argc, char** argv)
{
    const std::string cmd = argc > 1 ? argv[1] : "";
    const auto identity = fuzz::fixedIdentity();
    if (cmd == "card") {
        std::cout << identity.publicText() << "\n";
        return 0;
    }
    if (cmd == "secret") {
        const auto s = identity.encode();
        std::cout << std::string_view(s.data(), s.size()) << "\n";
        return 0;
    }
    if (argc != 4)
        return fail("usage: card | secret | header|plaintext|index|frame|trailer CONTAINER OUT");
    const auto ids = fuzz::fixedIdentities();
    if (cmd == "header") {
        std::ifstream in(argv[2], std::ios::binary);
        Bytes head(crypto::kMaxHeaderSize);
        in.read(reinterpret_cast<char*>(head.data()), static_cast<std::streamsize>(head.size()));
        head.resize(static_cast<std::size_t>(in.gcount()));
        const auto end = crypto::findHeaderEnd(head);
        if (!end)
            return fail("no header end");
        put(argv[3], ByteView(head).first(*end));
        return 0;
    }
    auto reader = ContainerReader::open(argv[2], ids);
    if (!reader.ok())
        return fail(reader.error().message);
    Bytes plain(static_cast<std::size_t>(reader->plaintextLength()));
    if (auto st = reader->read(0, plain); !st.ok())
        return fail(st.error().message);
    if (cmd == "plaintext") {
        put(argv[3], plain);
        return 0;
    }
    auto trailer = decodeTrailer(ByteView(plain).last(kTrailerSize), plain.size());
    if (!trailer.ok())
        return fail(trailer.error().message);
    const ByteView frame = ByteView(plain).subspan(trailer->indexOffset, trailer->indexLength);
    if (cmd == "trailer") {
        put(argv[3], le64(plain.size()), ByteView(plain).last(kTrailerSize));
        return 0;
    }
    if (cmd == "frame") {
        put(argv[3], le64(trailer->indexOffset), frame);
        return 0;
    }
    if (cmd == "index") {
        auto index = decompressSingleFrame(frame, trailer->indexPlainLength);
        if (!index.ok())
            return fail(index.error().message);
        put(argv[3], le64(trailer->indexOffset), *index);
        return 0;
    }
    return fail("unknown command " + cmd);
}
