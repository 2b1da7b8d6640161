#include "Commands.h"

#include "Cli.h"
#include "CliSupport.h"
#include "ContainerReader.h"
#include "Encrypt.h"
#include "Extract.h"
#include "FileIO.h"
#include "PassphraseRecipient.h"
#include "SignatureStatus.h"
#include "Terminal.h"

#include <csignal>
#include <cstdio>
#include <ctime>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace coffer::cli {

namespace fs = std::filesystem;

namespace {

/// Said before an Argon2id run above what Coffer writes (FORMAT.md §3.2): the
/// wait and the memory are the container's choice, not ours.
void noticeUnusualCost(const crypto::Argon2Params& p)
{
    std::fprintf(stderr, "note: this container asks for an unusually costly passphrase check (%u MiB, about %.0f s)\n",
                 static_cast<unsigned>(p.memoryKiB / 1024), crypto::argon2Seconds(p));
}

/// The keys to try: -i FILE..., -p / --passphrase-file, else the keyring
/// (which `keyring` then holds, to name signers), else a passphrase prompt.
Result<crypto::IdentityList> loadIdentities(const Args& args, const std::string& container,
                                            std::optional<Keyring>& keyring)
{
    crypto::IdentityList identities;
    for (const auto& file : args.all("--identity")) {
        auto text = readTextFile(file);
        COFFER_TRY(text);
        auto ids = crypto::parseIdentityFile(*text);
        crypto::secureWipe(text->data(), text->size());
        COFFER_TRY(ids);
        for (const auto& id : *ids)
            identities.push_back(id.makeIdentity());
    }
    std::optional<crypto::SecureString> passphrase;
    if (auto file = args.one("--passphrase-file")) {
        auto p = readPassphraseFile(*file);
        COFFER_TRY(p);
        passphrase = std::move(*p);
    } else if (args.has("--passphrase")) {
        auto p = readPassphrase("Passphrase: ");
        COFFER_TRY(p);
        passphrase = std::move(*p);
    } else if (identities.empty() && keyringStore().exists()) {
        auto k = unlockKeyring(args);
        COFFER_TRY(k);
        keyring = std::move(*k);
        identities = keyring->decryptionIdentities();
    } else if (identities.empty() && container != "-") {
        // No key given: a passphrase container can still be opened interactively.
        auto info = inspectContainer(container);
        COFFER_TRY(info);
        if (std::find(info->stanzaTypes.begin(), info->stanzaTypes.end(), "argon2id") != info->stanzaTypes.end()) {
            auto p = readPassphrase("Passphrase: ");
            COFFER_TRY(p);
            passphrase = std::move(*p);
        }
    }
    if (passphrase)
        identities.push_back(std::make_unique<crypto::PassphraseIdentity>(std::move(*passphrase), noticeUnusualCost));
    if (identities.empty())
        return makeError(ErrorCode::InvalidArgument,
                         "no key given: pass -i IDENTITY_FILE or -p, or create an identity");
    return identities;
}

/// Tells the reader who signed and for whom (stderr, so stdout stays data).
void printSignature(const ArchiveIndex& index, const std::optional<Keyring>& keyring)
{
    const SignatureReport report = describeSignature(index, keyring ? &*keyring : nullptr);
    std::fprintf(stderr, "%s\n", signatureSummary(report).c_str());
    if (report.state != SignerState::Unsigned && !report.intendedRecipients.empty()) {
        std::string list;
        for (const auto& r : report.intendedRecipients)
            list += (list.empty() ? "" : ", ") + r;
        std::fprintf(stderr, "sent to: %s\n", list.c_str());
        if (!report.addressedToReader)
            std::fprintf(stderr, "note: you are not among the recipients the sender chose: this container was "
                                 "re-shared after signing\n");
    }
}

const char* kEncryptUsage = "coffer encrypt (-r CARD | -R FILE | -p)... [-o OUT] PATH...";
const char* kDecryptUsage = "coffer decrypt [-i FILE]... [-p] [-o DIR|-] [--only PATH]... CONTAINER";

} // namespace

