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
//   coffer_fuzz_seedtool segment OUTDIR          format v2 tables, directories, trailer (fuzz_segment)
#include "ContainerReader.h"
#include "DirectoryFormat.h"
#include "FuzzSupport.h"
#include "SegmentTable.h"
#include "Signature.h"
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

// Format v2 (docs/FORMAT-v2.md §3) has no writer yet: its seeds are built
// here from the codecs, in fuzz_segment's layout (u64 plaintext length, a
// flags byte, the bytes).
int writeSegmentSeeds(const std::string& dir, const crypto::SecretIdentity& signer)
{
    const auto seed = [&](const std::string& name, std::uint64_t number, bool hashes, ByteView bytes) {
        Bytes head = le64(number);
        head.push_back(hashes ? 1 : 0);
        put((dir + "/" + name).c_str(), head, bytes);
    };
    // FORMAT-v2 §3.13's example, then a table with every column.
    SegmentTable example;
    example.packCodec = Codec::Stored;
    example.packStored = 8;
    example.entries = {{SegmentKind::Directory, "docs", 0755, 1700000000, 0, 0, 0, std::nullopt},
                       {SegmentKind::Member, "docs/a.txt", 0644, 1700000100, 0, 3, 0, std::nullopt},
                       {SegmentKind::Member, "docs/b.txt", 0644, 1700000100, 0, 5, 0, std::nullopt},
                       {SegmentKind::EmptyFile, "docs/empty", 0600, 1699999990, 0, 0, 0, std::nullopt}};
    SegmentTable rich;
    rich.hashes = true;
    rich.packCodec = Codec::Zstd;
    rich.packStored = 40;
    rich.packSha256 = crypto::sha256(Bytes{1});
    rich.entries = {{SegmentKind::Directory, "photos", 0700, 1700000000, 5, 0, 0, std::nullopt},
                    {SegmentKind::Record, "photos/big.raw", 0600, 1700000002, 999'999'999, 5u << 20, 4000,
                     crypto::sha256(Bytes{2})},
                    {SegmentKind::Member, "photos/caf\xc3\xa9.txt", 0644, 1699999999, 0, 60, 0, std::nullopt},
                    {SegmentKind::EmptyFile, "photos/empty", 0, 0, 0, 0, 0, std::nullopt}};
    const Bytes exampleBytes = encodeSegmentTable(example);
    const Bytes richBytes = encodeSegmentTable(rich);
    seed("table-example", 0, false, exampleBytes);
    seed("table-rich", 0, true, richBytes);
    ZstdCompressor zstd(3);
    Bytes frame;
    if (!zstd.compress(richBytes, frame).ok())
        return fail("zstd failed");
    seed("table-rich-frame", 0, true, frame);

    Directory d;
    d.rows = {{0, 40, static_cast<std::uint32_t>(exampleBytes.size()), 4, std::nullopt},
              {48, 60, static_cast<std::uint32_t>(richBytes.size()), 4, std::nullopt}};
    d.recipients.emplace_back(crypto::kAudienceX25519, signer.x25519Public());
    const Bytes unsignedDirectory = encodeDirectory(d);
    seed("directory", 0, false, unsignedDirectory);
    d.hashes = true;
    d.rows[0].sha256 = crypto::sha256(exampleBytes);
    d.rows[1].sha256 = crypto::sha256(richBytes);
    const auto card = *signer.card();
    d.signature = IndexSignature{card.x25519, card.ed25519, {}};
    Bytes signedDirectory = encodeDirectory(d);
    const auto sig = crypto::signDirectory(signer, ByteView(signedDirectory).first(signedDirectory.size() - 64));
    std::copy(sig.begin(), sig.end(), signedDirectory.end() - 64);
    seed("directory-signed", 0, true, signedDirectory);
    if (!zstd.compress(signedDirectory, frame).ok())
        return fail("zstd failed");
    seed("directory-signed-frame", 0, true, frame);
    const Bytes trailer = encodeTrailerV2({108, frame.size(), signedDirectory.size()});
    seed("trailer", 108 + frame.size() + kTrailerSize, false, trailer);
    Bytes headers = encodePackHeader({Codec::Stored, 8});
    seed("pack-header", 0, false, headers);
    headers = encodeSegmentHeader(40);
    seed("segment-header", 0, false, headers);
    return 0;
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
    if (cmd == "segment" && argc == 3)
        return writeSegmentSeeds(argv[2], identity);
    if (argc != 4)
        return fail("usage: card | secret | header|plaintext|index|frame|trailer CONTAINER OUT | segment OUTDIR");
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
