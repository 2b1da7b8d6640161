// AgeDecryptor and AgeEncryptor: the header, the armor and the payload put
// together in the order age.md gives (FORMAT.md §13).
#include "Age.h"

#include "AgeHeader.h"
#include "AgeRecipients.h"
#include "AgeStream.h"

#include <algorithm>
#include <limits>

namespace coffer::crypto::age {

namespace {

constexpr std::string_view kBinaryPrefix = "age-encryption.org/";

bool startsWith(ByteView bytes, std::string_view prefix)
{
    return bytes.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), bytes.begin());
}

} // namespace

bool looksLikeAge(ByteView start)
{
    if (startsWith(start, kBinaryPrefix))
        return true;
    const auto text = std::find_if(start.begin(), start.end(),
                                   [](std::uint8_t c) { return c != ' ' && c != '\t' && c != '\r' && c != '\n'; });
    return startsWith(start.subspan(static_cast<std::size_t>(text - start.begin())), kArmorBegin);
}

// ---- decryption ----

struct AgeDecryptor::Impl {
    std::unique_ptr<LineSource> raw;
    std::unique_ptr<ArmorReader> armor;
    std::unique_ptr<LineSource> armored; // lines of the decoded armor
    LineSource* lines = nullptr;         // raw or armored
    std::unique_ptr<StreamReader> payload;
    std::vector<std::string> stanzaTypes;
    AgeFailure failure = AgeFailure::None;

    Error failed(AgeFailure why, Error error)
    {
        // An error the armor found is the armor's, whatever stage met it.
        failure = armor && armor->failed() ? AgeFailure::Armor : why;
        return error;
    }
    Status openSource();
    Result<SecureBytes> readHeader(const AgeKeys& keys);
    Status startPayload(ByteView fileKey);
};

Status AgeDecryptor::Impl::openSource()
{
    // A binary age file starts with its version line; anything else is read as armor.
    auto start = raw->peek(kBinaryPrefix.size());
    COFFER_TRY(start);
    if (start->empty())
        return failed(AgeFailure::Header, makeError(ErrorCode::Damaged, "this age file is empty"));
    lines = raw.get();
    if (!startsWith(*start, kBinaryPrefix)) {
        armor = std::make_unique<ArmorReader>(*raw, kAgeArmor);
        armored = std::make_unique<LineSource>(*armor);
        lines = armored.get();
    }
    return Status::success();
}

Result<SecureBytes> AgeDecryptor::Impl::readHeader(const AgeKeys& keys)
{
    AgeFailure why = AgeFailure::Header;
    auto header = parseHeader(*lines, why);
    if (!header.ok())
        return failed(why, header.error());
    for (const auto& s : header->stanzas)
        stanzaTypes.push_back(s.type);
    const Status checked = checkStanzas(header->stanzas, keys.maxWorkFactor, why);
    if (!checked.ok())
        return failed(why, checked.error());
    auto fileKey = unwrapFileKey(header->stanzas, keys, why);
    if (!fileKey.ok())
        return failed(why, fileKey.error());
    auto mac = headerMac(*fileKey, header->macInput);
    COFFER_TRY(mac);
    if (!constantTimeEqual(*mac, header->mac))
        return failed(AgeFailure::HeaderMac, makeError(ErrorCode::Damaged, "this age file's header failed "
                                                                           "authentication; it was damaged or "
                                                                           "tampered with"));
    return fileKey;
}

Status AgeDecryptor::Impl::startPayload(ByteView fileKey)
{
    Bytes nonce(kPayloadNonceSize);
    std::size_t have = 0;
    while (have < nonce.size()) {
        auto n = lines->read(MutableByteView(nonce).subspan(have));
        if (!n.ok())
            return failed(AgeFailure::Payload, n.error());
        if (*n == 0)
            return failed(AgeFailure::Header,
                          makeError(ErrorCode::Damaged, "this age file ends before its payload nonce"));
        have += *n;
    }
    auto key = payloadKey(fileKey, nonce);
    COFFER_TRY(key);
    auto reader = StreamReader::create(*key, *lines);
    COFFER_TRY(reader);
    payload = std::move(*reader);
    return Status::success();
}