int commandKeygen(const std::vector<std::string>& argv)
{
    Args args(argv, {}, {"--output", "--name"}, {{"-o", "--output"}});
    if (!args.ok() || !args.positional().empty())
        return usageError(args.ok() ? "keygen takes no paths" : args.error(), "coffer keygen [-o FILE] [--name NAME]");
    auto id = crypto::SecretIdentity::generate(args.one("--name").value_or(""));
    const crypto::ContactCard myCard = *id.card(); // a generated identity always has one
    const std::string card = myCard.encode();
    char date[32];
    const std::time_t now = std::time(nullptr);
    std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
    crypto::SecureString text = "# created: ";
    text += date;
    text += "\n# card: ";
    text += card;
    text += "\n# fingerprint: ";
    text += myCard.fingerprint();
    text += "\n";
    text += id.encode();
    text += "\n";
    if (auto out = args.one("--output"); out && *out != "-") {
        // 0600 from the start, and never over an existing key file.
        UniqueFd fd(::open(out->c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
        if (!fd.valid() && errno == EEXIST)
            return reportError(makeError(ErrorCode::Io, "\"" + *out +
                                                            "\" already exists; Coffer never overwrites a key file, "
                                                            "so choose another name"));
        if (!fd.valid())
            return reportError(ioError(errno, "create", *out));
        FdSink sink(fd.get(), *out);
        if (auto st = sink.write(crypto::asBytes(text)); !st.ok())
            return reportError(st.error());
        if (::fsync(fd.get()) != 0)
            return reportError(ioError(errno, "write", *out));
        std::fprintf(stdout, "%s\n", card.c_str());
        if (stderrIsTerminal())
            std::fprintf(stderr, "Your card (share it freely): %s\nFingerprint: %s\n", card.c_str(),
                         myCard.fingerprint().c_str());
        return kExitOk;
    }
    FdSink sink(STDOUT_FILENO, "standard output");
    if (auto st = sink.write(crypto::asBytes(text)); !st.ok())
        return reportError(st.error());
    return kExitOk;
}

int commandEncrypt(const std::vector<std::string>& argv)
{
    Args args(argv, {"--passphrase", "--force", "--no-sign"},
              {"--recipient", "--recipients-file", "--output", "--passphrase-file", "--compression",
               "--keyring-passphrase-file"},
              {{"-r", "--recipient"}, {"-R", "--recipients-file"}, {"-o", "--output"}, {"-p", "--passphrase"}});
    if (!args.ok())
        return usageError(args.error(), kEncryptUsage);
    if (args.positional().empty())
        return usageError("name the files or folders to encrypt", kEncryptUsage);
    EncryptRequest request;
    std::vector<std::string> keys = args.all("--recipient");
    for (const auto& file : args.all("--recipients-file")) {
        auto text = readTextFile(file);
        if (!text.ok())
            return reportError(text.error());
        std::istringstream lines(*text);
        for (std::string line; std::getline(lines, line);)
            if (!line.empty() && line[0] != '#' && line.find_first_not_of(" \t\r") != std::string::npos)
                keys.push_back(line);
    }
    // The keyring is opened at most once: for contact names, and to sign.
    std::optional<Keyring> keyring;
    auto openKeyring = [&]() -> Status {
        if (!keyring) {
            auto k = unlockKeyring(args);
            COFFER_TRY(k);
            keyring = std::move(*k);
        }
        return Status::success();
    };
    for (const auto& key : keys) {
        auto parsed = crypto::parseRecipientKey(key);
        if (!parsed.ok() && keyringStore().exists()) {
            if (auto st = openKeyring(); !st.ok())
                return reportError(st.error());
            if (const Contact* c = keyring->findContact(key)) {
                request.recipients.push_back(c->recipient);
                continue;
            }
        }
        if (!parsed.ok())
            return reportError(makeError(ErrorCode::InvalidArgument, "recipient \"" + key.substr(0, 80) +
                                                                         "\" is not a contact, a card or an age key"));
        request.recipients.push_back(std::move(*parsed));
    }
    if (!args.has("--no-sign") && keyringStore().exists()) {
        if (auto st = openKeyring(); !st.ok())
            return reportError(st.error());
        request.signer = keyring->identity(); // signed by default once an identity exists
    }
    auto passphrase = newPassphraseFromArgs(args);
    if (!passphrase.ok())
        return reportError(passphrase.error());
    request.passphrase = std::move(*passphrase);
    if (request.recipients.empty() && !request.passphrase)
        return usageError("choose who can open it: -r CARD, -R FILE or -p", kEncryptUsage);
    const std::string compression = args.one("--compression").value_or("auto");
    if (compression == "auto")
        request.compression = Compression::Auto;
    else if (compression == "off")
        request.compression = Compression::Off;
    else if (compression == "max")
        request.compression = Compression::Max;
    else
        return usageError("--compression is auto, off or max", kEncryptUsage);
    const auto output = args.one("--output");
    if (!output && stdoutIsTerminal())
        return usageError("name the container with -o OUT (refusing to write binary data to the terminal)",
                          kEncryptUsage);
    request.output = output.value_or("-");
    request.overwrite = args.has("--force");
    for (const auto& p : args.positional())
        request.inputs.emplace_back(p);

    auto result = runJob([&](JobControl& job) { return encryptFiles(request, job); });
    if (!result.ok())
        return reportError(result.error());
    if (request.output != "-" && stderrIsTerminal())
        std::fprintf(stderr, "Encrypted %llu files (%s) into %s (%s)\n", static_cast<unsigned long long>(result->files),
                     formatBytes(result->plainBytes).c_str(), result->output.c_str(),
                     formatBytes(result->containerBytes).c_str());
    if (request.output != "-" && result->output != request.output)
        std::fprintf(stderr, "note: \"%s\" existed, so the container is \"%s\"\n", request.output.c_str(),
                     result->output.c_str());
    return kExitOk;
}

namespace {

// decrypt -o -: one file's content to standard output, for a pipe.
int decryptToStandardOutput(const Args& args)
{
    const std::string container = args.positional()[0];
    if (container == "-")
        return usageError("-o - needs a container file (its index says which file to write); from standard input, "
                          "decrypt into a folder",
                          kDecryptUsage);
    const auto only = args.all("--only");
    if (only.size() > 1)
        return usageError("-o - writes one file: name at most one with --only", kDecryptUsage);
    if (args.has("--force"))
        return usageError("--force has no meaning with -o -", kDecryptUsage);
    std::optional<Keyring> keyring;
    auto identities = loadIdentities(args, container, keyring);
    if (!identities.ok())
        return reportError(identities.error());
    FdSink out(STDOUT_FILENO, "standard output");
    auto result = runJob([&](JobControl& job) {
        return extractFileTo(container, only.empty() ? std::string() : only.front(), *identities, out, job);
    });
    if (!result.ok())
        return reportError(result.error());
    printSignature(result->index, keyring);
    return kExitOk;
}

} // namespace

int commandDecrypt(const std::vector<std::string>& argv)
{
    Args args(argv, {"--passphrase", "--force"},
              {"--identity", "--output", "--only", "--passphrase-file", "--keyring-passphrase-file"},
              {{"-i", "--identity"}, {"-o", "--output"}, {"-p", "--passphrase"}});
    if (!args.ok())
        return usageError(args.error(), kDecryptUsage);
    if (args.positional().size() != 1)
        return usageError("name one container to decrypt", kDecryptUsage);
    if (args.one("--output") == "-")
        return decryptToStandardOutput(args);
    ExtractRequest request;
    request.container = args.positional()[0];
    request.destination = args.one("--output").value_or(".");
    request.only = args.all("--only");
    request.overwrite = args.has("--force");
    std::optional<Keyring> keyring;
    auto identities = loadIdentities(args, request.container, keyring);
    if (!identities.ok())
        return reportError(identities.error());
    auto result = runJob([&](JobControl& job) { return extractContainer(request, *identities, job); });
    if (!result.ok())
        return reportError(result.error());
    printSignature(result->index, keyring);
    if (stderrIsTerminal())
        std::fprintf(stderr, "Extracted %llu files (%s) into %s\n", static_cast<unsigned long long>(result->files),
                     formatBytes(result->bytes).c_str(), request.destination.c_str());
    return kExitOk;
}

int commandList(const std::vector<std::string>& argv)
{
    Args args(argv, {"--passphrase", "--long"}, {"--identity", "--passphrase-file", "--keyring-passphrase-file"},
              {{"-i", "--identity"}, {"-p", "--passphrase"}, {"-l", "--long"}});
    if (!args.ok() || args.positional().size() != 1)
        return usageError(args.ok() ? "name one container" : args.error(),
                          "coffer list [-i FILE]... [-p] [-l] CONTAINER");
    if (args.positional()[0] == "-")
        return usageError("list needs a container file (it reads only the end of it); to see what a stream "
                          "holds, decrypt it",
                          "coffer list [-i FILE]... [-p] [-l] CONTAINER");
    std::optional<Keyring> keyring;
    auto identities = loadIdentities(args, args.positional()[0], keyring);
    if (!identities.ok())
        return reportError(identities.error());
    auto listing = listContainer(args.positional()[0], *identities);
    if (!listing.ok())
        return reportError(listing.error());
    printSignature(listing->index, keyring);
    const bool longFormat = args.has("--long");
    // By path, as people read a folder; storage order is the writer's business.
    std::vector<const IndexEntry*> shown;
    for (const auto& e : listing->index.entries)
        shown.push_back(&e);
    std::sort(shown.begin(), shown.end(),
              [](const IndexEntry* a, const IndexEntry* b) { return a->info.path < b->info.path; });
    for (const IndexEntry* entry : shown) {
        const IndexEntry& e = *entry;
        if (e.isPack())
            continue; // storage, not a file
        const bool dir = e.info.kind == EntryKind::Directory;
        if (longFormat) {
            char date[32];
            const std::time_t t = static_cast<std::time_t>(e.info.mtimeSeconds);
            std::strftime(date, sizeof date, "%Y-%m-%d %H:%M", std::localtime(&t));
            std::printf("%c%03o %12llu  %s  %s%s\n", dir ? 'd' : '-', e.info.mode,
                        static_cast<unsigned long long>(e.info.size), date, e.info.path.c_str(), dir ? "/" : "");
        } else {
            std::printf("%s%s\n", e.info.path.c_str(), dir ? "/" : "");
        }
    }
    return kExitOk;
}

int commandInspect(const std::vector<std::string>& argv)
{
    Args args(argv, {}, {}, {});
    if (!args.ok() || args.positional().size() != 1)
        return usageError(args.ok() ? "name one container" : args.error(), "coffer inspect CONTAINER");
    if (args.positional()[0] == "-")
        return usageError("inspect needs a container file", "coffer inspect CONTAINER");
    auto info = inspectContainer(args.positional()[0]);
    if (!info.ok())
        return reportError(info.error());
    std::printf("format: %s\n", info->version.c_str());
    std::printf("stanzas: %zu\n", info->stanzaTypes.size());
    for (const auto& t : info->stanzaTypes)
        std::printf("  %s\n", t.c_str());
    std::printf("header: %llu bytes\n", static_cast<unsigned long long>(info->headerBytes));
    std::printf("payload: %llu bytes\n", static_cast<unsigned long long>(info->payloadBytes));
    if (info->lengthValid)
        std::printf("archive: %llu bytes (before encryption)\n", static_cast<unsigned long long>(info->plaintextBytes));
    else
        std::printf("archive: the payload length is invalid (truncated?)\n");
    return kExitOk;
}

} // namespace coffer::cli
