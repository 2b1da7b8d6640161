// What fuzz_archive and fuzz_container do with one container: list it, then
// extract it with both readers (the random-access file reader and the
// front-to-back stream reader on standard input), and check what must hold
// for any input:
//   - a refused extraction leaves nothing behind (the destination folder it
//     created is gone again);
//   - the two readers accept and refuse the same containers, and when both
//     accept they write the same tree with the same bytes;
//   - what was extracted is what the listing said, and nothing else.
#pragma once

#include "ContainerReader.h"
#include "Extract.h"
#include "FuzzSupport.h"
#include "Rekey.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

namespace coffer::fuzz {

namespace fs = std::filesystem;

/// Path -> "d" for a folder, "f:" + content for a file; symlinks and others marked.
inline std::map<std::string, std::string> snapshot(const fs::path& root)
{
    std::map<std::string, std::string> out;
    std::error_code ec;
    for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string rel = fs::relative(it->path(), root, ec).string();
        const auto st = it->symlink_status(ec);
        if (fs::is_directory(st)) {
            out[rel] = "d";
        } else if (fs::is_regular_file(st)) {
            std::ifstream in(it->path(), std::ios::binary);
            std::ostringstream ss;
            ss << in.rdbuf();
            out[rel] = "f:" + ss.str();
        } else {
            out[rel] = "other";
        }
    }
    return out;
}

/// Runs once per process: extraction writes are capped (RLIMIT_FSIZE) so a
/// zstd bomb within the format's limits cannot fill memory-backed /dev/shm;
/// a write past the cap fails with EFBIG, which is one more error path to check.
inline void limitFileSizes()
{
    static const bool done = [] {
        ::signal(SIGXFSZ, SIG_IGN);
        const struct rlimit lim = {64u << 20, 64u << 20};
        ::setrlimit(RLIMIT_FSIZE, &lim);
        return true;
    }();
    (void)done;
}

struct ReaderOutcome {
    bool ok = false;
    ErrorCode code = ErrorCode::Internal;
    std::map<std::string, std::string> tree;
};

inline ReaderOutcome extractOnce(const fs::path& container, bool stream, const fs::path& destination,
                                 const crypto::IdentityList& ids)
{
    wipe(destination);
    ExtractRequest request;
    request.destination = destination;
    if (stream) {
        const int fd = ::open(container.c_str(), O_RDONLY | O_CLOEXEC);
        FUZZ_CHECK(fd >= 0);
        FUZZ_CHECK(::dup2(fd, STDIN_FILENO) == STDIN_FILENO);
        ::close(fd);
        request.container = "-";
    } else {
        request.container = container;
    }
    JobControl job;
    auto result = extractContainer(request, ids, job);
    ReaderOutcome out;
    out.ok = result.ok();
    std::error_code ec;
    if (!result.ok()) {
        out.code = result.error().code;
        FUZZ_CHECK(!result.error().message.empty());
        // Nothing left behind: the destination was created by this extraction, so it must be gone.
        if (fs::exists(fs::symlink_status(destination, ec))) {
            std::fprintf(stderr, "a refused extraction (%s) left files behind: %s\n", stream ? "stream" : "file",
                         result.error().message.c_str());
            for (const auto& [path, kind] : snapshot(destination))
                std::fprintf(stderr, "  left: %s\n", path.c_str());
            FUZZ_CHECK(false);
        }
    } else {
        out.tree = snapshot(destination);
        // Exactly the entries of the index, with their sizes.
        std::size_t expected = 0;
        for (const auto& e : result->index.entries) {
            if (e.isPack())
                continue; // not a file: extracting it creates nothing (FORMAT.md §5.8)
            const auto it = out.tree.find(e.info.path);
            FUZZ_CHECK(it != out.tree.end());
            if (e.info.kind == EntryKind::Directory) {
                FUZZ_CHECK(it->second == "d");
            } else {
                FUZZ_CHECK(it->second.size() == 2 + e.info.size && it->second.compare(0, 2, "f:") == 0);
                if (e.sha256) {
                    const std::string content = it->second.substr(2);
                    FUZZ_CHECK(crypto::sha256(crypto::asBytes(content)) == *e.sha256);
                }
            }
            ++expected;
        }
        // Parents the archive did not list are created too; nothing else may appear.
        for (const auto& entry : out.tree) {
            const std::string& path = entry.first;
            const bool listed =
                std::any_of(result->index.entries.begin(), result->index.entries.end(), [&](const IndexEntry& e) {
                    return (!e.isPack() && e.info.path == path) ||
                           e.info.path.compare(0, path.size() + 1, path + "/") == 0;
                });
            FUZZ_CHECK(listed);
        }
        (void)expected;
    }
    wipe(destination);
    return out;
}

/// Lists and extracts `container` with both readers; `reachedPayload` tells
/// whether the header opened (then rekey is exercised too).
inline void exerciseContainer(const fs::path& container, const crypto::IdentityList& ids)
{
    limitFileSizes();
    const fs::path& scratch = scratchDir();

    (void)inspectContainer(container);
    auto listing = listContainer(container, ids);

    const ReaderOutcome file = extractOnce(container, false, scratch / "file-reader", ids);
    const ReaderOutcome stream = extractOnce(container, true, scratch / "stream-reader", ids);

    if (file.ok)
        FUZZ_CHECK(listing.ok());
    if (!listing.ok())
        FUZZ_CHECK(!file.ok);
    // The two readers apply the same rules (FORMAT.md §5.6): same verdict, same output.
    if (file.ok != stream.ok) {
        std::fprintf(stderr, "readers disagree: file %s (code %d), stream %s (code %d)\n", file.ok ? "ok" : "refused",
                     static_cast<int>(file.code), stream.ok ? "ok" : "refused", static_cast<int>(stream.code));
        // An I/O error (the size cap) hits only where a reader got far enough to write.
        FUZZ_CHECK(file.code == ErrorCode::Io || stream.code == ErrorCode::Io);
    }
    if (file.ok && stream.ok)
        FUZZ_CHECK(file.tree == stream.tree);

    // Rekey a container that opens: the payload is copied, so the listing must not change.
    if (listing.ok()) {
        const fs::path out = scratch / "rekeyed.coffer";
        wipe(out);
        RekeyRequest request;
        request.input = container;
        request.output = out;
        request.recipients.push_back(crypto::RecipientKey{fixedIdentity().x25519Public(), std::nullopt});
        auto rekeyed = rekeyContainer(request, ids);
        if (rekeyed.ok()) {
            auto again = listContainer(*rekeyed, ids);
            FUZZ_CHECK(again.ok());
            FUZZ_CHECK(again->index.entries.size() == listing->index.entries.size());
            FUZZ_CHECK(encodeIndex(again->index) == encodeIndex(listing->index));
            wipe(*rekeyed);
        }
        wipe(out);
    }
}

} // namespace coffer::fuzz
