// Typed results for crypto/ and app/: an error code the caller can branch on,
// plus a plain message. Nothing here throws across a module boundary.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace coffer {

enum class ErrorCode {
    InvalidArgument,    // the caller passed something unusable (bad key length, bad option)
    NotAContainer,      // the input does not start like a Coffer container
    NoKeyMatched,       // no identity or passphrase opened any stanza
    WrongPassphrase,    // a passphrase stanza was present but the passphrase did not open it
    PassphraseNeeded,   // no key opened it, a passphrase could have, and none was given: ask, then retry
    Damaged,            // damaged or tampered: authentication or structure failed
    UnsupportedVersion, // a format version we do not know
    LimitExceeded,      // a declared size, count or KDF cost over our ceilings
    UnsafePath,         // an archive path that could escape the destination
    Io,                 // the operating system refused (disk full, permission, missing file)
    Cancelled,          // the user cancelled
    Internal,           // a bug or an unexpected library failure
};

struct Error {
    ErrorCode code = ErrorCode::Internal;
    std::string message;
    /// What fixes this very case, when the code's general advice would not
    /// (the CLI prints it as the "hint:" line): e.g. the option to pass.
    std::string hint = {};
};

/// Either a value or an Error. Small on purpose: C++20 has no std::expected.
template <typename T> class [[nodiscard]] Result {
public:
    Result(T value) : m_v(std::move(value)) {}
    Result(Error error) : m_v(std::move(error)) {}

    bool ok() const { return m_v.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & { return std::get<0>(m_v); }
    const T& value() const& { return std::get<0>(m_v); }
    T&& value() && { return std::get<0>(std::move(m_v)); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }

    const Error& error() const { return std::get<1>(m_v); }

private:
    std::variant<T, Error> m_v;
};

/// A Result that carries no value.
class [[nodiscard]] Status {
public:
    Status() = default;
    Status(Error error) : m_error(std::move(error)), m_ok(false) {}
    static Status success() { return {}; }

    bool ok() const { return m_ok; }
    explicit operator bool() const { return m_ok; }
    const Error& error() const { return m_error; }

private:
    Error m_error;
    bool m_ok = true;
};

inline Error makeError(ErrorCode code, std::string message)
{
    return Error{code, std::move(message), {}};
}

inline Error makeError(ErrorCode code, std::string message, std::string hint)
{
    return Error{code, std::move(message), std::move(hint)};
}

} // namespace coffer

// Propagate an error from a Status or Result expression.
#define COFFER_TRY(expr)                                                                                               \
    do {                                                                                                               \
        auto&& cofferTryResult_ = (expr);                                                                              \
        if (!cofferTryResult_.ok())                                                                                    \
            return cofferTryResult_.error();                                                                           \
    } while (false)
