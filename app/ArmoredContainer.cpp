// Armored containers (ArmoredContainer.h; FORMAT.md §14).
#include "ArmoredContainer.h"

#include "Armor.h"
#include "FileIO.h"
#include "Header.h"
#include "OpenCopies.h"

#include <cerrno>
#include <fcntl.h>
#include <system_error>
#include <unistd.h>

namespace fs = std::filesystem;

namespace coffer {

namespace {

// Reads at most `most` bytes; `more` tells whether the file goes on.
Result<Bytes> readAtMost(const fs::path& path, std::size_t most, bool& more)
{
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid())
        return ioError(errno, "read", path);
    Bytes data(most + 1);
    auto n = readFull(fd.get(), data, path);
    COFFER_TRY(n);
    more = *n > most;
    data.resize(std::min(*n, most));
    return data;
}

std::size_t maxArmoredText()
{
    return crypto::maxArmoredSize(kMaxArmoredContainer, crypto::kCofferArmor);
}

} // namespace

bool looksLikeArmoredContainer(std::string_view text)
{
    return text.starts_with(crypto::kCofferArmor.begin);
}

bool isArmoredContainerFile(const fs::path& path)
{
    bool more = false;
    auto start = readAtMost(path, crypto::kCofferArmor.begin.size(), more);
    return start.ok() &&
           looksLikeArmoredContainer(std::string_view(reinterpret_cast<const char*>(start->data()), start->size()));
}

Result<std::string> armorContainer(const fs::path& path)
{
    bool more = false;
    auto data = readAtMost(path, kMaxArmoredContainer, more);
    COFFER_TRY(data);
    if (more)
        return makeError(ErrorCode::LimitExceeded, "the container is larger than 64 KiB, too large to copy as text",
                         "attach it to an e-mail or copy the file instead");
    if (!crypto::startsWithVersionLine(
            std::string_view(reinterpret_cast<const char*>(data->data()), std::min<std::size_t>(data->size(), 16))))
        return makeError(ErrorCode::NotAContainer, "only a Coffer container can be copied as text");
    return crypto::encodeArmor(*data, crypto::kCofferArmor);
}

Result<std::string> readArmoredText(const fs::path& path)
{
    bool more = false;
    auto data = readAtMost(path, maxArmoredText(), more);
    COFFER_TRY(data);
    if (more)
        return makeError(ErrorCode::LimitExceeded, "the armored text is longer than a 64 KiB container can be",
                         "ask the sender to attach the container as a file");
    return std::string(data->begin(), data->end());
}

Result<fs::path> dearmorInto(std::string_view text, OpenCopies& copies, const std::string& name)
{
    if (text.size() > maxArmoredText())
        return makeError(ErrorCode::LimitExceeded, "the armored text is longer than a 64 KiB container can be",
                         "ask the sender to attach the container as a file");
    auto bytes = crypto::decodeArmor(text, crypto::kCofferArmor, kMaxArmoredContainer);
    if (!bytes.ok()) {
        Error e = bytes.error();
        if (e.hint.empty())
            e.hint = "copy the whole text again, from its BEGIN line to its END line, unchanged";
        return e;
    }
    const fs::path slot = copies.nextSlot();
    std::error_code ec;
    if (!fs::create_directory(slot, ec) || ec)
        return ioError(ec ? ec.value() : EEXIST, "create", slot);
    const fs::path file = slot / (name + ".coffer");
    UniqueFd fd(::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!fd.valid()) {
        const int err = errno;
        fs::remove_all(slot, ec);
        return ioError(err, "create", file);
    }
    FdSink sink(fd.get(), file);
    Status written = sink.write(*bytes);
    if (written.ok() && ::fsync(fd.get()) != 0)
        written = ioError(errno, "write", file);
    if (!written.ok()) {
        fd.reset();
        fs::remove_all(slot, ec);
        return written.error();
    }
    return file;
}

} // namespace coffer
