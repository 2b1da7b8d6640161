#define FUSE_USE_VERSION 35
#include "MountFs.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fuse.h>
#include <string>
#include <unistd.h>

namespace coffer {

namespace {} // namespace

struct MountContext {
    MountReader& reader;
    const MountTree& tree;
    std::time_t created;
    uid_t uid;
    gid_t gid;
};

namespace {

MountContext& context()
{
    return *static_cast<MountContext*>(fuse_get_context()->private_data);
}

// Read-only whatever the container says: no write bits, no setuid, setgid or
// sticky bit; the owner can always read (and enter folders), as after extraction.
mode_t shownMode(const MountNode& node, const ArchiveIndex& index)
{
    const mode_t recorded = node.entry == MountNode::kNoEntry ? 0555 : index.entries[node.entry].info.mode;
    return node.isFolder ? S_IFDIR | ((recorded & 0555) | 0500) : S_IFREG | ((recorded & 0555) | 0400);
}

void fillStat(const MountContext& ctx, const MountNode& node, struct stat* st)
{
    std::memset(st, 0, sizeof *st);
    st->st_ino = ctx.tree.numberOf(node) + 1;
    st->st_mode = shownMode(node, ctx.reader.index());
    st->st_nlink = node.isFolder ? 2 : 1;
    st->st_uid = ctx.uid;
    st->st_gid = ctx.gid;
    st->st_mtim.tv_sec = ctx.created;
    if (node.entry != MountNode::kNoEntry) {
        const EntryInfo& info = ctx.reader.index().entries[node.entry].info;
        st->st_mtim = {static_cast<time_t>(info.mtimeSeconds), static_cast<long>(info.mtimeNanoseconds)};
        if (!node.isFolder)
            st->st_size = static_cast<off_t>(info.size);
    }
    st->st_atim = st->st_ctim = st->st_mtim;
    st->st_blksize = 128 * 1024;
    st->st_blocks = (st->st_size + 511) / 512;
}

void* onInit(fuse_conn_info*, fuse_config* cfg)
{
    // The content never changes while mounted: the kernel may keep what it read.
    cfg->kernel_cache = 1;
    cfg->use_ino = 1;
    cfg->entry_timeout = cfg->attr_timeout = cfg->negative_timeout = 3600;
    return fuse_get_context()->private_data;
}

int onGetattr(const char* path, struct stat* st, fuse_file_info*)
{
    MountContext& ctx = context();
    const MountNode* node = ctx.tree.lookup(path);
    if (!node)
        return -ENOENT;
    fillStat(ctx, *node, st);
    return 0;
}

int onReaddir(const char* path, void* buf, fuse_fill_dir_t fill, off_t, fuse_file_info*, fuse_readdir_flags)
{
    MountContext& ctx = context();
    const MountNode* node = ctx.tree.lookup(path);
    if (!node)
        return -ENOENT;
    if (!node->isFolder)
        return -ENOTDIR;
    fill(buf, ".", nullptr, 0, fuse_fill_dir_flags{});
    fill(buf, "..", nullptr, 0, fuse_fill_dir_flags{});
    for (std::uint32_t child : node->children)
        if (fill(buf, ctx.tree.node(child).name.c_str(), nullptr, 0, fuse_fill_dir_flags{}) != 0)
            return -ENOMEM; // the buffer is full: cannot happen with offset 0 (one pass)
    return 0;
}

// fh is the node's number, so that read() needs no lookup.
int onOpen(const char* path, fuse_file_info* fi)
{
    MountContext& ctx = context();
    const MountNode* node = ctx.tree.lookup(path);
    if (!node)
        return -ENOENT;
    if (node->isFolder)
        return -EISDIR;
    if ((fi->flags & O_ACCMODE) != O_RDONLY)
        return -EROFS;
    if (!ctx.reader.prepare(node->entry).ok())
        return -EIO;
    fi->fh = ctx.tree.numberOf(*node);
    fi->keep_cache = 1;
    return 0;
}

int onRead(const char*, char* buf, std::size_t size, off_t offset, fuse_file_info* fi)
{
    MountContext& ctx = context();
    const MountNode& node = ctx.tree.node(static_cast<std::size_t>(fi->fh));
    const std::uint64_t fileSize = ctx.reader.index().entries[node.entry].info.size;
    if (offset < 0)
        return -EINVAL;
    if (static_cast<std::uint64_t>(offset) >= fileSize)
        return 0;
    const auto n =
        static_cast<std::size_t>(std::min<std::uint64_t>(size, fileSize - static_cast<std::uint64_t>(offset)));
    const Status st = ctx.reader.read(node.entry, static_cast<std::uint64_t>(offset),
                                      MutableByteView(reinterpret_cast<std::uint8_t*>(buf), n));
    if (!st.ok()) {
        std::fprintf(stderr, "coffer mount: %s\n", st.error().message.c_str()); // seen with -f
        return -EIO;
    }
    return static_cast<int>(n);
}

fuse_operations makeOperations()
{
    fuse_operations ops{};
    ops.init = onInit;
    ops.getattr = onGetattr;
    ops.readdir = onReaddir;
    ops.open = onOpen;
    ops.read = onRead;
    return ops;
}

} // namespace

namespace {

/// True if `program` is an executable file in $PATH or /usr/bin (where libfuse looks for fusermount3).
bool onPath(const std::string& program)
{
    std::string path = std::getenv("PATH") ? std::getenv("PATH") : "";
    path += ":/usr/bin:/bin";
    for (std::size_t start = 0; start <= path.size();) {
        const std::size_t end = std::min(path.find(':', start), path.size());
        const std::string dir = path.substr(start, end - start);
        if (!dir.empty() && ::access((dir + "/" + program).c_str(), X_OK) == 0)
            return true;
        start = end + 1;
    }
    return false;
}

} // namespace

// A portable bundle carries libfuse3, but not /dev/fuse or fusermount3 (a
// setuid helper of the host's fuse3 package, needed to mount unless root).
Status checkFuseAvailable()
{
    const char* hint = "install FUSE 3 (Debian: apt install fuse3), or use \"coffer decrypt\"";
    if (::access("/dev/fuse", R_OK | W_OK) != 0)
        return makeError(ErrorCode::Io, "this computer lacks FUSE (/dev/fuse is missing or not usable)", hint);
    if (::geteuid() != 0 && !onPath("fusermount3"))
        return makeError(ErrorCode::Io, "this computer lacks FUSE (fusermount3 is not installed)", hint);
    return Status::success();
}

Result<std::unique_ptr<FuseMount>> FuseMount::mount(MountReader& reader, const MountTree& tree,
                                                    const std::filesystem::path& dir, std::time_t created)
{
    std::unique_ptr<FuseMount> m(new FuseMount);
    m->m_context = std::make_unique<MountContext>(MountContext{reader, tree, created, ::getuid(), ::getgid()});
    // No allow_other: the mount is this user's alone (docs/SECURITY.md).
    char arg0[] = "coffer", dashO[] = "-o",
         options[] = "ro,default_permissions,nosuid,nodev,fsname=coffer,subtype=coffer";
    char* argv[] = {arg0, dashO, options, nullptr};
    fuse_args args = FUSE_ARGS_INIT(3, argv);
    const fuse_operations ops = makeOperations();
    m->m_fuse = fuse_new(&args, &ops, sizeof ops, m->m_context.get());
    fuse_opt_free_args(&args);
    if (!m->m_fuse)
        return makeError(ErrorCode::Internal, "FUSE refused the mount's options");
    if (fuse_mount(m->m_fuse, dir.c_str()) != 0)
        return makeError(ErrorCode::Io, "could not mount on \"" + dir.string() + "\"",
                         "check that FUSE works here (fusermount3 is installed, /dev/fuse usable)");
    m->m_mounted = true;
    return m;
}

FuseMount::~FuseMount()
{
    if (!m_fuse)
        return;
    unmount();
    fuse_destroy(m_fuse); // closes /dev/fuse: the kernel ends the connection, open files fail from then on
}

int FuseMount::loop()
{
    return fuse_loop(m_fuse);
}

void FuseMount::requestExit()
{
    fuse_exit(m_fuse);
}

void FuseMount::unmount()
{
    if (m_mounted)
        fuse_unmount(m_fuse); // lazy (MNT_DETACH, fusermount3 -z): never refused as busy
    m_mounted = false;
}

Status serveMount(MountReader& reader, const MountTree& tree, const std::filesystem::path& dir, std::time_t created,
                  const std::function<void()>& mounted)
{
    auto m = FuseMount::mount(reader, tree, dir, created);
    COFFER_TRY(m);
    fuse_session* session = fuse_get_session((*m)->m_fuse);
    fuse_set_signal_handlers(session);
    mounted();
    const int rc = (*m)->loop();
    fuse_remove_signal_handlers(session);
    if (rc < 0)
        return makeError(ErrorCode::Io, std::string("the mount stopped: ") + std::strerror(-rc));
    return Status::success();
}

} // namespace coffer
