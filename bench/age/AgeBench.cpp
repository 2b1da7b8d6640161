// A bare driver for timing crypto/age against the age CLI (bench/age/run.sh):
//
//   coffer-age-bench encrypt age1...          < plain  > file.age
//   coffer-age-bench decrypt IDENTITY_FILE    < file.age > plain
//
// It reads stdin and writes stdout in 1 MiB blocks, so the figures are those
// of AgeEncryptor/AgeDecryptor plus the same pipe or file I/O age does.
#include "Bech32.h"
#include "age/Age.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

using namespace coffer;
using namespace coffer::crypto;
using namespace coffer::crypto::age;

namespace {

class FdSource final : public ByteSource {
public:
    explicit FdSource(int fd) : m_fd(fd) {}
    Result<std::size_t> read(MutableByteView buffer) override
    {
        while (true) {
            const ssize_t n = ::read(m_fd, buffer.data(), buffer.size());
            if (n >= 0)
                return static_cast<std::size_t>(n);
            if (errno != EINTR)
                return makeError(ErrorCode::Io, "read failed");
        }
    }

private:
    int m_fd;
};

class FdSink final : public ByteSink {
public:
    explicit FdSink(int fd) : m_fd(fd) {}
    Status write(ByteView data) override
    {
        while (!data.empty()) {
            const ssize_t n = ::write(m_fd, data.data(), data.size());
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0)
                return makeError(ErrorCode::Io, "write failed");
            data = data.subspan(static_cast<std::size_t>(n));
        }
        return Status::success();
    }

private:
    int m_fd;
};

int fail(const std::string& message)
{
    std::cerr << "error: " << message << "\n";
    return 1;
}

int encrypt(const std::string& recipient)
{
    auto decoded = bech32Decode(recipient);
    if (!decoded || decoded->hrp != "age" || decoded->data.size() != 32)
        return fail("not an age1 recipient");
    AgeRecipients to;
    to.x25519.emplace_back();
    std::copy(decoded->data.begin(), decoded->data.end(), to.x25519.back().begin());
    FdSink out(STDOUT_FILENO);
    auto encryptor = AgeEncryptor::open(out, to);
    if (!encryptor.ok())
        return fail(encryptor.error().message);
    FdSource in(STDIN_FILENO);
    struct stat input {};
    if (::fstat(STDIN_FILENO, &input) == 0 && S_ISREG(input.st_mode) && input.st_size > 0) {
        // A file: read straight into the chunks, as `coffer encrypt --format age` does.
        if (auto done = (*encryptor)->writeFrom(in, static_cast<std::uint64_t>(input.st_size)); !done.ok())
            return fail(done.error().message);
    }
    Bytes buffer(1 << 20);
    while (true) {
        auto n = in.read(buffer);
        if (!n.ok())
            return fail(n.error().message);
        if (*n == 0)
            break;
        if (auto st = (*encryptor)->write(ByteView(buffer).first(*n)); !st.ok())
            return fail(st.error().message);
    }
    auto st = (*encryptor)->finish();
    return st.ok() ? 0 : fail(st.error().message);
}

int decrypt(const std::string& identityFile)
{
    AgeKeys keys;
    std::ifstream file(identityFile);
    for (std::string line; std::getline(file, line);) {
        auto secret = bech32DecodeSecret(line, "age-secret-key-");
        if (!secret || secret->size() != 32)
            continue;
        keys.x25519.emplace_back();
        std::copy(secret->begin(), secret->end(), keys.x25519.back().data());
    }
    if (keys.x25519.empty())
        return fail("no AGE-SECRET-KEY-1 line in " + identityFile);
    FdSource in(STDIN_FILENO);
    auto decryptor = AgeDecryptor::open(in, keys);
    if (!decryptor.ok())
        return fail(decryptor.error().message);
    FdSink out(STDOUT_FILENO);
    Bytes buffer(1 << 20);
    while (true) {
        auto n = (*decryptor)->read(buffer);
        if (!n.ok())
            return fail(n.error().message);
        if (*n == 0)
            return 0;
        if (auto st = out.write(ByteView(buffer).first(*n)); !st.ok())
            return fail(st.error().message);
    }
}

} // namespace

int main(int argc, char** argv)
{
    const std::string mode = argc == 3 ? argv[1] : "";
    if (mode == "encrypt")
        return encrypt(argv[2]);
    if (mode == "decrypt")
        return decrypt(argv[2]);
    std::cerr << "usage: coffer-age-bench encrypt age1... | decrypt IDENTITY_FILE  (stdin to stdout)\n";
    return 2;
}
