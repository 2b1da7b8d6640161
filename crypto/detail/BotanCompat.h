// The one place where Botan's headers are included and where Botan 2 and 3
// differ. Private to crypto/*.cpp; never included from a public header.
// Moving to Botan 3 should be this file's work alone.
#pragma once

#include <botan/aead.h>
#include <botan/argon2.h>
#include <botan/curve25519.h>
#include <botan/exceptn.h>
#include <botan/hash.h>
#include <botan/kdf.h>
#include <botan/mac.h>
#include <botan/mem_ops.h>
#include <botan/pwdhash.h>
#include <botan/sodium.h>
#include <botan/stream_cipher.h>
#include <botan/system_rng.h>
#include <botan/version.h>

#include <memory>
#include <string>

namespace coffer::crypto::detail {

inline std::string botanVersion()
{
    return Botan::short_version_string();
}

/// Botan 2 creates AEADs through AEAD_Mode::create with a Cipher_Dir;
/// Botan 3 renames the direction enum. Keep that difference here.
inline std::unique_ptr<Botan::AEAD_Mode> makeAesGcm(bool encrypt)
{
#if BOTAN_VERSION_MAJOR >= 3
    return Botan::AEAD_Mode::create_or_throw("AES-256/GCM",
                                             encrypt ? Botan::Cipher_Dir::Encryption : Botan::Cipher_Dir::Decryption);
#else
    return Botan::AEAD_Mode::create_or_throw("AES-256/GCM", encrypt ? Botan::ENCRYPTION : Botan::DECRYPTION);
#endif
}

} // namespace coffer::crypto::detail
