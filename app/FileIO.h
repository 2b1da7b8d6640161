// POSIX file plumbing for the data path: sinks and sources over file
// descriptors, atomic outputs (".part" then rename), free names, and error
// messages that name the cause ("the disk is full").
#pragma once

#include "ByteStream.h"
#include "Result.h"

#include <filesystem>
#include <string>

namespace coffer {

class JobControl;

using crypto::Bytes;
using crypto::ByteSink;
using crypto::ByteSource;
using crypto::ByteView;
using crypto::MutableByteView;

/// An Io error for errno `err` while doing `what` on `path`.
Error ioError(int err, const std::string& what, const std::filesystem::path& path);

/// Owns a file descriptor.
class UniqueFd {
public:
    UniqueFd() = default;
    explicit UniqueFd(int fd) : m_fd(fd) {}
    ~UniqueFd() { reset(); }
    UniqueFd(UniqueFd&& o) noexcept : m_fd(o.release()) {}
    UniqueFd& operator=(UniqueFd&& o) noexcept
    {
        if (this != &o)
            reset(o.release());
        return *this;
    }
    int get() const { return m_fd; }
    int release()
    {
        const int fd = m_fd;
        m_fd = -1;
        return fd;
    }
    void reset(int fd = -1);
    bool valid() const { return m_fd >= 0; }

private:
    int m_fd = -1;
};

class FdSink final : public ByteSink {
public:
    FdSink(int fd, std::filesystem::path name) : m_fd(fd), m_name(std::move(name)) {}
    Status write(ByteView data) override;
    std::uint64_t written() const { return m_written; }

private:
    int m_fd;
    std::filesystem::path m_name;
    std::uint64_t m_written = 0;
};

class FdSource final : public ByteSource {
public:
    /// With `job`, a read that a signal interrupts after the job was cancelled
    /// fails (Cancelled) instead of waiting on: a stalled pipe must not hold
    /// a cancel back until its writer sends more.
    FdSource(int fd, std::filesystem::path name, const JobControl* job = nullptr)
        : m_fd(fd), m_name(std::move(name)), m_job(job)
    {}
    Result<std::size_t> read(MutableByteView buffer) override;

private:
    int m_fd;
    std::filesystem::path m_name;
    const JobControl* m_job;
};

/// Standard input with its first bytes already read (to tell an age file from
/// a container): gives those bytes again, then the rest of the descriptor.
class StartedSource final : public ByteSource {
public:
    StartedSource(Bytes start, int fd, std::filesystem::path name, const JobControl* job = nullptr)
        : m_start(std::move(start)), m_rest(fd, std::move(name), job)
    {}
    Result<std::size_t> read(MutableByteView buffer) override;

private:
    Bytes m_start;
    std::size_t m_given = 0;
    FdSource m_rest;
};

/// Reads exactly out.size() bytes at `offset`; fewer only at end of file.
Result<std::size_t> preadFull(int fd, MutableByteView out, std::uint64_t offset, const std::filesystem::path& name);
/// Reads until `out` is full or the file ends; returns how many bytes it read.
Result<std::size_t> readFull(int fd, MutableByteView out, const std::filesystem::path& name);

/// "report.pdf" -> "report (2).pdf", the first name not taken in `dir`.
std::string freeName(int dirFd, const std::string& name);
std::filesystem::path freePath(const std::filesystem::path& path);

/// renameat() that never replaces an existing `to` (errno EEXIST then).
int renameNoReplaceAt(int fromDir, const char* from, int toDir, const char* to);

/// An output written under "NAME.part" and renamed into place only by commit().
/// Destroyed without commit (failure, cancel), it removes the partial file.
class AtomicOutput {
public:
    /// `overwrite` false: commit() picks a free name if `target` exists by then.
    static Result<AtomicOutput> create(const std::filesystem::path& target, bool overwrite, int mode = 0666);
    ~AtomicOutput();
    AtomicOutput(AtomicOutput&&) noexcept;
    AtomicOutput& operator=(AtomicOutput&&) = delete;

    int fd() const { return m_fd.get(); }
    const std::filesystem::path& partPath() const { return m_part; }
    /// fsync, rename into place, fsync the folder. Returns the final path.
    Result<std::filesystem::path> commit();

private:
    AtomicOutput() = default;
    UniqueFd m_fd;
    std::filesystem::path m_target;
    std::filesystem::path m_part;
    bool m_overwrite = false;
    bool m_done = false;
};

} // namespace coffer