AgeDecryptor::AgeDecryptor(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
AgeDecryptor::~AgeDecryptor() = default;

Result<std::unique_ptr<AgeDecryptor>> AgeDecryptor::open(ByteSource& input, const AgeKeys& keys, AgeFailure* why)
{
    auto impl = std::make_unique<Impl>();
    impl->raw = std::make_unique<LineSource>(input);
    Status status = impl->openSource();
    Result<SecureBytes> fileKey = status.ok() ? impl->readHeader(keys) : Result<SecureBytes>(status.error());
    if (fileKey.ok())
        status = impl->startPayload(*fileKey);
    if (!fileKey.ok() || !status.ok()) {
        if (impl->failure == AgeFailure::None) // the input could not be read, or a library failed
            impl->failure = AgeFailure::Header;
        if (why)
            *why = impl->failure;
        return fileKey.ok() ? status.error() : fileKey.error();
    }
    if (why)
        *why = AgeFailure::None;
    return std::unique_ptr<AgeDecryptor>(new AgeDecryptor(std::move(impl)));
}

Result<std::size_t> AgeDecryptor::read(MutableByteView buffer)
{
    auto n = m_impl->payload->read(buffer);
    if (!n.ok())
        return m_impl->failed(AgeFailure::Payload, n.error());
    return n;
}

AgeFailure AgeDecryptor::failure() const
{
    return m_impl->failure;
}

const std::vector<std::string>& AgeDecryptor::stanzaTypes() const
{
    return m_impl->stanzaTypes;
}

Result<AgeHeaderInfo> inspectAge(ByteSource& input, AgeFailure* why)
{
    AgeDecryptor::Impl impl;
    impl.raw = std::make_unique<LineSource>(input);
    AgeFailure stage = AgeFailure::Header;
    Status status = impl.openSource();
    Result<AgeHeader> header = status.ok() ? parseHeader(*impl.lines, stage) : Result<AgeHeader>(status.error());
    if (header.ok()) // the work-factor ceiling is for decryption: inspecting costs nothing
        status = checkStanzas(header->stanzas, std::numeric_limits<int>::max(), stage);
    if (!header.ok() || !status.ok()) {
        if (why)
            *why = impl.armor && impl.armor->failed() ? AgeFailure::Armor : AgeFailure::Header;
        return header.ok() ? status.error() : header.error();
    }
    if (why)
        *why = AgeFailure::None;
    AgeHeaderInfo info;
    info.armored = impl.armor != nullptr;
    for (const auto& s : header->stanzas)
        info.stanzaTypes.push_back(s.type);
    return info;
}

// ---- encryption ----

struct AgeEncryptor::Impl {
    std::unique_ptr<ArmorWriter> armor;
    std::unique_ptr<StreamWriter> payload;
    bool finished = false;
};

namespace {

Result<std::vector<AgeStanza>> wrapAll(const AgeRecipients& recipients, ByteView fileKey)
{
    // age.md: an scrypt stanza must be alone, so a passphrase excludes keys.
    if (recipients.passphrase && !recipients.x25519.empty())
        return makeError(ErrorCode::InvalidArgument, "an age file takes either a passphrase or keys, not both");
    if (!recipients.passphrase && recipients.x25519.empty())
        return makeError(ErrorCode::InvalidArgument, "an age file needs at least one recipient");
    std::vector<AgeStanza> stanzas;
    if (recipients.passphrase) {
        auto s = wrapScrypt(*recipients.passphrase, recipients.workFactor, fileKey);
        COFFER_TRY(s);
        stanzas.push_back(std::move(*s));
    }
    for (const auto& key : recipients.x25519) {
        auto s = wrapX25519(key, fileKey);
        COFFER_TRY(s);
        stanzas.push_back(std::move(*s));
    }
    return stanzas;
}

} // namespace

AgeEncryptor::AgeEncryptor(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
AgeEncryptor::~AgeEncryptor() = default;

Result<std::unique_ptr<AgeEncryptor>> AgeEncryptor::open(ByteSink& output, const AgeRecipients& recipients, bool armor)
{
    SecureBytes fileKey(kFileKeySize);
    randomBytes(fileKey);
    auto stanzas = wrapAll(recipients, fileKey);
    COFFER_TRY(stanzas);
    std::string header = encodeHeaderForMac(*stanzas);
    auto mac = headerMac(fileKey, asBytes(header));
    COFFER_TRY(mac);
    header += encodeMacLine(*mac);
    auto impl = std::make_unique<Impl>();
    ByteSink* sink = &output;
    if (armor) {
        impl->armor = std::make_unique<ArmorWriter>(output, kAgeArmor);
        sink = impl->armor.get();
    }
    Bytes nonce(kPayloadNonceSize);
    randomBytes(nonce);
    COFFER_TRY(sink->write(asBytes(header)));
    COFFER_TRY(sink->write(nonce));
    auto key = payloadKey(fileKey, nonce);
    COFFER_TRY(key);
    auto writer = StreamWriter::create(*key, *sink);
    COFFER_TRY(writer);
    impl->payload = std::move(*writer);
    return std::unique_ptr<AgeEncryptor>(new AgeEncryptor(std::move(impl)));
}

Status AgeEncryptor::write(ByteView data)
{
    if (m_impl->finished)
        return makeError(ErrorCode::Internal, "write after finish");
    return m_impl->payload->write(data);
}

Status AgeEncryptor::writeFrom(ByteSource& source, std::uint64_t size)
{
    if (m_impl->finished)
        return makeError(ErrorCode::Internal, "write after finish");
    return m_impl->payload->writeFrom(source, size);
}

Status AgeEncryptor::finish()
{
    if (m_impl->finished)
        return Status::success();
    m_impl->finished = true;
    COFFER_TRY(m_impl->payload->finish());
    if (m_impl->armor)
        COFFER_TRY(m_impl->armor->finish());
    return Status::success();
}

} // namespace coffer::crypto::age
