// A container served as a read-only folder with FUSE 3 (issue 21, item 4).
// Mounted ro, nosuid, nodev, with default_permissions and without
// allow_other: only the user who mounted it (and root) can read it, with the
// modes the container records. Folders and files only: the format records
// no links (FORMAT.md §5.4), so none is shown.
#pragma once

#include "MountReader.h"
#include "MountTree.h"

#include <ctime>
#include <filesystem>
#include <functional>
#include <memory>

struct fuse;

namespace coffer {

struct MountContext;

/// A FUSE mount of a container, its loop run apart (on a thread of the GUI's,
/// MountServer.h; or by serveMount).
class FuseMount {
public:
    /// Mounted and ready, its loop not yet running.
    static Result<std::unique_ptr<FuseMount>> mount(MountReader& reader, const MountTree& tree,
                                                    const std::filesystem::path& dir, std::time_t created);
    /// Unmounts (if not yet) and ends the connection: reads still coming fail.
    ~FuseMount();
    /// Serves until unmounted, or until requestExit() and a request (or a signal) wakes the loop.
    int loop();
    void requestExit();
    /// Detaches the folder at once (lazy), even with files open in it.
    void unmount();

private:
    FuseMount() = default;
    friend Status serveMount(MountReader&, const MountTree&, const std::filesystem::path&, std::time_t,
                             const std::function<void()>&);
    std::unique_ptr<MountContext> m_context;
    fuse* m_fuse = nullptr;
    bool m_mounted = false;
};

/// Mounts `reader` at `dir` and serves it, one request at a time, until it is
/// unmounted (fusermount3 -u) or the process gets SIGINT, SIGTERM or SIGHUP.
/// One thread: the reader decrypts on all cores itself and takes one read at
/// a time anyway; measured (2 cores, 5 runs each), a multithreaded loop with
/// a lock around the reader was slower for tar of the mounted /usr/include
/// (median 17.5 s against 12.0 s) and within the noise for cat of 1 GiB.
/// `mounted` runs once the folder is usable. `created`: the time folders the
/// index does not list (the root) show.
Status serveMount(MountReader& reader, const MountTree& tree, const std::filesystem::path& dir, std::time_t created,
                  const std::function<void()>& mounted);

/// Why a mount cannot work on this computer (no /dev/fuse), if it cannot.
Status checkFuseAvailable();

} // namespace coffer
