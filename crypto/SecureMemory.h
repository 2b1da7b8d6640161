// Memory for secrets: wiped before it is returned to the allocator.
// Public headers use these types so that no Botan type leaks out of crypto/.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace coffer::crypto {

/// Overwrites memory in a way the optimiser may not drop.
void secureWipe(void* data, std::size_t size);

/// Sizes the locked (mlock'd, never swapped) pool in which Botan keeps its own
/// small secrets (key schedules, hash states: 16 to 256 bytes, one page per
/// size) to 64 KiB, unless BOTAN_MLOCK_POOL_SIZE already says otherwise. Call
/// it before anything allocates secure memory: Botan makes the pool once, at
/// the first secure allocation, and its default of 512 KiB costs every command
/// 128 pages mapped, locked and guarded at start and unmapped at exit (about
/// 9 ms on two cores; docs/SECURITY.md "Secrets in memory").
void sizeLockedPool();

template <typename T> struct SecureAllocator {
    using value_type = T;
    SecureAllocator() noexcept = default;
    template <typename U> SecureAllocator(const SecureAllocator<U>&) noexcept {}
    T* allocate(std::size_t n) { return std::allocator<T>{}.allocate(n); }
    void deallocate(T* p, std::size_t n) noexcept
    {
        secureWipe(p, n * sizeof(T));
        std::allocator<T>{}.deallocate(p, n);
    }
    template <typename U> bool operator==(const SecureAllocator<U>&) const noexcept { return true; }
};

/// Bytes that hold a secret (keys, passphrases, plaintext of key material).
using SecureBytes = std::vector<std::uint8_t, SecureAllocator<std::uint8_t>>;
using SecureStringBase = std::basic_string<char, std::char_traits<char>, SecureAllocator<char>>;

/// A passphrase or secret key text; never converted to QString or QByteArray.
/// Also wipes short strings, which live inside the object, not on the heap
/// where SecureAllocator would see them.
class SecureString : public SecureStringBase {
public:
    using SecureStringBase::SecureStringBase;
    SecureString() = default;
    SecureString(const SecureStringBase& s) : SecureStringBase(s) {}
    SecureString(SecureStringBase&& s) noexcept : SecureStringBase(std::move(s)) {}
    SecureString(const SecureString&) = default;
    SecureString(SecureString&&) noexcept = default;
    SecureString& operator=(const SecureString&) = default;
    SecureString& operator=(SecureString&&) noexcept = default;
    ~SecureString();
};

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;
using MutableByteView = std::span<std::uint8_t>;

/// A fixed-size secret, move-only, wiped on destruction and on move.
template <std::size_t N> class SecretArray {
public:
    SecretArray() { m_bytes.fill(0); }
    ~SecretArray() { secureWipe(m_bytes.data(), N); }
    SecretArray(const SecretArray&) = delete;
    SecretArray& operator=(const SecretArray&) = delete;
    SecretArray(SecretArray&& other) noexcept : m_bytes(other.m_bytes) { secureWipe(other.m_bytes.data(), N); }
    SecretArray& operator=(SecretArray&& other) noexcept
    {
        if (this != &other) {
            m_bytes = other.m_bytes;
            secureWipe(other.m_bytes.data(), N);
        }
        return *this;
    }

    /// An explicit copy, so that duplicating a secret is visible in the code.
    SecretArray clone() const
    {
        SecretArray copy;
        copy.m_bytes = m_bytes;
        return copy;
    }

    static constexpr std::size_t size() { return N; }
    std::uint8_t* data() { return m_bytes.data(); }
    const std::uint8_t* data() const { return m_bytes.data(); }
    ByteView view() const { return {m_bytes.data(), N}; }
    MutableByteView mutableView() { return {m_bytes.data(), N}; }

private:
    std::array<std::uint8_t, N> m_bytes;
};

inline ByteView asBytes(std::string_view text)
{
    return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

/// Constant-time comparison of two equal-length byte strings.
bool constantTimeEqual(ByteView a, ByteView b);

} // namespace coffer::crypto
