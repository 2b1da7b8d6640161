#include "SpillFile.h"

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

namespace coffer {

namespace {

namespace fs = std::filesystem;

/// Block n's nonce: n, little-endian, then zeros (each key seals one file).
std::array<std::uint8_t, 12> nonceOf(std::uint64_t n)
{
    std::array<std::uint8_t, 12> nonce{};
    for (std::size_t i = 0; i < 8; ++i)
        nonce[i] = static_cast<std::uint8_t>(n >> (8 * i));
    return nonce;
}

Error ioError(const std::string& what)
{
    return makeError(ErrorCode::Io, what + ": " + std::strerror(errno));
}

/// A file with no name in `dir`: O_TMPFILE where the file system has it, else made and unlinked at once.
Result<UniqueFd> namelessFile(const fs::path& dir)
{
    UniqueFd fd(::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600));
    if (fd.valid())
        return fd;
    std::string name = (dir / ".coffer-spill-XXXXXX").string();
    fd = UniqueFd(::mkostemp(name.data(), O_CLOEXEC));
    if (!fd.valid())
        return ioError("cannot make a temporary file in \"" + dir.string() + "\"");
    ::unlink(name.c_str());
    return fd;
}

} // namespace

Result<SpillFile> SpillFile::create(const fs::path& dir)
{
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
        fs::create_directories(dir, ec);
        if (ec)
            return makeError(ErrorCode::Io,
                             "cannot make the temporary folder \"" + dir.string() + "\": " + ec.message());
        ::chmod(dir.c_str(), 0700);
    }
    auto fd = namelessFile(dir);
    COFFER_TRY(fd);
    crypto::SecureBytes key(32);
    crypto::randomBytes(key);
    auto aead = crypto::AesGcm256::create(key);
    COFFER_TRY(aead);
    return SpillFile(std::move(*fd), std::move(*aead));
}

Result<std::uint64_t> SpillFile::append(crypto::ByteView block)
{
    const std::uint64_t number = m_blocks.size();
    crypto::Bytes sealed(block.size() + 16);
    const auto nonce = nonceOf(number);
    COFFER_TRY(m_aead.seal(nonce, {}, block, sealed));
    std::size_t done = 0;
    while (done < sealed.size()) {
        const ssize_t n =
            ::pwrite(m_fd.get(), sealed.data() + done, sealed.size() - done, static_cast<off_t>(m_end + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return ioError("cannot write the temporary file");
        done += static_cast<std::size_t>(n);
    }
    m_blocks.push_back({m_end, sealed.size()});
    m_end += sealed.size();
    return number;
}

Status SpillFile::read(std::uint64_t number, crypto::Bytes& out)
{
    if (number >= m_blocks.size())
        return makeError(ErrorCode::Internal, "no such block in the temporary file");
    const Block& b = m_blocks[number];
    crypto::Bytes sealed(static_cast<std::size_t>(b.sealedSize));
    std::size_t done = 0;
    while (done < sealed.size()) {
        const ssize_t n =
            ::pread(m_fd.get(), sealed.data() + done, sealed.size() - done, static_cast<off_t>(b.offset + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return ioError("cannot read the temporary file");
        if (n == 0)
            return makeError(ErrorCode::Damaged, "the temporary file was cut short while Coffer used it");
        done += static_cast<std::size_t>(n);
    }
    out.resize(sealed.size() - 16);
    const auto nonce = nonceOf(number);
    if (!m_aead.open(nonce, {}, sealed, out).ok())
        return makeError(ErrorCode::Damaged, "the temporary file was changed while Coffer used it");
    return Status::success();
}

} // namespace coffer
