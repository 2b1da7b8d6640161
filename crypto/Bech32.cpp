#include "Bech32.h"

#include <algorithm>
#include <cctype>

namespace coffer::crypto {

namespace {

constexpr char kCharset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

std::uint32_t polymod(const std::vector<std::uint8_t, SecureAllocator<std::uint8_t>>& values)
{
    static constexpr std::uint32_t gen[5] = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
    std::uint32_t chk = 1;
    for (const auto v : values) {
        const std::uint32_t top = chk >> 25;
        chk = ((chk & 0x1ffffff) << 5) ^ v;
        for (int i = 0; i < 5; ++i)
            if ((top >> i) & 1)
                chk ^= gen[i];
    }
    return chk;
}

SecureBytes hrpExpand(std::string_view hrp)
{
    SecureBytes out;
    for (const char c : hrp)
        out.push_back(static_cast<std::uint8_t>(c) >> 5);
    out.push_back(0);
    for (const char c : hrp)
        out.push_back(static_cast<std::uint8_t>(c) & 31);
    return out;
}

// Regroups bits; `pad` on encode, strict (no padding beyond 4 zero bits) on decode.
bool convertBits(ByteView in, int fromBits, int toBits, bool pad, SecureBytes& out)
{
    std::uint32_t acc = 0;
    int bits = 0;
    const std::uint32_t maxv = (1u << toBits) - 1;
    for (const auto value : in) {
        if ((value >> fromBits) != 0)
            return false;
        acc = (acc << fromBits) | value;
        bits += fromBits;
        while (bits >= toBits) {
            bits -= toBits;
            out.push_back(static_cast<std::uint8_t>((acc >> bits) & maxv));
        }
    }
    if (pad) {
        if (bits > 0)
            out.push_back(static_cast<std::uint8_t>((acc << (toBits - bits)) & maxv));
    } else if (bits >= fromBits || ((acc << (toBits - bits)) & maxv) != 0) {
        return false;
    }
    acc = 0;
    return true;
}

std::optional<std::pair<std::string, SecureBytes>> decodeRaw(std::string_view text)
{
    bool lower = false, upper = false;
    for (const char c : text) {
        if (c < 33 || c > 126)
            return std::nullopt;
        lower |= (c >= 'a' && c <= 'z');
        upper |= (c >= 'A' && c <= 'Z');
    }
    if (lower && upper)
        return std::nullopt;
    const auto sep = text.rfind('1');
    if (sep == std::string_view::npos || sep == 0 || sep + 7 > text.size())
        return std::nullopt;
    std::string hrp(text.substr(0, sep));
    std::transform(hrp.begin(), hrp.end(), hrp.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    SecureBytes values;
    for (std::size_t i = sep + 1; i < text.size(); ++i) {
        const char c = static_cast<char>(std::tolower(static_cast<unsigned char>(text[i])));
        const char* p = std::find(kCharset, kCharset + 32, c);
        if (p == kCharset + 32)
            return std::nullopt;
        values.push_back(static_cast<std::uint8_t>(p - kCharset));
    }
    SecureBytes check = hrpExpand(hrp);
    check.insert(check.end(), values.begin(), values.end());
    if (polymod(check) != 1)
        return std::nullopt;
    values.resize(values.size() - 6);
    SecureBytes data;
    if (!convertBits(values, 5, 8, false, data))
        return std::nullopt;
    return std::make_pair(std::move(hrp), std::move(data));
}

} // namespace

std::string bech32Encode(std::string_view hrp, ByteView data, bool upper)
{
    SecureBytes values;
    convertBits(data, 8, 5, true, values);
    SecureBytes check = hrpExpand(hrp);
    check.insert(check.end(), values.begin(), values.end());
    check.insert(check.end(), 6, 0);
    const std::uint32_t mod = polymod(check) ^ 1;
    for (int i = 0; i < 6; ++i)
        values.push_back(static_cast<std::uint8_t>((mod >> (5 * (5 - i))) & 31));
    std::string out(hrp);
    out += '1';
    for (const auto v : values)
        out += kCharset[v];
    if (upper)
        std::transform(out.begin(), out.end(), out.begin(),
                       [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return out;
}

std::optional<Bech32Data> bech32Decode(std::string_view text)
{
    auto raw = decodeRaw(text);
    if (!raw)
        return std::nullopt;
    return Bech32Data{raw->first, Bytes(raw->second.begin(), raw->second.end())};
}

std::optional<SecureBytes> bech32DecodeSecret(std::string_view text, std::string_view expectedHrp)
{
    auto raw = decodeRaw(text);
    if (!raw || raw->first != expectedHrp)
        return std::nullopt;
    return std::move(raw->second);
}

} // namespace coffer::crypto
