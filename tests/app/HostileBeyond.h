// Shared by the two "hostile input beyond the core list" suites (issue 8,
// item 4): HostileLimitsTest.cpp and HostileScaleTest.cpp.
#pragma once

#include "ContainerReader.h"
#include "ExtractHarness.h"
#include "FileIO.h"
#include "PassphraseRecipient.h"
#include "PayloadStream.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <fstream>
#include <gtest/gtest.h>
#include <malloc.h>
#include <unistd.h>

namespace coffer::test::beyond {

using namespace coffer;
using crypto::Stanza;
namespace fs = std::filesystem;

using Clock = std::chrono::steady_clock;
inline double secondsSince(Clock::time_point start)
{
    return std::chrono::duration<double>(Clock::now() - start).count();
}

// Counts the stanzas shown to an identity: a refusal "before any stanza is tried" shows none.
class CountingIdentity final : public crypto::Identity {
public:
    CountingIdentity(std::unique_ptr<crypto::Identity> inner, int& calls) : m_inner(std::move(inner)), m_calls(calls) {}
    Result<crypto::Unwrapped> unwrap(const Stanza& stanza) const override
    {
        ++m_calls;
        return m_inner->unwrap(stanza);
    }

private:
    std::unique_ptr<crypto::Identity> m_inner;
    int& m_calls;
};

struct FileSink final : crypto::ByteSink {
    explicit FileSink(const fs::path& path) : out(path, std::ios::binary | std::ios::trunc) {}
    Status write(ByteView data) override
    {
        out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
        return Status::success();
    }
    std::ofstream out;
};

inline std::size_t stanzaLength(const Stanza& s)
{
    crypto::Header one, none;
    one.stanzas.push_back(s);
    return crypto::serialiseHeaderForMac(one).size() - crypto::serialiseHeaderForMac(none).size();
}

inline Stanza unknownStanza(std::size_t bodySize, std::vector<std::string> args = {})
{
    return Stanza{"example.com/future", std::move(args), Bytes(bodySize, 0x5a)};
}

/// `first`, then "example.com/future" stanzas, then `last` and a pad stanza:
/// `count` stanzas in all, in a header of exactly `length` bytes.
inline std::vector<Stanza> stanzasFilling(std::vector<Stanza> first, const Stanza& last, std::size_t count,
                                          std::size_t length)
{
    crypto::Header fixed;
    fixed.stanzas = first;
    fixed.stanzas.push_back(last);
    const std::size_t base = crypto::serialiseHeader(fixed).size();
    const std::size_t fillers = count - first.size() - 2;
    const auto total = [&](std::size_t body) { return base + fillers * stanzaLength(unknownStanza(body)); };
    std::size_t lo = 0, hi = crypto::kMaxStanzaBody; // the largest body that leaves a pad of >= 10 bytes
    if (total(0) + 10 > length)
        throw std::runtime_error("stanzasFilling: too many stanzas for the length");
    while (lo < hi) {
        const std::size_t mid = (lo + hi + 1) / 2;
        if (total(mid) + 10 <= length)
            lo = mid;
        else
            hi = mid - 1;
    }
    std::vector<Stanza> out = std::move(first);
    out.insert(out.end(), fillers, unknownStanza(lo));
    out.push_back(last);
    out.push_back(crypto::padStanzaOfLength(length - total(lo)).value());
    return out;
}

/// Writes a container whose header holds `stanzas` (MACed under `fileKey`)
/// and whose payload is `plaintext`; returns the header's length.
inline std::size_t writeContainerWith(const fs::path& path, std::vector<Stanza> stanzas, const crypto::FileKey& fileKey,
                                      ByteView plaintext)
{
    crypto::Header header;
    header.stanzas = std::move(stanzas);
    header.mac = crypto::computeHeaderMac(fileKey, crypto::asBytes(crypto::serialiseHeaderForMac(header)));
    const std::string text = crypto::serialiseHeader(header);
    FileSink sink(path);
    (void)sink.write(crypto::asBytes(text));
    auto payload = crypto::PayloadWriter::create(fileKey.view(), sink);
    if (!payload.ok() || !payload->write(plaintext).ok() || !payload->finish().ok())
        throw std::runtime_error("writeContainerWith: payload");
    return text.size();
}

inline crypto::FileKey freshFileKey()
{
    crypto::FileKey key;
    crypto::randomBytes(key.mutableView());
    return key;
}

inline Bytes oneFileArchive()
{
    HostileArchive archive;
    archive.file("inside.txt", "opened");
    return archive.plaintext();
}

/// An argon2id stanza that would cost seconds of KDF work (t = 16, 256 MiB) if it were ever tried.
inline Stanza costlyPassphraseStanza(const crypto::FileKey& fileKey)
{
    crypto::PassphraseRecipient cheap(crypto::SecureString("secret"), crypto::Argon2Params{1, 8, 1});
    Stanza s = cheap.wrap(fileKey).value();
    s.args[1] = "16";
    s.args[2] = "262144";
    return s;
}

inline void removeTree(const fs::path& path)
{
    // rm walks with openat: trees deeper than PATH_MAX, which std::filesystem cannot reach.
    runCommand("rm -rf -- " + shellQuote(path.string()));
}

inline void clearDestination(const fs::path& dest)
{
    for (const auto& entry : fs::directory_iterator(dest))
        if (entry.path().filename() != "marker.txt")
            removeTree(entry.path());
}

/// Both readers extract scene.container with `ids`; `check` looks at the
/// destination after each, which is then emptied again (but for the marker).
inline void expectExtractedByBoth(const ExtractScene& scene, const crypto::IdentityList& ids,
                                  const std::function<void(const fs::path&)>& check, std::vector<std::string> only = {},
                                  double maxSeconds = 30)
{
    for (const ReaderMode mode : kBothReaders) {
        SCOPED_TRACE(readerName(mode));
        ExtractRequest request;
        request.destination = scene.dest;
        request.only = only;
        JobControl job;
        const auto start = Clock::now();
        const auto result = extractWith(mode, scene.container, request, ids, job);
        EXPECT_LT(secondsSince(start), maxSeconds);
        EXPECT_TRUE(result.ok()) << result.error().message;
        check(scene.dest);
        clearDestination(scene.dest);
    }
}

/// Both readers refuse scene.container with `code`, within `maxSeconds`, leaving the sandbox as it was.
inline void expectRefusedByBoth(const ExtractScene& scene, const crypto::IdentityList& ids, ErrorCode code,
                                double maxSeconds = 30)
{
    const auto before = snapshotTree(scene.root.path());
    for (const ReaderMode mode : kBothReaders) {
        SCOPED_TRACE(readerName(mode));
        const auto start = Clock::now();
        const auto result = extractWith(mode, scene.container, scene.dest, ids);
        EXPECT_LT(secondsSince(start), maxSeconds);
        ASSERT_FALSE(result.ok()) << "the hostile container was extracted";
        EXPECT_EQ(result.error().code, code) << result.error().message;
        EXPECT_EQ(snapshotTree(scene.root.path()), before) << "the extraction left something behind";
    }
}

inline void expectListingRefused(const ExtractScene& scene, ErrorCode code)
{
    const auto listing = listContainer(scene.container, identitiesOf(scene.identity));
    ASSERT_FALSE(listing.ok());
    EXPECT_EQ(listing.error().code, code) << listing.error().message;
}

/// The X25519 identity and a passphrase identity, each counting the stanzas it is shown.
inline crypto::IdentityList countingIdentities(const ExtractScene& scene, int& calls)
{
    crypto::IdentityList ids;
    ids.push_back(std::make_unique<CountingIdentity>(scene.identity.makeIdentity(), calls));
    ids.push_back(std::make_unique<CountingIdentity>(
        std::make_unique<crypto::PassphraseIdentity>(crypto::SecureString("secret")), calls));
    return ids;
}

} // namespace coffer::test::beyond
